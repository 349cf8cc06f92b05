//! The command line: what each `sigwatch` command does, and its exit status (0 success,
//! 1 runtime failure, 2 usage or configuration error).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use rules::engine::Engine;
use rules::policy::{Policy, PolicyError};

use crate::decode;
use crate::pipeline::{self, default_workers, Options};
use crate::sink::export::ExportConfig;
use crate::sink::summary::summary;
use crate::source::pcap::Pacing;

/// Watch a mobile carrier's signalling interconnect (SS7/SIGTRAN and Diameter) for location
/// tracking, interception and identity harvesting, judged by GSMA FS.11 and FS.19.
#[derive(Debug, Parser)]
#[command(name = "sigwatch", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the built-in demo traffic (a home carrier's roamers tracked by a foreign
    /// operator, and a campaign from three), run it through the pipeline, print the summary.
    Demo(DemoArgs),
    /// Decode a capture: one JSON line per signalling message and per malformed frame.
    Decode {
        /// A pcap or pcapng file.
        file: PathBuf,
    },
    /// Run the pipeline over pcap/pcapng files (lossless unless paced).
    Replay(ReplayArgs),
    /// Capture live from DPDK ports (built with the `dpdk` feature) until SIGINT/SIGTERM.
    Run(RunArgs),
    /// Join what many probes exported to NATS JetStream (`--export`): campaigns across sites,
    /// written as one report.
    Correlate(CorrelateArgs),
    /// Validate a policy file and print what it says.
    CheckConfig {
        /// The policy file (TOML).
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Write the demo's alert lines here.
    #[arg(long)]
    alerts: Option<PathBuf>,
    /// Write the demo's report here.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write the demo's report as an HTML page here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Workers (default: cores − 1).
    #[arg(long)]
    workers: Option<usize>,
}

#[derive(Debug, Args)]
struct Outputs {
    /// The policy file (TOML; see `sigwatch check-config`).
    #[arg(long, value_name = "CFG")]
    config: PathBuf,
    /// Write alert lines (JSON) here.
    #[arg(long, value_name = "A.jsonl")]
    alerts: Option<PathBuf>,
    /// Write the report (JSON) here, atomically.
    #[arg(long, value_name = "R.json")]
    report: Option<PathBuf>,
    /// Write the report as one self-contained HTML page (charts and tables) here.
    #[arg(long, value_name = "R.html")]
    html: Option<PathBuf>,
    /// Worker threads, each pinned to a core and owning a shard of subscribers
    /// (default: cores − 1, at least 1).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// Do not pin workers to cores.
    #[arg(long)]
    no_pin: bool,
    /// Print nothing but errors (no progress, no summary).
    #[arg(long, short)]
    quiet: bool,
    /// Serve Prometheus metrics on http://ADDR/metrics (e.g. 127.0.0.1:9477).
    #[arg(long, value_name = "ADDR")]
    metrics: Option<std::net::SocketAddr>,
    /// Publish alert lines and summaries to NATS JetStream (stream SIGWATCH, subjects
    /// sigwatch.<site>.alerts and sigwatch.<site>.summary). Never slows the pipeline: what a
    /// slow or absent server cannot take is dropped and counted.
    #[arg(long, value_name = "nats://HOST:PORT")]
    export: Option<String>,
    /// This probe's name in the exported subjects (default: the host name).
    #[arg(long, value_name = "NAME", requires = "export")]
    site: Option<String>,
    /// Seconds between exported summaries.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    export_interval: f64,
    /// Keep the subscriber state here across restarts: loaded at start (a file that is
    /// corrupt, of another version or of another policy is refused with one line, and the
    /// probe starts empty), written atomically every `state_snapshot_s`, on SIGTERM and at the
    /// end
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct CorrelateArgs {
    /// The NATS server the probes export to.
    #[arg(long, value_name = "nats://HOST:PORT")]
    nats: String,
    /// The probes' policy file (rule ids and operator names are resolved through it).
    #[arg(long, value_name = "CFG")]
    config: PathBuf,
    /// Write the joint report (JSON) here, atomically.
    #[arg(long, value_name = "R.json")]
    report: Option<PathBuf>,
    /// Write it as an HTML page here.
    #[arg(long, value_name = "R.html")]
    html: Option<PathBuf>,
    /// Only this site (repeatable; default: every site in the stream).
    #[arg(long = "site", value_name = "NAME")]
    sites: Vec<String>,
    /// Keep reading what the probes publish, rewriting the report every SECONDS, until
    /// SIGINT/SIGTERM (default: read what the stream holds now, report, exit).
    #[arg(long, value_name = "SECONDS")]
    follow: Option<f64>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct ReplayArgs {
    /// Capture files, merged in capture-time order.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    out: Outputs,
    /// Pace at this many frames per second (frames a busy worker cannot take are dropped and
    /// counted).
    #[arg(long, value_name = "N", conflicts_with_all = ["mbps", "speed"])]
    pps: Option<f64>,
    /// Pace at this many megabits per second.
    #[arg(long, value_name = "N", conflicts_with = "speed")]
    mbps: Option<f64>,
    /// Pace at the capture's own timing, this many times faster.
    #[arg(long, value_name = "X")]
    speed: Option<f64>,
    /// Play the files this many times, shifting capture time forward each time.
    #[arg(long = "loop", value_name = "N", default_value_t = 1)]
    loops: u32,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    out: Outputs,
    /// DPDK EAL arguments, e.g. "-l 0-3 -a 0000:3b:00.0" or, without a NIC,
    /// "--no-huge --no-pci --vdev net_pcap0,rx_pcap=f.pcap".
    #[arg(
        long,
        value_name = "EAL ARGS",
        default_value = "",
        allow_hyphen_values = true
    )]
    dpdk: String,
    /// A port to capture from (repeatable; default: every port DPDK probed).
    #[arg(long = "port", value_name = "P")]
    ports: Vec<u16>,
    /// Stop after this many seconds without a frame (tests, bounded captures).
    #[arg(long, value_name = "SECONDS")]
    until_idle: Option<f64>,
    /// Mbufs in each NUMA socket's pool (default: twice the RX descriptors; net_pcap's
    /// infinite_rx needs one per packet of its file).
    #[arg(long, value_name = "N")]
    mbufs: Option<usize>,
}

/// A failure and its exit status.
#[derive(Debug)]
enum Failure {
    /// 1: something failed at run time.
    Runtime(anyhow::Error),
    /// 2: the configuration is wrong.
    Config(String),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Runtime(e)
    }
}

impl From<PolicyError> for Failure {
    fn from(e: PolicyError) -> Self {
        Failure::Config(e.to_string())
    }
}

/// The version line: the crate's, and the DPDK it was built against when it has DPDK.
fn version() -> &'static str {
    #[cfg(feature = "dpdk")]
    let v = format!(
        "{} ({})",
        env!("CARGO_PKG_VERSION"),
        crate::source::dpdk::version()
    );
    #[cfg(not(feature = "dpdk"))]
    let v = format!("{} (without DPDK)", env!("CARGO_PKG_VERSION"));
    // Once per process, for clap's 'static string.
    Box::leak(v.into_boxed_str())
}

/// The command line as clap defines it: every subcommand and flag (the documentation's
/// tests walk it).
pub fn command() -> clap::Command {
    Cli::command().version(version())
}

/// Parse the command line, run the command, and turn its result into an exit status.
pub fn main() -> ExitCode {
    // A panic is a bug: one line, no backtrace, exit 1.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("sigwatch: internal error: {info}");
    }));
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Runtime(e)) => {
            eprintln!("sigwatch: {e:#}");
            ExitCode::from(1)
        }
        Err(Failure::Config(e)) => {
            eprintln!("sigwatch: {e}");
            ExitCode::from(2)
        }
    }
}

fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(sig, stop.clone());
    }
    stop
}

fn options(out: &Outputs) -> Result<Options, Failure> {
    let workers = out.workers.unwrap_or_else(default_workers);
    if workers == 0 || workers > 1024 {
        return Err(Failure::Config(format!(
            "--workers {workers}: give 1 to 1024"
        )));
    }
    let export = match &out.export {
        Some(url) => {
            let site = out
                .site
                .clone()
                .unwrap_or_else(crate::sink::export::default_site);
            if !crate::sink::export::valid_site(&site) {
                return Err(Failure::Config(format!(
                    "--site {site:?}: use letters, digits, '-' and '_'"
                )));
            }
            if !(out.export_interval.is_finite() && out.export_interval > 0.0) {
                return Err(Failure::Config(
                    "--export-interval takes a positive number of seconds".into(),
                ));
            }
            Some(ExportConfig {
                url: url.clone(),
                site,
                interval: Duration::from_secs_f64(out.export_interval),
                drain: Duration::from_secs(5),
                run: crate::sink::export::run_id(),
            })
        }
        None => None,
    };
    Ok(Options {
        export,
        state_dir: out.state_dir.clone(),
        workers,
        alerts: out.alerts.clone(),
        report: out.report.clone(),
        html: out.html.clone(),
        pin: !out.no_pin,
        progress: !out.quiet && io::stderr().is_terminal(),
        metrics: out.metrics,
        quiet: out.quiet,
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Decode { file } => {
            let stdout = io::stdout().lock();
            match decode::decode_file(&file, &mut BufWriter::with_capacity(1 << 16, stdout)) {
                // The reader went away (`sigwatch decode f.pcap | head`): stop quietly, as
                // Unix filters do.
                Err(e) if is_broken_pipe(&e) => Ok(()),
                r => r.map(drop).map_err(Failure::from),
            }
        }
        Command::CheckConfig { file } => {
            let policy = Policy::load(&file)?;
            print!("{}", describe(&policy));
            Ok(())
        }
        Command::Replay(a) => {
            let engine = Engine::load(&a.out.config)?;
            let opts = options(&a.out)?;
            if a.loops > 1 {
                if let Some(p) = a.files.iter().find(|p| crate::source::pcap::is_stream(p)) {
                    return Err(Failure::Config(format!(
                        "{}: --loop needs a capture file; a pipe can be read only once",
                        p.display()
                    )));
                }
            }
            let pacing = match (a.pps, a.mbps, a.speed) {
                (Some(p), _, _) if p > 0.0 => Pacing::Pps(p),
                (_, Some(m), _) if m > 0.0 => Pacing::Mbps(m),
                (_, _, Some(x)) if x > 0.0 => Pacing::Speed(x),
                (None, None, None) => Pacing::Lossless,
                _ => {
                    return Err(Failure::Config(
                        "--pps, --mbps and --speed take a positive number".into(),
                    ))
                }
            };
            let report = pipeline::replay(&engine, a.files, pacing, a.loops, &opts, stop_flag())?;
            if !a.out.quiet {
                let mut err = io::stderr().lock();
                let _ = err.write_all(summary(&report).as_bytes());
            }
            Ok(())
        }
        Command::Run(a) => live(a),
        Command::Correlate(a) => {
            let engine = Engine::load(&a.config)?;
            let follow = match a.follow {
                Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s)),
                Some(_) => return Err(Failure::Config("--follow takes a positive number".into())),
                None => None,
            };
            let report = crate::correlate::correlate(
                &engine,
                crate::correlate::CorrelateOptions {
                    url: a.nats,
                    sites: a.sites,
                    report: a.report,
                    html: a.html,
                    follow,
                },
                stop_flag(),
            )?;
            if !a.quiet {
                let _ = io::stderr().lock().write_all(summary(&report).as_bytes());
            }
            Ok(())
        }
        Command::Demo(a) => demo(a),
    }
}

#[cfg(feature = "demo")]
fn demo(a: DemoArgs) -> Result<(), Failure> {
    crate::demo::run(a.workers, a.alerts, a.report, a.html).map_err(Failure::Runtime)
}

#[cfg(not(feature = "demo"))]
fn demo(_: DemoArgs) -> Result<(), Failure> {
    Err(Failure::Config(
        "sigwatch demo: this sigwatch was built without the demo (feature `demo`, on by \
         default)"
            .into(),
    ))
}

#[cfg(feature = "dpdk")]
fn live(a: RunArgs) -> Result<(), Failure> {
    let engine = Engine::load(&a.out.config)?;
    let opts = options(&a.out)?;
    let until_idle = match a.until_idle {
        Some(s) if s.is_finite() && s > 0.0 => Some(std::time::Duration::from_secs_f64(s)),
        Some(_) => {
            return Err(Failure::Config(
                "--until-idle takes a positive number".into(),
            ))
        }
        None => None,
    };
    let report = pipeline::live(
        &engine,
        &a.dpdk,
        &a.ports,
        a.mbufs,
        until_idle,
        &opts,
        stop_flag(),
    )?;
    if !a.out.quiet {
        let _ = io::stderr().lock().write_all(summary(&report).as_bytes());
    }
    Ok(())
}

#[cfg(not(feature = "dpdk"))]
fn live(_: RunArgs) -> Result<(), Failure> {
    Err(Failure::Config(
        "sigwatch run: this sigwatch was built without DPDK; install libdpdk-dev, pkg-config \
         and libclang-dev, then build with `cargo build --release -p probe --features dpdk`"
            .into(),
    ))
}

/// What `check-config` prints.
pub(crate) fn describe(p: &Policy) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let h = &p.home;
    let _ = writeln!(s, "{}: valid", p.file);
    let _ = writeln!(s, "home: {} ({})", h.name, h.country);
    let list = |v: Vec<String>| {
        if v.is_empty() {
            "-".to_owned()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        s,
        "  plmn: {}",
        list(h.plmns.iter().map(ToString::to_string).collect())
    );
    let _ = writeln!(s, "  gt_prefixes: {}", list(h.gt_prefixes.clone()));
    let _ = writeln!(s, "  realms: {}", list(h.realms.clone()));
    let _ = writeln!(s, "partners: {}", p.partners.len());
    for x in &p.partners {
        let _ = writeln!(
            s,
            "  {} ({}): plmn {}, {} GT prefixes, {} realms",
            x.name,
            x.country,
            list(x.plmns.iter().map(ToString::to_string).collect()),
            x.gt_prefixes.len(),
            x.realms.len()
        );
    }
    let t = &p.thresholds;
    let _ = writeln!(
        s,
        "policy: max_travel_kmh {}, sri_sm_followup_s {}, campaign_window_s {}, campaign_min_sources {}",
        t.max_travel_kmh, t.sri_sm_followup_s, t.campaign_window_s, t.campaign_min_sources
    );
    let c = &p.categories;
    let _ = writeln!(
        s,
        "categories: MAP cat1 {} ops, cat2 {}, cat3 {}; Diameter cat1 {} commands + {} applications, cat2 {}, cat3 {}",
        c.map_cat1.len(),
        c.map_cat2.len(),
        c.map_cat3.len(),
        c.diameter_cat1_commands.len(),
        c.diameter_cat1_applications.len(),
        c.diameter_cat2_commands.len(),
        c.diameter_cat3_commands.len()
    );
    let _ = writeln!(s, "rules: {}", p.rules.len());
    for r in &p.rules {
        let _ = writeln!(s, "  {} ({}, {})", r.id, r.action.name(), r.severity.name());
    }
    s
}
