//! `siggen`: write a scenario's capture, ground truth and policy, or a load capture.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};

/// Generate signalling traffic for sigwatch: a scenario with its ground truth and policy, or
/// bulk load.
#[derive(Debug, Parser)]
#[command(name = "siggen", version, about)]
struct Cli {
    /// What to generate.
    #[arg(long, value_enum, default_value_t = Scenario::Seed)]
    scenario: Scenario,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seed scenario: multiply its population by this.
    #[arg(long, default_value_t = 1)]
    scale: u64,
    /// Load scenario: how many frames.
    #[arg(long, default_value_t = 2_000_000)]
    frames: u64,
    /// The capture to write.
    #[arg(long, short, default_value = "siggen.pcap")]
    out: PathBuf,
    /// Seed, evasion and presence scenarios: the ground truth (JSON lines) to write.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// The matching policy file to write.
    #[arg(long)]
    policy: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
    /// A day on a US carrier's interconnect, attacks included.
    Seed,
    /// Every evasion technique and framing around a real attack, with decoys and
    /// retransmissions (see the truth file's `decoy`, `retransmission` and `evasion`).
    Evasion,
    /// Where is the subscriber: category 3 from what the home network's own traffic proves,
    /// roaming agreements, senders nobody can place, and the look-alikes that must stay
    /// silent (see the truth file's `rule`).
    Presence,
    /// Eight weeks of the published story: China Unicom's mass tracking, and coordinated
    /// incidents with Flow Barbados and BTC Bahamas among independent sweeps (the truth
    /// file's `campaign`).
    Campaigns,
    /// Bulk traffic for load tests.
    Load,
}

fn create(p: &PathBuf) -> Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
    ))
}

fn run(cli: Cli) -> Result<()> {
    match cli.scenario {
        Scenario::Seed | Scenario::Evasion | Scenario::Presence | Scenario::Campaigns => {
            let cap = match cli.scenario {
                Scenario::Seed => siggen::scenario::seed(cli.seed, cli.scale),
                Scenario::Evasion => siggen::scenario::evasion(cli.seed),
                Scenario::Campaigns => siggen::scenario::campaigns(cli.seed, cli.scale),
                _ => siggen::scenario::presence(cli.seed),
            };
            cap.write_pcap(&mut create(&cli.out)?)?;
            if let Some(t) = &cli.truth {
                cap.write_truth(&mut create(t)?)?;
            }
            if let Some(p) = &cli.policy {
                std::fs::write(p, &cap.policy)
                    .with_context(|| format!("{}: cannot write", p.display()))?;
            }
            eprintln!(
                "siggen: {} frames, {} messages -> {}",
                cap.frames.len(),
                cap.truth.len(),
                cli.out.display()
            );
        }
        Scenario::Load => {
            let mut load = siggen::load::Load::new(cli.seed, 2_000);
            load.write_pcap(cli.frames, &mut create(&cli.out)?)?;
            if let Some(p) = &cli.policy {
                std::fs::write(p, siggen::net::policy_toml())
                    .with_context(|| format!("{}: cannot write", p.display()))?;
            }
            eprintln!(
                "siggen: {} load frames -> {}",
                cli.frames,
                cli.out.display()
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("siggen: {e:#}");
            ExitCode::from(1)
        }
    }
}
