//! The pipeline, wired: a source, N pinned workers with their shards, one collector, and the
//! sinks. Replay and live capture share everything but the source.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rules::engine::Engine;

use crate::collector::{Collector, SourceCounts};
use crate::sink::export::{ExportConfig, Exporter};
use crate::sink::report::{CaptureInfo, Report, RunInfo};
use crate::source::pcap::{channels, check_files, Pacing, Progress, ReplayOptions, Replayer};
use crate::source::FrameInput;
use crate::worker::{shard_rings, Core, ToCollector, Wiring};

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct Options {
    /// Workers (each owns one shard).
    pub workers: usize,
    /// Where to write alert lines.
    pub alerts: Option<PathBuf>,
    /// Where to write the report.
    pub report: Option<PathBuf>,
    /// Where to write the HTML report.
    pub html: Option<PathBuf>,
    /// Pin workers to cores.
    pub pin: bool,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Serve Prometheus metrics here.
    pub metrics: Option<std::net::SocketAddr>,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Publish alerts and summaries to NATS JetStream.
    pub export: Option<ExportConfig>,
    /// Keep the subscriber state here across restarts.
    pub state_dir: Option<PathBuf>,
}

/// The default number of workers: cores − 1, at least 1.
pub(crate) fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().saturating_sub(1).max(1))
}

/// The cores the process may run on, as first asked. Ask before the DPDK EAL starts: it pins
/// the main thread to its main lcore, every thread spawned later inherits that one core, and
/// a thread's own affinity is all `core_affinity` sees.
pub(crate) fn cores() -> &'static [core_affinity::CoreId] {
    static CORES: std::sync::OnceLock<Vec<core_affinity::CoreId>> = std::sync::OnceLock::new();
    CORES.get_or_init(|| core_affinity::get_core_ids().unwrap_or_default())
}

/// Pin the calling thread to core `k` (modulo the cores there are) of [`cores`].
pub(crate) fn pin(k: usize) {
    let ids = cores();
    if !ids.is_empty() {
        core_affinity::set_for_current(ids[k % ids.len()]);
    }
}

/// Everything a run leaves: its report (also written where asked).
#[derive(Debug)]
pub struct Outcome {
    /// The report.
    pub report: Report,
}

/// What a source thread hands back when it is done.
#[derive(Debug, Default)]
pub(crate) struct SourceEnd {
    /// Counts for the report.
    pub(crate) counts: SourceCounts,
}

/// Run workers and the collector around any set of worker inputs; `source` runs on a thread
/// of its own (for replay) and returns what it counted.
pub(crate) fn run<I, S>(
    engine: &Engine,
    inputs: Vec<I>,
    source: S,
    opts: &Options,
    progress: Option<Arc<Progress>>,
) -> Result<Report>
where
    I: FrameInput,
    S: FnOnce() -> Result<SourceEnd> + Send,
{
    let n = inputs.len();
    if n == 0 {
        bail!("no workers");
    }
    let alerts_out: Option<Box<dyn Write + Send>> = match &opts.alerts {
        Some(p) => Some(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(p).with_context(|| format!("{}: cannot create", p.display()))?,
        ))),
        None => None,
    };
    let exposition = match opts.metrics {
        Some(addr) => {
            let e = crate::sink::metrics::Exposition::default();
            let bound = crate::sink::metrics::serve(addr, e.clone())?;
            if !opts.quiet {
                eprintln!("sigwatch: metrics on http://{bound}/metrics");
            }
            Some(e)
        }
        None => None,
    };
    let (to, from) = shard_rings(n);
    let (tx, rx) = crossbeam_channel::bounded::<ToCollector>(1024);
    let (spare_tx, spare_rx) = crossbeam_channel::bounded(4096);
    let alert_counter = Arc::new(AtomicU64::new(0));
    let mut collector = Collector::new(engine, n, alerts_out, alert_counter.clone(), spare_tx);
    if let Some(cfg) = &opts.export {
        collector.set_exporter(Exporter::start(cfg.clone())?);
    }
    let mut state = opts
        .state_dir
        .as_deref()
        .map(|d| crate::state::Snapshots::open(engine, d, n, opts.quiet))
        .transpose()?;
    let mut loaded = state.as_mut().map(crate::state::Snapshots::take_loaded);
    let started = Instant::now();
    let decoder_cfg = engine.policy.decoder_config();
    let finished = AtomicBool::new(false);
    let failures: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

    let source_end = std::thread::scope(|scope| -> Result<SourceEnd> {
        let mut handles = Vec::new();
        for (id, ((mut input, to), from)) in inputs.into_iter().zip(to).zip(from).enumerate() {
            let wiring = Wiring {
                to,
                from,
                collector: tx.clone(),
                spare: spare_rx.clone(),
            };
            let cfg = &decoder_cfg;
            let failures = &failures;
            let pin_it = opts.pin;
            let keep_state = state.is_some();
            let records = loaded.as_mut().map(|l| std::mem::take(&mut l[id]));
            let tx_err = tx.clone();
            handles.push(
                std::thread::Builder::new()
                    .name(format!("sigwatch-w{id}"))
                    .spawn_scoped(scope, move || {
                        if pin_it {
                            pin(id + 1);
                        }
                        let mut core = Core::new(id, engine, cfg, wiring);
                        if keep_state {
                            core.keep_state(records.unwrap_or_default());
                        }
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            core.run(&mut input)
                        }));
                        if let Err(e) = r {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                                .unwrap_or_else(|| "panic".into());
                            if let Ok(mut f) = failures.lock() {
                                f.push(format!("worker {id}: {msg}"));
                            }
                            let _ = tx_err.send(ToCollector::Done(id));
                        }
                    })
                    .context("starting a worker")?,
            );
        }
        drop(tx);
        let src = std::thread::Builder::new()
            .name("sigwatch-src".into())
            .spawn_scoped(scope, source)
            .context("starting the source")?;
        let bar = progress.map(|p| {
            let counter = alert_counter.clone();
            let finished = &finished;
            scope.spawn(move || progress_bar(&p, &counter, finished))
        });
        let mut rendered = Instant::now();
        let mut last_frames: Vec<u64> = Vec::new();
        while !collector.finished() {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(ToCollector::State(w, records)) => {
                    if let Some(s) = state.as_mut() {
                        if let Err(e) = s.put(w, records) {
                            eprintln!("sigwatch: {e:#}");
                        }
                    }
                }
                Ok(m) => collector.handle(m),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            }
            if let Some(e) = &exposition {
                let dt = rendered.elapsed();
                if dt >= Duration::from_secs(1) {
                    let report = running_report(&collector, n, started);
                    let rates = report
                        .run
                        .frames_by_worker
                        .iter()
                        .zip(last_frames.iter().chain(std::iter::repeat(&0)))
                        .map(|(now, before)| now.saturating_sub(*before) as f64 / dt.as_secs_f64())
                        .collect();
                    let live = live_view(&collector, rx.len(), rx.capacity(), rates);
                    e.set(crate::sink::metrics::render(&report, Some(&live)));
                    last_frames.clone_from(&report.run.frames_by_worker);
                    rendered = Instant::now();
                }
            }
            let summary_due = collector.exporter_mut().map(|x| {
                x.tick();
                x.summary_due()
            });
            if summary_due == Some(true) {
                let json = summary_json(opts, &running_report(&collector, n, started), false);
                if let Some(x) = collector.exporter_mut() {
                    x.summary(json);
                }
            }
        }
        finished.store(true, Ordering::Relaxed);
        for h in handles {
            let _ = h.join();
        }
        if let Some(b) = bar {
            let _ = b.join();
        }
        match src.join() {
            Ok(r) => r,
            Err(_) => bail!("the source failed"),
        }
    })?;
    collector.flush()?;
    if let Ok(f) = failures.lock() {
        if !f.is_empty() {
            bail!("{}", f.join("; "));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let frames = source_end.counts.frames;
    let mut report = collector.report(
        source_end.counts,
        RunInfo {
            workers: n,
            seconds,
            frames_per_s: if seconds > 0.0 {
                frames as f64 / seconds
            } else {
                0.0
            },
            frames_by_worker: Vec::new(),
            peak_rss_kb: None,
            sites: Vec::new(),
        },
    );
    if let Some(s) = &state {
        let c = s.counts;
        let group = report.counters.entry("snapshot".to_owned()).or_default();
        for (name, v) in [
            ("subscribers_loaded", c.loaded),
            ("subscribers_expired", c.expired),
            ("refused", c.refused),
            ("written", c.written),
            ("subscribers_written", c.subscribers_written),
            ("bytes_written", c.bytes_written),
        ] {
            group.insert(name.to_owned(), v);
        }
    }
    if let Some(x) = collector.exporter_mut() {
        x.summary(summary_json(opts, &report, true));
        x.finish();
        let group = report.counters.entry("export".to_owned()).or_default();
        for (name, v) in x.stats().named() {
            group.insert(name.to_owned(), v);
        }
    }
    if let Some(p) = &opts.report {
        report.write(p)?;
    }
    if let Some(p) = &opts.html {
        let page = crate::sink::html::render(&report, "sigwatch report");
        crate::sink::report::write_atomic(p, page.as_bytes())?;
    }
    if let Some(e) = &exposition {
        // The run is over: each worker's rate is its average over the run.
        let rates = report
            .run
            .frames_by_worker
            .iter()
            .map(|f| *f as f64 / seconds.max(1e-9))
            .collect();
        let live = live_view(&collector, 0, Some(1), rates);
        e.set(crate::sink::metrics::render(&report, Some(&live)));
    }
    Ok(report)
}

/// What metrics show beside the report: worker rates, queue fill, the latency histogram.
fn live_view(
    collector: &Collector<'_>,
    collector_queue: usize,
    collector_capacity: Option<usize>,
    worker_rates: Vec<f64>,
) -> crate::sink::metrics::Live {
    let ratio = |(n, cap): (usize, usize)| n as f64 / cap.max(1) as f64;
    let mut rings = Vec::new();
    for (w, b) in collector.backlogs().into_iter().enumerate() {
        if let Some(b) = b {
            if let Some(i) = b.input {
                rings.push(("input", Some(w), ratio(i)));
            }
            rings.push(("shard", Some(w), ratio(b.shard)));
        }
    }
    rings.push((
        "collector",
        None,
        ratio((collector_queue, collector_capacity.unwrap_or(1))),
    ));
    crate::sink::metrics::Live {
        worker_rates,
        rings,
        latency: collector.latency_buckets(&crate::sink::metrics::LATENCY_BOUNDS_US),
    }
}

/// A summary for the export: `{"site":…,"run":…,"final":…,"ts":…,"report":{…}}`.
fn summary_json(opts: &Options, report: &Report, last: bool) -> Vec<u8> {
    let (site, run) = opts
        .export
        .as_ref()
        .map_or(("", ""), |c| (c.site.as_str(), c.run.as_str()));
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    serde_json::to_vec(&serde_json::json!({
        "site": site,
        "run": run,
        "final": last,
        "ts": ts,
        "report": report,
    }))
    .unwrap_or_default()
}

/// The report so far, for metrics and summaries: frames are those the workers have decoded (drops are
/// known at the end).
fn running_report(collector: &Collector<'_>, workers: usize, started: Instant) -> Report {
    let frames = collector.counters().frames;
    let seconds = started.elapsed().as_secs_f64();
    collector.report(
        SourceCounts {
            frames,
            ..SourceCounts::default()
        },
        RunInfo {
            workers,
            seconds,
            frames_per_s: frames as f64 / seconds.max(1e-9),
            frames_by_worker: Vec::new(),
            peak_rss_kb: None,
            sites: Vec::new(),
        },
    )
}

fn progress_bar(p: &Progress, alerts: &AtomicU64, finished: &AtomicBool) {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let started = Instant::now();
    while !finished.load(Ordering::Relaxed) {
        let frames = p.frames.load(Ordering::Relaxed);
        let rate = frames as f64 / started.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{frames} frames  {rate:.0} frames/s  {} alerts  {} dropped",
            alerts.load(Ordering::Relaxed),
            p.dropped.load(Ordering::Relaxed)
        ));
        bar.tick();
        std::thread::sleep(Duration::from_millis(200));
    }
    bar.finish_and_clear();
}

/// Replay capture files through the pipeline.
pub(crate) fn replay(
    engine: &Engine,
    files: Vec<PathBuf>,
    pacing: Pacing,
    loops: u32,
    opts: &Options,
    stop: Arc<AtomicBool>,
) -> Result<Report> {
    check_files(&files, loops)?;
    let (feed, inputs) = channels(opts.workers.max(1));
    let progress = Arc::new(Progress::default());
    let names = files.iter().map(|f| f.display().to_string()).collect();
    let replayer = Replayer::new(
        ReplayOptions {
            files,
            pacing,
            loops,
        },
        feed,
        progress.clone(),
    );
    let source = move || -> Result<SourceEnd> {
        let stats = replayer.run(&stop)?;
        let mut dropped = std::collections::BTreeMap::new();
        if stats.dropped_worker_busy > 0 {
            dropped.insert("worker_busy".to_owned(), stats.dropped_worker_busy);
        }
        Ok(SourceEnd {
            counts: SourceCounts {
                frames: stats.frames,
                dropped_by_cause: dropped,
                capture: Some(CaptureInfo {
                    files: names,
                    truncated_records: stats.truncated_records,
                    errors: stats.capture_errors,
                }),
            },
        })
    };
    run(
        engine,
        inputs,
        source,
        opts,
        opts.progress.then_some(progress),
    )
}

/// Capture live from DPDK ports (feature `dpdk`) until `stop` is raised or, with
/// `until_idle`, no frame has come for that long.
#[cfg(feature = "dpdk")]
pub(crate) fn live(
    engine: &Engine,
    eal_args: &str,
    ports: &[u16],
    mbufs: Option<usize>,
    until_idle: Option<Duration>,
    opts: &Options,
    stop: Arc<AtomicBool>,
) -> Result<Report> {
    live_fed(
        engine,
        eal_args,
        ports,
        mbufs,
        until_idle,
        opts,
        stop,
        &|_| Ok(()),
    )
}

/// [`live`], with `feed` run on the source thread once the ports have started and the
/// workers poll them: benchmarks and tests put frames into `net_ring` devices there
/// ([`crate::source::dpdk::RingFeeder`]). Waiting for `stop` or idleness begins when it returns.
#[cfg(feature = "dpdk")]
#[allow(clippy::too_many_arguments)]
pub fn live_fed(
    engine: &Engine,
    eal_args: &str,
    ports: &[u16],
    mbufs: Option<usize>,
    until_idle: Option<Duration>,
    opts: &Options,
    stop: Arc<AtomicBool>,
    feed: &(dyn Fn(&crate::source::dpdk::Ports<'_>) -> Result<()> + Sync),
) -> Result<Report> {
    use crate::source::dpdk::{wait_and_stop, Eal, Ports, Shared};
    // The cores to pin workers to, before the EAL narrows this thread to its main lcore.
    cores();
    let eal = Eal::init(eal_args)?;
    let ports = Ports::start(&eal, ports, opts.workers.max(1), mbufs)?;
    let shared = Arc::new(Shared::default());
    let inputs = ports.inputs(opts.workers.max(1), &shared);
    let workers = inputs.len();
    let source = || -> Result<SourceEnd> {
        let fed = feed(&ports);
        if fed.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        wait_and_stop(&shared, workers, &stop, until_idle);
        fed?;
        let c = ports.counters();
        let received = shared.frames.load(Ordering::Acquire);
        let mut dropped = std::collections::BTreeMap::new();
        for (cause, n) in [
            ("nic_missed", c.missed),
            ("nic_errors", c.errors),
            ("no_mbuf", c.no_mbuf),
        ] {
            if n > 0 {
                dropped.insert(cause.to_owned(), n);
            }
        }
        Ok(SourceEnd {
            counts: SourceCounts {
                frames: received + c.missed + c.errors + c.no_mbuf,
                dropped_by_cause: dropped,
                capture: None,
            },
        })
    };
    let report = run(engine, inputs, source, opts, None);
    drop(ports);
    drop(eal);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread spawned by a thread narrowed to one core (as the EAL narrows the main thread)
    /// is still pinned where it is asked to be, not to the only core it inherited.
    #[test]
    fn pin_reaches_cores_the_spawning_thread_was_narrowed_away_from() {
        let all = cores().to_vec();
        if all.len() < 2 {
            eprintln!("one core: nothing to show");
            return;
        }
        let seen = std::thread::spawn(move || {
            core_affinity::set_for_current(all[0]);
            std::thread::spawn(|| {
                pin(1);
                core_affinity::get_core_ids()
            })
            .join()
        })
        .join();
        let seen = seen.ok().and_then(Result::ok).flatten();
        assert_eq!(seen, Some(vec![cores()[1]]));
    }
}
