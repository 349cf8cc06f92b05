//! The live-path benchmark (`dpdk_ring`) on the real EAL: frames fed into a net_ring device's
//! two RX queues reach two workers, every one counted once and decoded as signaling.

#![cfg(feature = "dpdk")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn every_frame_fed_to_a_net_ring_is_counted_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_dpdk_ring"))
        .args(["--frames", "200000", "--workers", "2", "--memory-mb", "256"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dpdk_ring failed: {stderr}");
    assert!(stderr.contains("2 RX queues"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["frames"], 200_000);
    // Load frames are all signaling, none malformed; a fifth of the MAP is an attack.
    assert_eq!(v["signaling_frames"], 200_000);
    assert_eq!(v["malformed"], 0);
    let alerts = v["alerts"].as_u64().unwrap();
    assert!((20_000..60_000).contains(&alerts), "{alerts} alerts");
}
