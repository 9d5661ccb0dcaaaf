#!/usr/bin/env bash
# Installs the Prometheus server and promtool from Debian's `prometheus` package into
# .tools/prometheus (unpacked with `apt-get download` + `dpkg -x`, so nothing is installed or
# started system-wide), once. The tests start it on loopback and backfill history with
# `promtool tsdb create-blocks-from openmetrics`.
# A second run finds the binaries and the version stamp and returns at once.
# Usage: scripts/install-prometheus.sh   (prints the folder holding `prometheus` and `promtool` on its last line)
set -euo pipefail
# shellcheck source=scripts/lib/tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tools.sh"

target="$tools_root/.tools/prometheus"
bin_dir="$target/usr/bin"
stamp="$tools_root/.tools/prometheus.version"

installed() { [[ -x "$bin_dir/prometheus" && -x "$bin_dir/promtool" && -f "$stamp" ]]; }
tools_take prometheus "$bin_dir"

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-prometheus: apt-get is required (Debian's prometheus package provides the server and promtool)" >&2
  exit 3
fi
start=$(date +%s)
# An empty package index (a fresh container) knows no candidate: refresh it first.
if ! apt-cache policy prometheus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "install-prometheus: refreshing the package index (apt-get update)" >&2
  apt-get update -qq >&2 || { echo "install-prometheus: apt-get update failed (run it as root once)" >&2; exit 3; }
fi
version="$(apt-cache policy prometheus | sed -n 's/^ *Candidate: //p')"
echo "install-prometheus: unpacking Debian prometheus $version into $target (first run only)" >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download fetches as the _apt user
(cd "$work" && apt-get download -qq prometheus >&2)
rm -rf "$target"
mkdir -p "$target"
dpkg -x "$work"/prometheus_*.deb "$target"
"$bin_dir/promtool" tsdb create-blocks-from openmetrics --help >/dev/null
echo "$version" > "$stamp"
echo "install-prometheus: done in $(( $(date +%s) - start ))s" >&2
echo "$bin_dir"
