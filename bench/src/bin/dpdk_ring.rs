//! The live path's frames/s per worker without a NIC: siggen load traffic, with fresh SCTP
//! TSNs and checksums for every frame, put into the RX rings of a DPDK `net_ring` device by a
//! feeder thread ([`probe::source::dpdk::RingFeeder`]) while `sigwatch`'s workers take it out
//! with `rte_eth_rx_burst`, decode and judge it straight from the mbufs, and free them in bulk:
//! the same code as on a NIC, less the NIC.
//!
//! `cargo build --release -p bench --features dpdk && target/release/dpdk_ring --frames 10000000`
//!
//! The figure is the worker's only while the feeder keeps ahead of it: `feeder_waits` (times
//! a ring was full) well above zero says it did; near zero, the feeder was the bottleneck and
//! the figure a lower bound.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use clap::Parser;
use probe::pipeline::{live_fed, Options};
use probe::source::dpdk::RingFeeder;
use rules::engine::Engine;

#[derive(Debug, Parser)]
#[command(about = "sigwatch's live path (DPDK net_ring) in frames/s per worker")]
struct Cli {
    /// Frames of siggen load traffic to feed.
    #[arg(long, default_value_t = 5_000_000)]
    frames: u64,
    /// Workers (RX queues of the ring device).
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// EAL memory, MB (no hugepages).
    #[arg(long, default_value_t = 512)]
    memory_mb: usize,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let engine = Engine::new(bench::load_policy()?);
    let eal = format!(
        "--no-huge --no-pci -m {} --file-prefix sigwatch-ring-{} --vdev net_ring0 --log-level=lib.eal:error",
        cli.memory_mb,
        std::process::id()
    );
    let opts = Options {
        workers: cli.workers,
        alerts: None,
        report: None,
        html: None,
        pin: true,
        progress: false,
        metrics: None,
        quiet: true,
        export: None,
        state_dir: None,
    };
    let fed = AtomicU64::new(0);
    let waits = AtomicU64::new(0);
    let feed_time = Mutex::new(Duration::ZERO);
    let feed = |ports: &probe::source::dpdk::Ports<'_>| -> Result<()> {
        let port = ports.ports().first().map_or(0, |p| p.id);
        let mut feeder = RingFeeder::new(ports, port, 16_383)?;
        let mut load = siggen::load::Load::new(1, 1_000);
        let mut buf = Vec::with_capacity(512);
        let start = Instant::now();
        for _ in 0..cli.frames {
            load.next_frame(&mut buf);
            feeder.push(&buf);
        }
        feeder.flush();
        *feed_time.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = start.elapsed();
        fed.store(cli.frames, Ordering::Relaxed);
        waits.store(feeder.waits, Ordering::Relaxed);
        Ok(())
    };
    let report = live_fed(
        &engine,
        &eal,
        &[],
        None,
        Some(Duration::from_millis(300)),
        &opts,
        Arc::new(AtomicBool::new(false)),
        &feed,
    )?;
    let fed = fed.load(Ordering::Relaxed);
    let t = report.totals.clone();
    ensure!(
        t.frames == fed && t.dropped == 0,
        "fed {fed} frames, the report counts {} ({} dropped)",
        t.frames,
        t.dropped
    );
    let secs = feed_time
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .as_secs_f64();
    let fps = fed as f64 / secs;
    println!(
        "{}",
        serde_json::json!({
            "frames": fed,
            "workers": cli.workers,
            "seconds": secs,
            "frames_per_second": fps.round(),
            "frames_per_second_per_worker": (fps / cli.workers as f64).round(),
            "feeder_waits": waits.load(Ordering::Relaxed),
            "signaling_frames": t.signaling_frames,
            "malformed": t.malformed,
            "alerts": t.alerts,
        })
    );
    Ok(())
}
