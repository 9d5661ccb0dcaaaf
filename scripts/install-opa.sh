#!/usr/bin/env bash
# Installs the pinned OPA compiler into .tools/bin/opa with `go install`, once.
# A second run finds the binary and its version stamp and returns at once.
# Usage: scripts/install-opa.sh        (prints the path of the opa binary on its last line)
set -euo pipefail

OPA_VERSION="${MESHGUARD_OPA_VERSION:-v1.22.2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
stamp="$root/.tools/opa.version"

if [[ -x "$bin_dir/opa" && -f "$stamp" && "$(cat "$stamp")" == "$OPA_VERSION" ]]; then
  echo "$bin_dir/opa"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [[ -x "$candidate" ]] && export PATH="$(dirname "$candidate"):$PATH" && break
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "install-opa: Go is required to build opa $OPA_VERSION (go install); install Go 1.22 or later and run again" >&2
  exit 3
fi

mkdir -p "$bin_dir"
start=$(date +%s)
echo "install-opa: building github.com/open-policy-agent/opa@$OPA_VERSION into $bin_dir (first run only)" >&2
GOBIN="$bin_dir" GOFLAGS=-trimpath go install -ldflags='-s -w' "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
echo "$OPA_VERSION" > "$stamp"
echo "install-opa: done in $(( $(date +%s) - start ))s" >&2
echo "$bin_dir/opa"
