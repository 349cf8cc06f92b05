//! Helpers shared by the integration tests: where the public captures are, which tools are
//! there, running the `sigwatch` binary, reading its JSON lines.
//!
//! Tests that need something outside the repository (the public capture corpus, tshark,
//! nats-server, root) skip when it is missing, and say so on the terminal (`skipped: TEST:
//! WHY`, written past the test harness's capture, which `ci/test.sh` gathers at the end).
//! With `CI` set they fail instead: CI installs and provides all of it.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The setting that names the folder of public captures.
pub const CAPTURES: &str = "SIGWATCH_CAPTURES";

/// Skip `test` because of `why`: said on the terminal, or a failure when `CI` is set.
pub fn skip(test: &str, why: &str) {
    use std::io::Write;
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: {why}, and CI must run this test"
    );
    // Straight to the terminal: the harness captures eprintln! of passing tests.
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {why}");
}

/// Every capture (`.pcap`, `.pcapng`) in the folder `SIGWATCH_CAPTURES` names, sorted; `None`,
/// with `test` skipped, when the setting is absent.
pub fn public_captures(test: &str) -> Option<Vec<PathBuf>> {
    let Some(dir) = std::env::var_os(CAPTURES) else {
        skip(
            test,
            &format!("{CAPTURES} is not set (the folder of the public capture corpus)"),
        );
        return None;
    };
    let dir = PathBuf::from(dir);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{CAPTURES}={}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    v.sort();
    Some(v)
}

/// Whether `tool --version` runs; else `test` is skipped (or fails, in CI).
pub fn tool_available(test: &str, tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip(test, &format!("{tool} is not installed"));
    }
    ok
}

/// Whether tshark, the decode oracle, can be run (see [`tool_available`]).
pub fn tshark_available(test: &str) -> bool {
    tool_available(test, "tshark")
}

/// The `sigwatch` binary built for these tests.
pub fn sigwatch() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sigwatch"))
}

/// One line of `sigwatch decode`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DecodeLine {
    pub frame: u64,
    pub ts: Option<f64>,
    pub proto: String,
    pub tcap: Option<String>,
    pub component: Option<String>,
    pub opcode: Option<i64>,
    pub op: Option<String>,
    pub error: Option<i64>,
    pub calling_gt: Option<String>,
    pub called_gt: Option<String>,
    pub calling_ssn: Option<u64>,
    pub called_ssn: Option<u64>,
    pub opc: Option<u64>,
    pub dpc: Option<u64>,
    pub otid: Option<String>,
    pub dtid: Option<String>,
    pub acn: Option<String>,
    pub imsi: Option<String>,
    pub msisdn: Option<String>,
    pub returned: Option<bool>,
    pub cmd: Option<u64>,
    pub cmd_name: Option<String>,
    pub app: Option<u64>,
    pub request: Option<bool>,
    pub hbh: Option<u64>,
    pub e2e: Option<u64>,
    pub origin_host: Option<String>,
    pub origin_realm: Option<String>,
    pub dest_host: Option<String>,
    pub dest_realm: Option<String>,
    pub visited_plmn: Option<String>,
    pub layer: Option<String>,
    pub error_text: Option<String>,
    pub evasion: Option<String>,
}

/// Run `sigwatch decode` on `path` and read its lines.
pub fn sigwatch_decode(path: &Path) -> Vec<DecodeLine> {
    let out = sigwatch()
        .arg("decode")
        .arg(path)
        .output()
        .expect("run sigwatch");
    assert!(
        out.status.success(),
        "sigwatch decode {} failed: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            // A malformed line's "error" is text; a returnError's is a code.
            if let Some(obj) = v.as_object_mut() {
                if obj.get("proto").and_then(|p| p.as_str()) == Some("malformed") {
                    if let Some(e) = obj.remove("error") {
                        obj.insert("error_text".into(), e);
                    }
                }
            }
            serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .collect()
}

/// siggen's seed scenario (`seed`, scale 1) written into `dir`: the capture, its policy, and
/// the scenario itself (frames and ground truth).
pub fn seed_files(dir: &Path, seed: u64) -> (PathBuf, PathBuf, siggen::scenario::Capture) {
    std::fs::create_dir_all(dir).unwrap();
    let cap = siggen::scenario::seed(seed, 1);
    let pcap = dir.join(format!("seed-{seed}.pcap"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    cap.write_pcap(&mut f).unwrap();
    drop(f);
    let policy = dir.join(format!("policy-{seed}.toml"));
    std::fs::write(&policy, &cap.policy).unwrap();
    (pcap, policy, cap)
}

/// The report's frame and message counts, and its alerts (`totals` keys).
pub const TOTALS: [&str; 6] = [
    "frames",
    "signaling_frames",
    "messages",
    "malformed",
    "other",
    "alerts",
];

/// The report's accounting: frames = signalling + malformed + other + dropped.
pub fn assert_accounted(report: &serde_json::Value, why: &str) {
    let t = &report["totals"];
    let n = |k: &str| {
        t[k].as_u64()
            .unwrap_or_else(|| panic!("{why}: totals.{k} missing: {t}"))
    };
    assert_eq!(
        n("frames"),
        n("signaling_frames") + n("malformed") + n("other") + n("dropped"),
        "{why}: {t}"
    );
}

/// `sigwatch replay PCAP --config POLICY -q --no-pin ARGS... --report REPORT`: it must succeed
/// without a panic; the report it wrote.
pub fn replay_report(
    pcap: &Path,
    policy: &Path,
    args: &[&str],
    report: &Path,
) -> serde_json::Value {
    let out = sigwatch()
        .arg("replay")
        .arg(pcap)
        .arg("--config")
        .arg(policy)
        .args(["-q", "--no-pin"])
        .args(args)
        .arg("--report")
        .arg(report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "sigwatch replay {args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

/// A siggen scenario replayed: the capture, its alert lines, its report.
pub struct ScenarioRun {
    pub capture: siggen::scenario::Capture,
    pub alerts: Vec<serde_json::Value>,
    pub report: serde_json::Value,
}

/// Write `capture` into a folder named `name` (its policy with `policy_extra` appended) and
/// replay it on `workers` workers, with alerts and a report.
pub fn replay_scenario(
    name: &str,
    capture: siggen::scenario::Capture,
    policy_extra: &str,
    workers: usize,
) -> ScenarioRun {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("capture.pcap");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&pcap).unwrap());
    capture.write_pcap(&mut f).unwrap();
    drop(f);
    let policy = dir.join("policy.toml");
    std::fs::write(&policy, format!("{}{policy_extra}", capture.policy)).unwrap();
    let alerts = dir.join("alerts.jsonl");
    let workers = workers.to_string();
    let args = ["--workers", &workers, "--alerts", alerts.to_str().unwrap()];
    let report = replay_report(&pcap, &policy, &args, &dir.join("report.json"));
    let alerts = std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    ScenarioRun {
        capture,
        alerts,
        report,
    }
}
