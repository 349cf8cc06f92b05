//! The command line: what each `sigwatch` command does, and its exit status (0 success,
//! 1 runtime failure, 2 usage or configuration error).

use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::decode;

/// Watch a mobile carrier's signalling interconnect for surveillance.
#[derive(Debug, Parser)]
#[command(name = "sigwatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a capture: one JSON line per signalling message and per malformed frame.
    Decode {
        /// A pcap or pcapng file.
        file: PathBuf,
    },
}

/// Parse the command line, run the command, and turn its result into an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode { file } => {
            let stdout = io::stdout().lock();
            decode::decode_file(&file, &mut BufWriter::with_capacity(1 << 16, stdout)).map(|_| ())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sigwatch: {e:#}");
            ExitCode::from(1)
        }
    }
}
