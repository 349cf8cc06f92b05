//! `sigwatch run` on the real EAL with virtual devices (feature `dpdk`): net_pcap against
//! `sigwatch replay` on the same file, two queues for two workers, and af_packet on a veth
//! pair in a network namespace this test creates (root only; CI runs as root).
//!
//! Every run is a process of its own (DPDK initialises once per process) with its own
//! `--file-prefix`, so the tests may run in parallel.

#![cfg(feature = "dpdk")]
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use common::sigwatch;

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("dpdk")
        .join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// EAL arguments without hugepages or PCI, with a file prefix of this run's own.
fn eal(vdev: &str) -> String {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let k = RUNS.fetch_add(1, Ordering::Relaxed);
    format!(
        "--no-huge --no-pci -m 256 --file-prefix sigwatch-test-{}-{k} --vdev {vdev}",
        std::process::id()
    )
}

struct Run {
    report: Value,
    alerts: Vec<String>,
}

fn read_run(d: &Path, tag: &str) -> Run {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join(format!("{tag}.json"))).unwrap())
            .unwrap();
    let mut alerts: Vec<String> = std::fs::read_to_string(d.join(format!("{tag}.jsonl")))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    alerts.sort();
    Run { report, alerts }
}

fn outputs(cmd: &mut Command, d: &Path, tag: &str) {
    cmd.arg("--alerts")
        .arg(d.join(format!("{tag}.jsonl")))
        .arg("--report")
        .arg(d.join(format!("{tag}.json")))
        .arg("--no-pin");
}

fn replay(d: &Path, pcap: &Path, policy: &Path) -> Run {
    let mut cmd = sigwatch();
    cmd.arg("replay")
        .arg(pcap)
        .arg("--config")
        .arg(policy)
        .arg("-q");
    outputs(&mut cmd, d, "replay");
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_run(d, "replay")
}

fn run_live(d: &Path, tag: &str, policy: &Path, vdev: &str, workers: usize) -> Run {
    let mut cmd = sigwatch();
    cmd.arg("run")
        .arg("--config")
        .arg(policy)
        .arg("--dpdk")
        .arg(eal(vdev))
        .args(["--until-idle", "1", "--workers", &workers.to_string(), "-q"]);
    outputs(&mut cmd, d, tag);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "sigwatch run ({vdev}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    read_run(d, tag)
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

#[test]
fn net_pcap_gives_what_replay_gives() {
    let d = dir("net-pcap");
    let (pcap, policy, cap) = common::seed_files(&d, 7);
    let frames = cap.frames.len();
    let want = replay(&d, &pcap, &policy);
    let vdev = format!("net_pcap0,rx_pcap={}", pcap.display());
    for workers in [1, 2] {
        let got = run_live(&d, &format!("live-{workers}"), &policy, &vdev, workers);
        common::assert_accounted(&got.report, &vdev);
        assert_eq!(u(&got.report["totals"]["frames"]), frames as u64);
        assert_eq!(
            got.report["totals"], want.report["totals"],
            "{workers} workers"
        );
        assert_eq!(
            got.report["by_rule"], want.report["by_rule"],
            "{workers} workers"
        );
        assert!(u(&got.report["totals"]["alerts"]) > 1000);
        // net_pcap stamps frames with the capture's own time, so even the alert lines (times,
        // frame numbers, travel and recon windows) are those of the replay.
        assert_eq!(got.alerts.len(), want.alerts.len());
        assert!(
            got.alerts == want.alerts,
            "{workers} workers: alert lines differ"
        );
    }
}

/// A jumbo frame (an SCTP packet of 9,000 octets bundling 50 ATIs) is longer than one mbuf's
/// data room: net_pcap hands it over as a chain of mbufs, and every message in it is read,
/// as the replay reads it, none cut off at the first segment.
#[test]
fn a_jumbo_frame_over_several_mbufs_is_read_whole() {
    use decoder::link::EthernetSpec;
    use decoder::sctp::{DataChunkSpec, Ppid, SctpSpec};
    let d = dir("jumbo");
    let (_, policy, cap) = common::seed_files(&d, 9);
    // The seed's first ATI's M3UA message, bundled 50 times with TSNs of their own.
    let (_, one) = cap
        .frames
        .iter()
        .find(|(_, f)| f.len() > 150 && f.len() < 400 && f[23] == 132)
        .unwrap();
    let m3ua = &one[14 + 20 + 12 + 16..];
    let chunks: Vec<DataChunkSpec<'_>> = (0..50)
        .map(|k| DataChunkSpec::whole(100 + k, 1, k as u16, Ppid::M3UA, m3ua))
        .collect();
    let mut frame = Vec::new();
    decoder::stack::emit_sctp_frame(
        &mut frame,
        &EthernetSpec::default(),
        std::net::IpAddr::from([10, 9, 0, 1]),
        std::net::IpAddr::from([10, 9, 0, 2]),
        &SctpSpec {
            src_port: 2905,
            dst_port: 2905,
            vtag: 77,
        },
        &chunks,
    );
    assert!(frame.len() > 2 * 2048, "{} octets", frame.len());
    let pcap = d.join("jumbo.pcap");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    siggen::pcap::write_header(&mut f).unwrap();
    siggen::pcap::write_record(&mut f, 1_000_000_000, &frame).unwrap();
    drop(f);
    let want = replay(&d, &pcap, &policy);
    assert_eq!(u(&want.report["totals"]["messages"]), 50);
    let got = run_live(
        &d,
        "jumbo-live",
        &policy,
        &format!("net_pcap0,rx_pcap={}", pcap.display()),
        1,
    );
    assert_eq!(got.report["totals"], want.report["totals"]);
    assert_eq!(got.alerts.len(), want.alerts.len());
}

#[test]
fn two_queues_feed_two_workers_and_nothing_is_counted_twice() {
    let d = dir("two-queues");
    let (a, policy, ca) = common::seed_files(&d, 8);
    let fa = ca.frames.len();
    let (b, _, cb) = common::seed_files(&d, 9);
    let fb = cb.frames.len();
    // net_pcap makes one RX queue per rx_pcap.
    let vdev = format!("net_pcap0,rx_pcap={},rx_pcap={}", a.display(), b.display());
    let got = run_live(&d, "live", &policy, &vdev, 2);
    common::assert_accounted(&got.report, &vdev);
    assert_eq!(u(&got.report["totals"]["frames"]), (fa + fb) as u64);
    let per_worker: Vec<u64> = got.report["run"]["frames_by_worker"]
        .as_array()
        .unwrap()
        .iter()
        .map(u)
        .collect();
    assert_eq!(per_worker.len(), 2);
    assert_eq!(per_worker.iter().sum::<u64>(), (fa + fb) as u64);
    // Each queue is one file, each worker one queue.
    let mut sorted = per_worker.clone();
    sorted.sort_unstable();
    let mut files = [fa as u64, fb as u64];
    files.sort_unstable();
    assert_eq!(sorted, files, "{per_worker:?}");
}

#[test]
fn a_missing_device_or_bad_eal_arguments_exit_1_in_one_line() {
    let d = dir("bad");
    let (_, policy, _) = common::seed_files(&d, 7);
    for (args, why) in [
        (
            eal("net_pcap0,rx_pcap=/nonexistent/x.pcap"),
            "a virtual device that cannot open its file",
        ),
        (
            "--no-such-eal-option".to_owned(),
            "an EAL option that does not exist",
        ),
    ] {
        let out = sigwatch()
            .args(["run", "--config"])
            .arg(&policy)
            .args(["--dpdk", &args, "--until-idle", "1", "--no-pin"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{why}: {err}");
        let ours: Vec<&str> = err.lines().filter(|l| l.starts_with("sigwatch:")).collect();
        assert_eq!(ours.len(), 1, "{why}: one line of ours: {err}");
        assert!(!err.contains("panicked"), "{why}: {err}");
        assert!(out.stdout.is_empty(), "{why}: nothing on stdout");
    }
}

fn sh(cmd: &str) {
    let out = Command::new("sh").arg("-c").arg(cmd).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Removes the namespace and the veth pair however the test ends.
struct Netns {
    ns: String,
    host_if: String,
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_if])
            .output();
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).output();
    }
}

/// Send `frames` out of interface `ifname` through an AF_PACKET socket.
fn send_frames(ifname: &str, frames: &[Vec<u8>]) {
    let name = std::ffi::CString::new(ifname).unwrap();
    // SAFETY: plain socket calls with valid arguments; the socket is closed at the end.
    unsafe {
        let index = libc::if_nametoindex(name.as_ptr());
        assert!(index > 0, "no interface {ifname}");
        let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW, 0);
        assert!(
            fd >= 0,
            "AF_PACKET socket: {}",
            std::io::Error::last_os_error()
        );
        let mut addr: libc::sockaddr_ll = std::mem::zeroed();
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_ifindex = index as i32;
        addr.sll_halen = 6;
        for (i, f) in frames.iter().enumerate() {
            let n = libc::sendto(
                fd,
                f.as_ptr().cast(),
                f.len(),
                0,
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as u32,
            );
            assert_eq!(n, f.len() as isize, "{}", std::io::Error::last_os_error());
            // A pause now and then, so that the receiving ring never overflows.
            if i % 32 == 31 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        libc::close(fd);
    }
}

#[test]
fn af_packet_on_a_veth_in_a_namespace_counts_every_frame_sent() {
    if !is_root() {
        common::skip(
            "dpdk::af_packet_on_a_veth_in_a_namespace_counts_every_frame_sent",
            "creating a network namespace needs root",
        );
        return;
    }
    let d = dir("af-packet");
    let cap = siggen::scenario::seed(10, 1);
    let policy = d.join("policy.toml");
    std::fs::write(&policy, &cap.policy).unwrap();
    let frames: Vec<Vec<u8>> = cap
        .frames
        .iter()
        .map(|(_, f)| f.clone())
        .filter(|f| f.len() <= 1514)
        .take(3000)
        .collect();
    let id = std::process::id();
    let net = Netns {
        ns: format!("sigwatch-{id}"),
        host_if: format!("swh{id}"),
    };
    let probe_if = format!("swp{id}");
    let add = Command::new("ip")
        .args(["netns", "add", &net.ns])
        .output()
        .unwrap();
    if !add.status.success() {
        // Root without CAP_SYS_ADMIN (some containers): no namespace can be made here.
        let why = String::from_utf8_lossy(&add.stderr);
        assert!(
            why.contains("Operation not permitted"),
            "ip netns add: {why}"
        );
        eprintln!("skipped: this root may not create network namespaces: {why}");
        return;
    }
    sh(&format!(
        "ip link add {} type veth peer name {probe_if} netns {}",
        net.host_if, net.ns
    ));
    // No IPv6 on either end: its router and listener solicitations would be frames nobody sent.
    sh(&format!(
        "sysctl -qw net.ipv6.conf.{}.disable_ipv6=1",
        net.host_if
    ));
    sh(&format!(
        "ip netns exec {ns} sysctl -qw net.ipv6.conf.{probe_if}.disable_ipv6=1 && \
         ip netns exec {ns} ip link set {probe_if} up && ip link set {} up",
        net.host_if,
        ns = net.ns
    ));
    let mut child = Command::new("ip")
        .args(["netns", "exec", &net.ns])
        .arg(env!("CARGO_BIN_EXE_sigwatch"))
        .args(["run", "--config"])
        .arg(&policy)
        .args([
            "--dpdk",
            &eal(&format!("net_af_packet0,iface={probe_if}")),
            "--until-idle",
            "3",
            "--workers",
            "1",
            "--no-pin",
            "-q",
            "--report",
        ])
        .arg(d.join("report.json"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Send once the port is up.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).unwrap() == 0 {
            panic!("sigwatch ended before its port came up: {log}");
        }
        log.push_str(&line);
        if line.starts_with("sigwatch: port 0") {
            break;
        }
    }
    send_frames(&net.host_if, &frames);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{log}{rest}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("report.json")).unwrap()).unwrap();
    common::assert_accounted(&report, "af_packet");
    assert_eq!(
        u(&report["totals"]["frames"]),
        frames.len() as u64,
        "every frame sent, and nothing else: {}",
        report["totals"]
    );
    assert_eq!(
        report["dropped_by_cause"],
        Value::Object(Default::default())
    );
    // Decoded as replay decodes the same frames from a file.
    let pcap = d.join("sent.pcap");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    siggen::pcap::write_header(&mut w).unwrap();
    for (ts, f) in cap
        .frames
        .iter()
        .filter(|(_, f)| f.len() <= 1514)
        .take(3000)
    {
        siggen::pcap::write_record(&mut w, *ts, f).unwrap();
    }
    drop(w);
    let want = replay(&d, &pcap, &policy);
    // Not alerts: frames on a live port are stamped with the time they arrive, and the
    // stateful rules (travel, SRI-for-SM follow-up) depend on the times.
    for k in &common::TOTALS[..5] {
        assert_eq!(report["totals"][k], want.report["totals"][k], "{k}");
    }
    assert!(u(&report["totals"]["messages"]) > 2000);
}
