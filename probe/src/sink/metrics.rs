//! `--metrics ADDR`: Prometheus text exposition on `GET /metrics`, from a small HTTP server of
//! its own (one thread, no framework). The collector renders the text from its running report
//! about once a second; the server only hands out the latest rendering, so a scrape never
//! touches the workers.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::report::Report;

type Labels = Vec<(&'static str, String)>;

/// Bucket bounds of the batch latency histogram, microseconds.
pub(crate) const LATENCY_BOUNDS_US: [u64; 10] =
    [10, 25, 50, 100, 250, 500, 1000, 5000, 20_000, 100_000];

/// What only the running pipeline knows, beside its report.
#[derive(Debug, Default, Clone)]
pub(crate) struct Live {
    /// Frames per second of each worker since the previous rendering.
    pub(crate) worker_rates: Vec<f64>,
    /// Queue fill, 0 to 1: (queue, worker, ratio). Queues: `input` (frames waiting for a
    /// worker), `shard` (the fullest ring of subscriber jobs into a worker), `collector`
    /// (verdict batches waiting for the collector).
    pub(crate) rings: Vec<(&'static str, Option<usize>, f64)>,
    /// The workers' batch latency.
    pub(crate) latency: Option<LatencyHistogram>,
}

/// A histogram given by its buckets (the workers keep HDR histograms; this exposes them).
#[derive(Debug, Clone, Default)]
pub(crate) struct LatencyHistogram {
    /// Sum of all observations, µs.
    pub(crate) sum: f64,
    /// Observations.
    pub(crate) count: u64,
    /// (upper bound µs, observations in this bucket alone), +Inf last.
    pub(crate) buckets: Vec<(f64, u64)>,
}

impl prometheus_client::encoding::EncodeMetric for LatencyHistogram {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::MetricEncoder<'_>,
    ) -> std::fmt::Result {
        encoder.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
            self.sum,
            self.count,
            &self.buckets,
            None,
        )
    }

    fn metric_type(&self) -> prometheus_client::metrics::MetricType {
        prometheus_client::metrics::MetricType::Histogram
    }
}

/// The latest rendering, shared by the collector (writer) and the server (reader).
#[derive(Debug, Clone, Default)]
pub(crate) struct Exposition(Arc<Mutex<String>>);

impl Exposition {
    /// Replace the text served.
    pub(crate) fn set(&self, text: String) {
        if let Ok(mut t) = self.0.lock() {
            *t = text;
        }
    }

    fn get(&self) -> String {
        self.0.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// Serve `exposition` on `addr` from a thread of its own; returns the bound address (with
/// the port the system chose for port 0).
pub(crate) fn serve(addr: SocketAddr, exposition: Exposition) -> Result<SocketAddr> {
    let listener =
        TcpListener::bind(addr).with_context(|| format!("--metrics {addr}: cannot listen"))?;
    let bound = listener.local_addr()?;
    std::thread::Builder::new()
        .name("sigwatch-metrics".into())
        .spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = answer(conn, &exposition);
            }
        })
        .context("starting the metrics server")?;
    Ok(bound)
}

fn answer(conn: TcpStream, exposition: &Exposition) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // The rest of the request head, up to the empty line.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let path = request.split_whitespace().nth(1).unwrap_or("");
    let (status, kind, body) = if request.starts_with("GET ") && path == "/metrics" {
        (
            "200 OK",
            "text/plain; version=0.0.4; charset=utf-8",
            exposition.get(),
        )
    } else {
        (
            "404 Not Found",
            "text/plain; charset=utf-8",
            "sigwatch serves /metrics\n".to_owned(),
        )
    };
    let mut conn = conn;
    write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    conn.flush()
}

fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let c = Counter::<u64>::default();
    c.inc_by(value);
    registry.register(name, help, c);
}

fn counters<'a>(
    registry: &mut Registry,
    name: &str,
    help: &str,
    label: &'static str,
    values: impl IntoIterator<Item = (&'a String, u64)>,
) {
    let family = Family::<Labels, Counter>::default();
    for (k, v) in values {
        family.get_or_create(&vec![(label, k.clone())]).inc_by(v);
    }
    registry.register(name, help, family);
}

/// The report (and, while running, what only the pipeline knows) as Prometheus text: counters
/// end in `_total`, units are in the names, as the conventions ask.
pub(crate) fn render(r: &Report, live: Option<&Live>) -> String {
    let mut reg = Registry::with_prefix("sigwatch");
    let t = &r.totals;
    counter(
        &mut reg,
        "frames",
        "Frames received (dropped ones included)",
        t.frames,
    );
    counter(
        &mut reg,
        "signaling_frames",
        "Frames that carried signalling",
        t.signaling_frames,
    );
    counter(
        &mut reg,
        "messages",
        "Signalling messages decoded",
        t.messages,
    );
    counter(&mut reg, "alerts", "Alerts raised", t.alerts);
    counters(
        &mut reg,
        "malformed_frames",
        "Malformed frames by the layer that broke",
        "layer",
        r.malformed_by_layer.iter().map(|(k, v)| (k, *v)),
    );
    counters(
        &mut reg,
        "other_frames",
        "Frames without signalling, by reason",
        "reason",
        r.other_by_reason.iter().map(|(k, v)| (k, *v)),
    );
    counters(
        &mut reg,
        "dropped_frames",
        "Frames dropped before decoding, by cause",
        "cause",
        r.dropped_by_cause.iter().map(|(k, v)| (k, *v)),
    );
    counters(
        &mut reg,
        "alerts_by_category",
        "Alerts by FS.11/FS.19 category",
        "category",
        r.by_category.iter().map(|(k, v)| (k, *v)),
    );
    counters(
        &mut reg,
        "alerts_by_rule",
        "Alerts by rule id",
        "rule",
        r.by_rule.iter().map(|(k, v)| (k, *v)),
    );
    counters(
        &mut reg,
        "alerts_by_source_country",
        "Alerts by the country of their source",
        "country",
        r.by_source_country.iter().map(|(k, v)| (k, v.alerts)),
    );
    let workers: Vec<(String, u64)> = r
        .run
        .frames_by_worker
        .iter()
        .enumerate()
        .map(|(i, n)| (i.to_string(), *n))
        .collect();
    counters(
        &mut reg,
        "worker_frames",
        "Frames each worker decoded",
        "worker",
        workers.iter().map(|(k, v)| (k, *v)),
    );
    for (group, values) in &r.counters {
        let family = Family::<Labels, Counter>::default();
        for (k, v) in values {
            family
                .get_or_create(&vec![("counter", k.clone())])
                .inc_by(*v);
        }
        reg.register(
            group.as_str(),
            format!("{group} counters (reassembly, judgement, state, pipeline)"),
            family,
        );
    }
    if let Some(l) = &r.latency_us {
        let g = Family::<Labels, Gauge>::default();
        for (q, v) in [("0.5", l.p50), ("0.99", l.p99), ("1", l.max)] {
            g.get_or_create(&vec![("quantile", q.to_owned())])
                .set(i64::try_from(v).unwrap_or(i64::MAX));
        }
        reg.register(
            "batch_latency_quantile_microseconds",
            "Per-batch processing time of the workers, quantiles (0.5, 0.99, 1 = max)",
            g,
        );
    }
    let g = Gauge::<i64>::default();
    g.set(r.run.workers as i64);
    reg.register("workers", "Worker threads", g);
    if let Some(live) = live {
        let rates = Family::<Labels, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
        for (i, v) in live.worker_rates.iter().enumerate() {
            rates
                .get_or_create(&vec![("worker", i.to_string())])
                .set(*v);
        }
        reg.register(
            "worker_frames_per_second",
            "Frames each worker decoded per second, since the previous scrape's rendering",
            rates,
        );
        let fill = Family::<Labels, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
        for (ring, worker, v) in &live.rings {
            let mut labels = vec![("queue", (*ring).to_owned())];
            if let Some(w) = worker {
                labels.push(("worker", w.to_string()));
            }
            fill.get_or_create(&labels).set(*v);
        }
        reg.register(
            "queue_fill_ratio",
            "How full each queue is, 0 to 1 (input: frames for a worker; shard: the fullest ring of subscriber jobs into a worker; collector: verdict batches)",
            fill,
        );
        if let Some(h) = &live.latency {
            reg.register(
                "batch_latency_microseconds",
                "Time a worker takes over one batch of frames",
                h.clone(),
            );
        }
    }
    let mut out = String::new();
    let _ = encode(&mut out, &reg);
    out
}
