#!/usr/bin/env bash
# The project's test command (README): formatting, lints, every test, and the instruction-count
# guard. Installs what the tests need with apt-get when run as root and it is missing: tshark
# (the decode oracle), DPDK with pkg-config and libclang (the `dpdk` feature), iproute2 (the
# af_packet test's namespace), nats-server (multi-probe export), valgrind (instruction counts),
# prometheus (promtool checks the metrics page).
#
# Without root and without those, it still runs: what needs them is skipped and listed at the
# end. With CI set (CI does), nothing may be skipped.
#
# Settings: SIGWATCH_CAPTURES names the folder of public captures the corpus tests read (none:
# they are skipped); CI=true makes every skip a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
log() { printf '\n== %s (%ds)\n' "$*" "$(($(date +%s) - started))"; }
# An empty CI is no CI (the tests look for the variable's presence).
if [ -n "${CI:-}" ]; then export CI; else unset CI; fi
ci=${CI:-}

need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
pkg-config --exists libdpdk 2>/dev/null || need+=(libdpdk-dev dpdk pkg-config)
ls /usr/lib/llvm-*/lib/libclang*.so >/dev/null 2>&1 || need+=(clang libclang-dev)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
if ((${#need[@]})); then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${need[*]}"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
    elif [ -n "$ci" ]; then
        echo "ci/test.sh: missing ${need[*]}, and CI must have them (run as root)" >&2
        exit 1
    else
        echo "ci/test.sh: missing ${need[*]} (not root: not installing); what needs them is skipped"
    fi
fi
skipped=()
features=()
if pkg-config --exists libdpdk 2>/dev/null && ls /usr/lib/llvm-*/lib/libclang*.so >/dev/null 2>&1; then
    features=(--features probe/dpdk,bench/dpdk)
else
    skipped+=("the dpdk feature's build, lints and tests: libdpdk-dev or libclang is missing")
fi

log "toolchain"
cargo --version
rustc --version
if command -v tshark >/dev/null 2>&1; then tshark --version | head -1; fi

# No progress bars in logs.
export CARGO_TERM_PROGRESS_WHEN=never

log "rustfmt"
cargo fmt --all -- --check

log "clippy"
# One pass over everything that builds here (with DPDK, every crate and feature).
cargo clippy --workspace --all-targets "${features[@]}" --locked -- -D warnings

log "tests"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One test build with every feature, then the one test that needs the build without DPDK
# (`sigwatch run` says how to get it).
cargo test --workspace "${features[@]}" --locked 2>&1 | tee "$out"
if ((${#features[@]})); then
    cargo test -p probe --test cli --locked 2>&1 | tee -a "$out"
fi

log "instruction counts (callgrind, against bench/ir-baseline.txt)"
if command -v valgrind >/dev/null 2>&1; then
    bash ci/ir.sh
else
    skipped+=("the instruction-count guard (ci/ir.sh): valgrind is missing")
fi

while IFS= read -r line; do
    skipped+=("${line#skipped: }")
done < <(grep -a '^skipped: ' "$out" | sort -u)
log "done"
if ((${#skipped[@]})); then
    echo "Skipped (${#skipped[@]}):"
    printf '  - %s\n' "${skipped[@]}"
    if [ -n "$ci" ]; then
        echo "ci/test.sh: CI may skip nothing" >&2
        exit 1
    fi
else
    echo "Nothing skipped."
fi
