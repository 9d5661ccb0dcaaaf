#!/usr/bin/env bash
# Installs the pinned OPA compiler into .tools/bin/opa with `go install`, once.
# A second run finds the binary and its version stamp and returns at once.
# Usage: scripts/install-opa.sh        (prints the path of the opa binary on its last line)
set -euo pipefail
# shellcheck source=scripts/lib/tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tools.sh"

OPA_VERSION="${MESHGUARD_OPA_VERSION:-v1.22.2}"
stamp="$tools_root/.tools/opa.version"

installed() { [[ -x "$tools_bin/opa" && -f "$stamp" && "$(cat "$stamp")" == "$OPA_VERSION" ]]; }
tools_take opa "$tools_bin/opa"
require_go install-opa "opa $OPA_VERSION"

start=$(date +%s)
echo "install-opa: building github.com/open-policy-agent/opa@$OPA_VERSION into $tools_bin (first run only)" >&2
GOBIN="$tools_bin" GOFLAGS=-trimpath go install -ldflags='-s -w' "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
echo "$OPA_VERSION" > "$stamp"
echo "install-opa: done in $(( $(date +%s) - start ))s" >&2
echo "$tools_bin/opa"
