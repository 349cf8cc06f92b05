//! `sigwatch demo`: the published story, generated in memory by siggen (`--scenario
//! campaigns`), run through the whole pipeline, summarised.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{Context, Result};
use rules::engine::Engine;
use rules::policy::Policy;

use crate::pipeline::{self, default_workers, Options};
use crate::sink::summary::summary;
use crate::source::pcap::Pacing;

/// Generate the campaigns scenario, replay it, print the summary.
pub(crate) fn run(
    workers: Option<usize>,
    alerts: Option<PathBuf>,
    report: Option<PathBuf>,
    html: Option<PathBuf>,
) -> Result<()> {
    eprintln!(
        "sigwatch demo: eight weeks on HomeCo US's interconnect: China Unicom tracks tens of \
         thousands of subscribers, and hits some of them together with Flow Barbados and BTC \
         Bahamas (siggen --scenario campaigns, seed 1)"
    );
    let cap = siggen::scenario::campaigns(1, 1);
    let dir = std::env::temp_dir().join(format!("sigwatch-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let pcap = dir.join("demo.pcap");
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(&pcap)
            .with_context(|| format!("{}: cannot create", pcap.display()))?,
    );
    cap.write_pcap(&mut f)?;
    drop(f);
    let policy = Policy::parse("demo policy (generated)", &cap.policy)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let engine = Engine::new(policy);
    let opts = Options {
        workers: workers.unwrap_or_else(default_workers),
        alerts,
        report,
        html,
        pin: true,
        progress: false,
        metrics: None,
        quiet: false,
        export: None,
        state_dir: None,
    };
    eprintln!(
        "{} frames, {} signalling messages; running {} worker{}\n",
        cap.frames.len(),
        cap.truth.len(),
        opts.workers,
        if opts.workers == 1 { "" } else { "s" }
    );
    let result = pipeline::replay(
        &engine,
        vec![pcap.clone()],
        Pacing::Lossless,
        1,
        &opts,
        Arc::new(AtomicBool::new(false)),
    );
    let _ = std::fs::remove_file(&pcap);
    let _ = std::fs::remove_dir(&dir);
    let report = result?;
    print!("{}", summary(&report));
    Ok(())
}
