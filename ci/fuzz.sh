#!/usr/bin/env bash
# Fuzz every target for a while (FUZZ_SECONDS each, default 20), from seed corpora cut from
# the public captures in ../shared and from siggen. Fails on the first crash; the crashing
# input is left in fuzz/artifacts/TARGET/. cargo-fuzz is installed when missing; it needs
# nightly features, which RUSTC_BOOTSTRAP=1 unlocks on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2

corpus=fuzz/corpus
if [ ! -d "$corpus/frame" ]; then
    cargo build --release --locked -p tools --bins
    mkdir -p "$corpus/_pcaps"
    target/release/siggen --scenario seed --seed 1 --out "$corpus/_pcaps/seed.pcap" 2>/dev/null
    target/release/siggen --scenario load --frames 2000 --out "$corpus/_pcaps/load.pcap" 2>/dev/null
    shopt -s nullglob
    target/release/fuzz-seeds "$corpus" "$corpus"/_pcaps/*.pcap ../shared/captures/public/*.pcap*
fi

targets=$(cd fuzz && cargo fuzz list)
(cd fuzz && cargo fuzz build -O)
for t in $targets; do
    mkdir -p "$corpus/$t"
    echo "== fuzz $t (${seconds}s)"
    (cd fuzz && cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" \
        -print_final_stats=1 -rss_limit_mb=2048 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: .*coverage|==[0-9]+==ERROR|SUMMARY|Test unit written)" || true)
    if [ -n "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ]; then
        echo "fuzz $t: crash, input in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
