#!/usr/bin/env bash
# The project's test command (README): installs what the tests need, then runs formatting,
# lints and every test. Fails loudly on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# System packages: tshark is the decode oracle; DPDK (libdpdk-dev, its PMDs in dpdk), pkg-config
# and libclang for the `dpdk` feature's bindings; iproute2 for the af_packet test's namespace;
# nats-server (JetStream) for the multi-probe export test.
# Installed only where missing, as root.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
pkg-config --exists libdpdk 2>/dev/null || need+=(libdpdk-dev dpdk pkg-config)
[ -e /usr/lib/llvm-14/lib/libclang.so ] || ls /usr/lib/llvm-*/lib/libclang*.so >/dev/null 2>&1 \
    || need+=(clang libclang-dev)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
if ((${#need[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ci/test.sh: missing ${need[*]}; run as root (apt-get) or install them" >&2
        exit 1
    fi
    log "installing ${need[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

log "toolchain"
cargo --version
rustc --version
tshark --version | head -1

log "rustfmt"
cargo fmt --all -- --check

log "clippy"
# Without DPDK (what builds on any machine), then everything with it.
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --workspace --all-targets --features probe/dpdk,bench/dpdk --locked -- -D warnings

log "tests"
# CI set: tests that need tshark (or root, for the af_packet test) fail instead of skipping.
CI=${CI:-true} cargo test --workspace --features probe/dpdk,bench/dpdk --locked
# Built without DPDK, `sigwatch run` says how to get it.
cargo test -p probe --test cli --locked

log "package (.deb)"
bash ci/package.sh

log "fuzzing (smoke: ${FUZZ_SECONDS:-20}s per target)"
bash ci/fuzz.sh
