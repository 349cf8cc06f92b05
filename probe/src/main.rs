//! The `sigwatch` binary; see the `probe` library for what it does.

fn main() -> std::process::ExitCode {
    probe::cli::main()
}
