#!/usr/bin/env bash
# The project's test command (README): installs what the tests need, then runs formatting,
# lints and every test. Fails loudly on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# System packages: tshark is the decode oracle. Installed only where missing, as root.
need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
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
cargo clippy --workspace --all-targets --locked -- -D warnings

log "tests"
# CI set: tests that need tshark fail instead of skipping when it is missing.
CI=${CI:-true} cargo test --workspace --locked
