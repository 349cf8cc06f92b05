#!/usr/bin/env bash
# Build the .deb (cargo-deb; the DPDK build, the systemd unit, the sample policy, the
# defaults) and check what it holds and that its binary runs. Needs libdpdk-dev (ci/test.sh
# installs it); installs cargo-deb when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# No progress bars in CI's log.
export CARGO_TERM_PROGRESS_WHEN=never
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --version 3.8.0 --locked --quiet
cargo deb -p probe --locked --quiet
deb=$(ls -t target/debian/sigwatch_*.deb | head -1)
echo "built $deb ($(du -k "$deb" | cut -f1) kB)"

fail() { echo "ci/package.sh: $deb: $*" >&2; exit 1; }
files=$(dpkg-deb -c "$deb")
for f in ./usr/bin/sigwatch ./etc/sigwatch/policy.toml ./etc/default/sigwatch \
         ./usr/share/doc/sigwatch/README.md; do
    grep -q " $f\$" <<<"$files" || fail "missing $f"
done
grep -Eq " \./(usr/)?lib/systemd/system/sigwatch\.service\$" <<<"$files" || fail "missing the systemd unit"
dpkg-deb -f "$deb" Depends | grep -q "librte" || fail "Depends does not name DPDK's libraries"
grep -q "/etc/sigwatch/policy.toml" <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) \
    || fail "the policy is not a conffile"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
# (Not `tee /dev/stderr`: reopening stderr truncates a log file that stderr points to.)
version=$("$root/usr/bin/sigwatch" --version)
echo "$version"
grep -q "DPDK" <<<"$version" || fail "--version does not name DPDK"
"$root/usr/bin/sigwatch" check-config "$root/etc/sigwatch/policy.toml" >/dev/null \
    || fail "the sample policy does not check"
echo "ci/package.sh: ok"
