//! `--metrics ADDR`: Prometheus metrics on `GET /metrics`, from an HTTP/1.1 server (hyper, on
//! a tokio runtime of its own thread). The collector renders the text from its running report
//! about once a second; the server only hands out the latest rendering, so a scrape never
//! touches the workers. A scraper that accepts OpenMetrics (Prometheus asks for it first) gets
//! OpenMetrics, anyone else the Prometheus text format (0.0.4), each under its own content
//! type.
//!
//! The server is made for a network a scraper shares with others: scrapes are served
//! concurrently, a connection has [`HEADER_TIMEOUT`] to send its request head (at most
//! [`MAX_HEAD_BYTES`]) and [`CONNECTION_TIMEOUT`] in all, at most [`MAX_CONNECTIONS`] are
//! open at once (more are closed at once), and a stalled or hostile client holds nothing
//! but its own connection. Other paths are 404, other methods 405.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use super::report::Report;

type Labels = Vec<(&'static str, String)>;

/// Bucket bounds of the batch latency histogram, microseconds (exposed in seconds).
pub(crate) const LATENCY_BOUNDS_US: [u64; 10] =
    [10, 25, 50, 100, 250, 500, 1000, 5000, 20_000, 100_000];

/// The content type of the body [`render`] writes.
pub(crate) const CONTENT_TYPE_OPENMETRICS: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The content type of the same in the Prometheus text format ([`text_format`]).
pub(crate) const CONTENT_TYPE_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";
/// How long a connection may take to send its request head.
pub(crate) const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may stay open.
pub(crate) const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest request head read.
pub(crate) const MAX_HEAD_BYTES: usize = 8 * 1024;
/// Connections served at once.
pub(crate) const MAX_CONNECTIONS: usize = 64;

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

/// The same histogram in seconds, the base unit.
#[derive(Debug, Clone)]
struct SecondsHistogram(LatencyHistogram);

impl prometheus_client::encoding::EncodeMetric for SecondsHistogram {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::MetricEncoder<'_>,
    ) -> std::fmt::Result {
        let h = &self.0;
        let buckets: Vec<(f64, u64)> = h.buckets.iter().map(|&(b, n)| (b / 1e6, n)).collect();
        encoder.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
            h.sum / 1e6,
            h.count,
            &buckets,
            None,
        )
    }

    fn metric_type(&self) -> prometheus_client::metrics::MetricType {
        prometheus_client::metrics::MetricType::Histogram
    }
}

/// The latest rendering, in both formats, shared by the collector (writer) and the server
/// (reader).
#[derive(Debug, Clone, Default)]
pub(crate) struct Exposition(Arc<Mutex<Texts>>);

/// One rendering: OpenMetrics, and the Prometheus text format.
#[derive(Debug, Clone, Default)]
struct Texts {
    openmetrics: Bytes,
    text: Bytes,
}

impl Exposition {
    /// Replace the text served ([`render`]'s OpenMetrics).
    pub(crate) fn set(&self, openmetrics: String) {
        let text = Bytes::from(text_format(&openmetrics));
        if let Ok(mut t) = self.0.lock() {
            *t = Texts {
                openmetrics: Bytes::from(openmetrics),
                text,
            };
        }
    }

    fn get(&self) -> Texts {
        self.0.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// OpenMetrics text as the Prometheus text format (0.0.4) has it: a counter's family is named
/// with its `_total` in `# HELP` and `# TYPE`, and there are no `# UNIT` or `# EOF` lines.
pub(crate) fn text_format(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    let mut counters = std::collections::HashSet::new();
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            if let Some(name) = rest.strip_suffix(" counter") {
                counters.insert(name.to_owned());
            }
        }
    }
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "]
            .into_iter()
            .find_map(|p| line.strip_prefix(p).map(|rest| (p, rest)));
        if let Some((prefix, rest)) = meta {
            let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            let tail = if tail == "unknown" { "untyped" } else { tail };
            let total = if counters.contains(name) {
                "_total"
            } else {
                ""
            };
            out.push_str(&format!("{prefix}{name}{total} {tail}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Serve `exposition` on `addr` from a thread of its own; returns the bound address (with
/// the port the system chose for port 0).
pub(crate) fn serve(addr: SocketAddr, exposition: Exposition) -> Result<SocketAddr> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("--metrics {addr}: cannot listen"))?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("starting the metrics server's runtime")?;
    std::thread::Builder::new()
        .name("sigwatch-metrics".into())
        .spawn(move || runtime.block_on(accept(listener, exposition)))
        .context("starting the metrics server")?;
    Ok(bound)
}

async fn accept(listener: std::net::TcpListener, exposition: Exposition) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Beyond the limit a connection is closed at once: it holds nothing.
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let exposition = exposition.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let body = exposition.get();
                async move { Ok::<_, Infallible>(respond(&req, body)) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .keep_alive(true)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, conn).await;
            drop(slot);
        });
    }
}

/// The answer to one request: the exposition for `GET` (or `HEAD`) `/metrics`, in
/// OpenMetrics when the request accepts it.
fn respond(req: &Request<Incoming>, texts: Texts) -> Response<Full<Bytes>> {
    let text = |status: StatusCode, msg: &'static str| {
        let mut r = Response::new(Full::new(Bytes::from_static(msg.as_bytes())));
        *r.status_mut() = status;
        r.headers_mut().insert(
            CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r
    };
    if req.uri().path() != "/metrics" {
        return text(StatusCode::NOT_FOUND, "sigwatch serves /metrics\n");
    }
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD\n");
        r.headers_mut()
            .insert(ALLOW, hyper::header::HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let openmetrics = req
        .headers()
        .get_all(hyper::header::ACCEPT)
        .iter()
        .any(|v| {
            v.to_str()
                .is_ok_and(|v| v.contains("application/openmetrics-text"))
        });
    let (body, kind) = if openmetrics {
        (texts.openmetrics, CONTENT_TYPE_OPENMETRICS)
    } else {
        (texts.text, CONTENT_TYPE_TEXT)
    };
    let len = body.len();
    let mut r = Response::new(Full::new(if head { Bytes::new() } else { body }));
    r.headers_mut()
        .insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(kind));
    if head {
        r.headers_mut().insert(
            hyper::header::CONTENT_LENGTH,
            hyper::header::HeaderValue::from(len),
        );
    }
    r
}

/// Campaigns: how many are reported and open, and the incidents of the leading ones.
fn campaign_gauges(reg: &mut Registry, r: &Report) {
    for (name, help, n) in [
        (
            "campaigns",
            "Campaigns reported (at least campaign_min_incidents incidents)",
            r.campaigns.len(),
        ),
        (
            "campaigns_open",
            "Campaigns reported with an incident in the last 7 days of capture time",
            r.campaigns.iter().filter(|c| c.open).count(),
        ),
    ] {
        let g = Gauge::<i64>::default();
        g.set(n as i64);
        reg.register(name, help, g);
    }
    let family = Family::<Labels, Gauge<i64>>::default();
    for c in r.campaigns.iter().take(20) {
        let sources = super::report::source_names(&c.sources);
        family
            .get_or_create(&vec![("campaign", c.id.to_string()), ("sources", sources)])
            .set(c.incidents as i64);
    }
    reg.register(
        "campaign_incidents",
        "Incidents of the 20 leading campaigns so far",
        family,
    );
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

/// The report (and, while running, what only the pipeline knows) in the OpenMetrics text
/// format: counters end in `_total`, times are in seconds with their unit declared, as the
/// conventions ask (`promtool check metrics` holds it to them in the tests).
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
        for (name, v, what) in [
            ("batch_latency_p50", l.p50, "median"),
            ("batch_latency_p99", l.p99, "99th percentile"),
            ("batch_latency_max", l.max, "longest"),
        ] {
            let g = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
            g.set(v as f64 / 1e6);
            reg.register_with_unit(
                name,
                format!("Per-batch processing time of the workers, {what}"),
                Unit::Seconds,
                g,
            );
        }
    }
    let g = Gauge::<i64>::default();
    g.set(r.run.workers as i64);
    reg.register("workers", "Worker threads", g);
    campaign_gauges(&mut reg, r);
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
            reg.register_with_unit(
                "batch_latency",
                "Time a worker takes over one batch of frames",
                Unit::Seconds,
                SecondsHistogram(h.clone()),
            );
        }
    }
    let mut out = String::new();
    let _ = encode(&mut out, &reg);
    out
}
