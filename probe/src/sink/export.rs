//! Export to NATS JetStream (`--export nats://HOST:PORT`): alert lines and periodic summaries on
//! `sigwatch.<site>.alerts` and `sigwatch.<site>.summary`, in the stream `SIGWATCH`, for
//! `sigwatch correlate` to read back from many probes.
//!
//! The collector never waits for the network: it appends alert lines to a batch and hands full
//! batches to the export thread through a bounded queue with `try_send`. A slow or absent server
//! fills that queue, and what does not fit is dropped and counted, as are batches the server
//! never acknowledged. The export thread runs its own single-threaded tokio runtime.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use async_nats::jetstream;
use tokio::sync::mpsc;

/// The JetStream stream every probe publishes into.
pub(crate) const STREAM: &str = "SIGWATCH";
/// Its subjects.
pub(crate) const SUBJECTS: &str = "sigwatch.>";
/// A batch of alert lines is sent when it reaches this size.
const BATCH_BYTES: usize = 64 * 1024;
/// Batches and summaries waiting for the server, at most.
const QUEUE: usize = 256;
/// Publishes awaiting the server's acknowledgement, at most.
const IN_FLIGHT: usize = 64;
/// How long a publish or a stream request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Where and as whom to export.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// `nats://HOST:PORT` (or `HOST:PORT`).
    pub url: String,
    /// The site's name: letters, digits, `-` and `_`.
    pub site: String,
    /// Seconds between summaries.
    pub interval: Duration,
    /// How long to wait for the server at shutdown before counting the rest as dropped.
    pub drain: Duration,
    /// This run's identity (summaries are cumulative per run; `correlate` keeps each run's
    /// latest): see [`run_id`].
    pub run: String,
}

/// A name for this run: its start time and process id.
pub(crate) fn run_id() -> String {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{ns:x}-{}", std::process::id())
}

/// Check a site name: it becomes one token of a NATS subject.
pub(crate) fn valid_site(site: &str) -> bool {
    !site.is_empty()
        && site.len() <= 64
        && site
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The site name to use when none is given: the host name, with other characters as `_`.
pub(crate) fn default_site() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let s: String = host
        .trim()
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "probe".to_owned()
    } else {
        s
    }
}

/// What the export did, for the report's `counters.export`.
#[derive(Debug, Default)]
pub(crate) struct ExportStats {
    /// Alert lines the server acknowledged.
    pub(crate) alerts_published: AtomicU64,
    /// Alert lines dropped: queue full, not acknowledged, or still unsent at shutdown.
    pub(crate) alerts_dropped: AtomicU64,
    /// Summaries the server acknowledged.
    pub(crate) summaries_published: AtomicU64,
    /// Summaries dropped.
    pub(crate) summaries_dropped: AtomicU64,
    /// Publishes or stream requests that failed (timeouts, no server, no stream).
    pub(crate) errors: AtomicU64,
}

impl ExportStats {
    /// `(name, value)` pairs for the report.
    pub(crate) fn named(&self) -> [(&'static str, u64); 5] {
        [
            (
                "alerts_published",
                self.alerts_published.load(Ordering::Relaxed),
            ),
            (
                "alerts_dropped",
                self.alerts_dropped.load(Ordering::Relaxed),
            ),
            (
                "summaries_published",
                self.summaries_published.load(Ordering::Relaxed),
            ),
            (
                "summaries_dropped",
                self.summaries_dropped.load(Ordering::Relaxed),
            ),
            ("errors", self.errors.load(Ordering::Relaxed)),
        ]
    }
}

/// What the export thread is handed: a batch of alert lines or one summary.
#[derive(Debug)]
struct Item {
    kind: Kind,
    /// Alert lines in `bytes` (0 for a summary).
    lines: u64,
    bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Alerts,
    Summary,
}

impl ExportStats {
    fn dropped(&self, kind: Kind, lines: u64) {
        match kind {
            Kind::Alerts => self.alerts_dropped.fetch_add(lines, Ordering::Relaxed),
            Kind::Summary => self.summaries_dropped.fetch_add(1, Ordering::Relaxed),
        };
    }

    fn published(&self, kind: Kind, lines: u64) {
        match kind {
            Kind::Alerts => self.alerts_published.fetch_add(lines, Ordering::Relaxed),
            Kind::Summary => self.summaries_published.fetch_add(1, Ordering::Relaxed),
        };
    }
}

/// What the export thread has taken and not yet settled (published or dropped); shared so that
/// a shutdown that cannot wait for the server can count it as dropped.
#[derive(Debug, Default)]
struct Unsettled {
    /// Alert lines and summaries queued or in flight.
    counts: std::sync::Mutex<(u64, u64)>,
    /// Set at shutdown: the thread counts nothing more.
    closed: std::sync::atomic::AtomicBool,
}

impl Unsettled {
    fn add(&self, kind: Kind, lines: u64) {
        if let Ok(mut c) = self.counts.lock() {
            match kind {
                Kind::Alerts => c.0 += lines,
                Kind::Summary => c.1 += 1,
            }
        }
    }

    /// Settle one item: count it unless shutdown already counted it.
    fn settle(&self, stats: &ExportStats, kind: Kind, lines: u64, ok: bool) {
        let Ok(mut c) = self.counts.lock() else {
            return;
        };
        if self.closed.load(Ordering::Relaxed) {
            return;
        }
        match kind {
            Kind::Alerts => c.0 = c.0.saturating_sub(lines),
            Kind::Summary => c.1 = c.1.saturating_sub(1),
        }
        if ok {
            stats.published(kind, lines);
        } else {
            stats.dropped(kind, lines);
        }
    }

    /// Count everything unsettled as dropped and stop counting.
    fn close(&self, stats: &ExportStats) {
        if let Ok(mut c) = self.counts.lock() {
            self.closed.store(true, Ordering::Relaxed);
            stats.alerts_dropped.fetch_add(c.0, Ordering::Relaxed);
            stats.summaries_dropped.fetch_add(c.1, Ordering::Relaxed);
            *c = (0, 0);
        }
    }
}

/// The collector's end of the export.
#[derive(Debug)]
pub(crate) struct Exporter {
    tx: Option<mpsc::Sender<Item>>,
    stats: Arc<ExportStats>,
    unsettled: Arc<Unsettled>,
    thread: Option<std::thread::JoinHandle<()>>,
    batch: Vec<u8>,
    lines: u64,
    config: ExportConfig,
    last_summary: Instant,
    last_batch: Instant,
}

impl Exporter {
    /// Start the export thread. It connects in the background: an absent server is not an
    /// error here, only counted drops later.
    pub(crate) fn start(config: ExportConfig) -> Result<Exporter> {
        if !valid_site(&config.site) {
            bail!(
                "--site {:?}: use letters, digits, '-' and '_' (it becomes a NATS subject token)",
                config.site
            );
        }
        let addr = server_addr(&config.url)?;
        let stats = Arc::new(ExportStats::default());
        let unsettled = Arc::new(Unsettled::default());
        let (tx, rx) = mpsc::channel(QUEUE);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = {
            let stats = stats.clone();
            let unsettled = unsettled.clone();
            let site = config.site.clone();
            std::thread::Builder::new()
                .name("sigwatch-export".into())
                .spawn(move || {
                    runtime.block_on(publish_loop(addr, site, rx, &stats, &unsettled));
                })?
        };
        Ok(Exporter {
            tx: Some(tx),
            stats,
            unsettled,
            thread: Some(thread),
            batch: Vec::with_capacity(BATCH_BYTES + 4096),
            lines: 0,
            config,
            last_summary: Instant::now(),
            last_batch: Instant::now(),
        })
    }

    /// The counters.
    pub(crate) fn stats(&self) -> &ExportStats {
        &self.stats
    }

    /// Add one alert line (with its newline); sends the batch when it is full.
    pub(crate) fn alert_line(&mut self, line: &[u8]) {
        self.batch.extend_from_slice(line);
        self.lines += 1;
        if self.batch.len() >= BATCH_BYTES {
            self.send_batch();
        }
    }

    /// Call now and then: a batch older than a second is sent, so that alerts reach the
    /// server within about a second even when they are few.
    pub(crate) fn tick(&mut self) {
        if self.lines > 0 && self.last_batch.elapsed() >= Duration::from_secs(1) {
            self.send_batch();
        }
    }

    /// Send what the batch holds.
    pub(crate) fn send_batch(&mut self) {
        self.last_batch = Instant::now();
        if self.lines == 0 {
            return;
        }
        let bytes = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_BYTES + 4096));
        let lines = std::mem::take(&mut self.lines);
        self.offer(Item {
            kind: Kind::Alerts,
            lines,
            bytes,
        });
    }

    /// Whether a periodic summary is due.
    pub(crate) fn summary_due(&self) -> bool {
        self.last_summary.elapsed() >= self.config.interval
    }

    /// Send a summary (a JSON object). Alert lines gathered so far go first.
    pub(crate) fn summary(&mut self, json: Vec<u8>) {
        self.send_batch();
        self.last_summary = Instant::now();
        self.offer(Item {
            kind: Kind::Summary,
            lines: 0,
            bytes: json,
        });
    }

    fn offer(&mut self, item: Item) {
        let (kind, lines) = (item.kind, item.lines);
        let Some(tx) = &self.tx else {
            self.stats.dropped(kind, lines);
            return;
        };
        // Counted before it can be settled on the other side.
        self.unsettled.add(kind, lines);
        if tx.try_send(item).is_err() {
            self.unsettled.settle(&self.stats, kind, lines, false);
        }
    }

    /// Send the last batch, close the queue and give the server up to the drain time to take
    /// what is queued; what it has not taken by then counts as dropped.
    pub(crate) fn finish(&mut self) {
        self.send_batch();
        let Some(tx) = self.tx.take() else {
            return;
        };
        drop(tx);
        let deadline = Instant::now() + self.config.drain;
        if let Some(t) = self.thread.take() {
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if t.is_finished() {
                let _ = t.join();
            }
            // A thread still waiting on the network is left behind: the process is about to
            // end, and what it holds is counted as dropped now.
        }
        self.unsettled.close(&self.stats);
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `nats://HOST:PORT`, `HOST:PORT` → `HOST:PORT`.
fn server_addr(url: &str) -> Result<String> {
    let rest = url.strip_prefix("nats://").unwrap_or(url);
    let ok = rest
        .rsplit_once(':')
        .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    if !ok || rest.contains('/') {
        bail!("--export {url:?}: give nats://HOST:PORT");
    }
    Ok(format!("nats://{rest}"))
}

/// Connect to `url` (retrying in the background) and return a JetStream context.
pub(crate) async fn connect(url: &str, retry: bool) -> Result<jetstream::Context> {
    let mut opts = async_nats::ConnectOptions::new()
        .connection_timeout(REQUEST_TIMEOUT)
        .request_timeout(Some(REQUEST_TIMEOUT))
        .name("sigwatch");
    if retry {
        opts = opts.retry_on_initial_connect();
    }
    let client = opts
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("{url}: {e}"))?;
    Ok(jetstream::ContextBuilder::new()
        .timeout(REQUEST_TIMEOUT)
        .build(client))
}

/// The stream's configuration: file storage, a week or 8 GiB of history.
pub(crate) fn stream_config() -> jetstream::stream::Config {
    jetstream::stream::Config {
        name: STREAM.to_owned(),
        subjects: vec![SUBJECTS.to_owned()],
        storage: jetstream::stream::StorageType::File,
        max_age: Duration::from_secs(7 * 24 * 3600),
        max_bytes: 8 << 30,
        ..Default::default()
    }
}

async fn publish_loop(
    url: String,
    site: String,
    mut rx: mpsc::Receiver<Item>,
    stats: &ExportStats,
    unsettled: &Unsettled,
) {
    let alerts_subject = format!("sigwatch.{site}.alerts");
    let summary_subject = format!("sigwatch.{site}.summary");
    let js = match connect(&url, true).await {
        Ok(js) => js,
        Err(_) => {
            stats.errors.fetch_add(1, Ordering::Relaxed);
            while let Some(item) = rx.recv().await {
                unsettled.settle(stats, item.kind, item.lines, false);
            }
            return;
        }
    };
    let mut stream_ready = false;
    let mut pending = std::collections::VecDeque::new();
    while let Some(item) = rx.recv().await {
        let (kind, lines) = (item.kind, item.lines);
        if !stream_ready {
            if js.get_or_create_stream(stream_config()).await.is_err() {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                unsettled.settle(stats, kind, lines, false);
                continue;
            }
            stream_ready = true;
        }
        let subject = match kind {
            Kind::Alerts => alerts_subject.clone(),
            Kind::Summary => summary_subject.clone(),
        };
        match js.publish(subject, item.bytes.into()).await {
            Ok(ack) => pending.push_back((ack, kind, lines)),
            Err(_) => {
                stats.errors.fetch_add(1, Ordering::Relaxed);
                unsettled.settle(stats, kind, lines, false);
                stream_ready = false;
            }
        }
        while pending.len() >= IN_FLIGHT {
            if let Some(p) = pending.pop_front() {
                settle(p, stats, unsettled).await;
            }
        }
    }
    while let Some(p) = pending.pop_front() {
        settle(p, stats, unsettled).await;
    }
}

async fn settle(
    (ack, kind, lines): (jetstream::context::PublishAckFuture, Kind, u64),
    stats: &ExportStats,
    unsettled: &Unsettled,
) {
    let ok = ack.await.is_ok();
    if !ok {
        stats.errors.fetch_add(1, Ordering::Relaxed);
    }
    unsettled.settle(stats, kind, lines, ok);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_subject_tokens() {
        assert!(valid_site("east-1"));
        assert!(valid_site("mia_02"));
        assert!(!valid_site(""));
        assert!(!valid_site("a.b"));
        assert!(!valid_site("a b"));
        assert!(!valid_site("*"));
        assert!(!valid_site(">"));
        assert!(valid_site(&default_site()));
    }

    #[test]
    fn server_addresses() {
        assert_eq!(
            server_addr("nats://127.0.0.1:4222").ok().as_deref(),
            Some("nats://127.0.0.1:4222")
        );
        assert_eq!(
            server_addr("localhost:4222").ok().as_deref(),
            Some("nats://localhost:4222")
        );
        assert!(server_addr("nats://host").is_err());
        assert!(server_addr("nats://host:99999").is_err());
        assert!(server_addr("http://host:1/x").is_err());
    }
}
