#!/usr/bin/env bash
# Fuzz every target for a while (FUZZ_SECONDS each, default 20), from seed corpora cut from
# siggen's captures (seed, load, and evasion, whose frames carry M2UA, MPLS, VXLAN, LLC/SNAP,
# decoys and overlaps into the frame target) and, when SIGWATCH_CAPTURES names a folder of
# captures, from those. Fails on the first crash; the input is left in fuzz/artifacts/TARGET/.
#
# The targets are built as cargo-fuzz builds them (libFuzzer's coverage instrumentation,
# `--cfg fuzzing`), with debug assertions and overflow checks on, and without AddressSanitizer:
# the decoders forbid unsafe code, so what it would catch cannot happen there, and it doubles
# the build. Nightly flags are unlocked on the stable toolchain with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
export RUSTC_BOOTSTRAP=1 CARGO_TERM_PROGRESS_WHEN=never

corpus=fuzz/corpus
if [ ! -d "$corpus/frame" ]; then
    cargo build --release --locked -p tools --bins
    mkdir -p "$corpus/_pcaps"
    target/release/siggen --scenario seed --seed 1 --out "$corpus/_pcaps/seed.pcap" 2>/dev/null
    target/release/siggen --scenario load --frames 2000 --out "$corpus/_pcaps/load.pcap" 2>/dev/null
    target/release/siggen --scenario evasion --seed 1 --out "$corpus/_pcaps/evasion.pcap" 2>/dev/null
    shopt -s nullglob
    public=()
    if [ -n "${SIGWATCH_CAPTURES:-}" ]; then public=("$SIGWATCH_CAPTURES"/*.pcap*); fi
    target/release/fuzz-seeds "$corpus" "$corpus"/_pcaps/*.pcap "${public[@]}"
fi

triple=$(rustc -vV | sed -n 's/^host: //p')
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
flags+=" -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares"
flags+=" --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
(cd fuzz && RUSTFLAGS="$flags" cargo build --release --locked --bins --target "$triple" \
    --target-dir target)
bin=fuzz/target/$triple/release
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^sigwatch-fuzz$')
for t in $targets; do
    mkdir -p "$corpus/$t" "fuzz/artifacts/$t"
    echo "== fuzz $t (${seconds}s)"
    "$bin/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$seconds" \
        -print_final_stats=1 -rss_limit_mb=2048 "$corpus/$t" 2>&1 \
        | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: .*coverage|==[0-9]+==ERROR|SUMMARY|Test unit written|thread .* panicked)" || true
    if [ -n "$(ls -A "fuzz/artifacts/$t" 2>/dev/null)" ]; then
        echo "fuzz $t: crash, input in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
