#!/usr/bin/env bash
# Instruction counts of the hot paths, held to bench/ir-baseline.txt: fails when one grows by
# more than 5 %. Counts come from callgrind (valgrind), which counts instructions executed, so
# they do not depend on what else the machine is doing; they do depend on the compiler, so the
# baseline names the rustc it was made with, and a different rustc only warns.
#
#   bash ci/ir.sh            compare
#   IR_UPDATE=1 bash ci/ir.sh  rewrite the baseline (after a change that is meant to cost)
#
# Stages (bench/examples/ir.rs, 65,536 siggen load frames, each one message):
#   decode    `ir stack`: the frame decoder, per frame
#   classify  `ir classify` minus `ir stack`: the classifier, per message
#   worker    `ir worker`: a worker's whole run (decode, classify, shard, verdicts), per frame
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=bench/ir-baseline.txt
export CARGO_TERM_PROGRESS_WHEN=never
cargo build --release --locked -p bench --example ir
ir=target/release/examples/ir
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions in the stage's pass (ir::pass_*), and the items it took.
count() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$1.out" --toggle-collect='ir::pass_*' \
        "$ir" "$1" 2>"$tmp/$1.err" >/dev/null
    local total items
    total=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$tmp/$1.out")
    items=$(sed -n "s/^$1: \([0-9]*\) items.*/\1/p" "$tmp/$1.err")
    [ -n "$total" ] && [ -n "$items" ] || { cat "$tmp/$1.err" >&2; exit 1; }
    echo "$total $items"
}
read -r stack frames < <(count stack)
read -r classify _ < <(count classify)
read -r worker _ < <(count worker)
decode=$(awk -v a="$stack" -v n="$frames" 'BEGIN { printf "%.1f", a / n }')
judge=$(awk -v a="$classify" -v b="$stack" -v n="$frames" 'BEGIN { printf "%.1f", (a - b) / n }')
whole=$(awk -v a="$worker" -v n="$frames" 'BEGIN { printf "%.1f", a / n }')
rustc=$(rustc --version)

if [ -n "${IR_UPDATE:-}" ]; then
    {
        echo "# Instructions per item (callgrind), made by: IR_UPDATE=1 bash ci/ir.sh"
        echo "# $rustc"
        echo "decode $decode"
        echo "classify $judge"
        echo "worker $whole"
    } >"$baseline"
    cat "$baseline"
    exit 0
fi

made_with=$(sed -n 's/^# \(rustc .*\)/\1/p' "$baseline")
failed=0
printf '%-9s %10s %10s %8s\n' stage baseline now change
for row in "decode $decode" "classify $judge" "worker $whole"; do
    read -r stage now <<<"$row"
    base=$(awk -v s="$stage" '$1 == s { print $2 }' "$baseline")
    change=$(awk -v a="$now" -v b="$base" 'BEGIN { printf "%+.1f %%", 100 * (a - b) / b }')
    printf '%-9s %10s %10s %8s\n' "$stage" "$base" "$now" "$change"
    if awk -v a="$now" -v b="$base" 'BEGIN { exit !(a > b * 1.05) }'; then
        failed=1
    fi
done
if ((failed)); then
    if [ "$made_with" != "$rustc" ]; then
        echo "ci/ir.sh: over the baseline by more than 5 %, but the baseline was made with" \
             "$made_with and this is $rustc: not failing (update the baseline)" >&2
        exit 0
    fi
    echo "ci/ir.sh: a stage costs more than 5 % over $baseline" >&2
    exit 1
fi
echo "ci/ir.sh: within 5 % of the baseline"
