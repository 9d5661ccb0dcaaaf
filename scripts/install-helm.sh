#!/usr/bin/env bash
# Installs the pinned Helm 3 CLI into .tools/bin/helm with `go install`, once.
# Built from source through the Go module proxy (no prebuilt download).
# A second run finds the binary and its version stamp and returns at once.
# Usage: scripts/install-helm.sh        (prints the path of the helm binary on its last line)
set -euo pipefail
# shellcheck source=scripts/lib/tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tools.sh"

HELM_VERSION="${MESHGUARD_HELM_VERSION:-v3.19.5}"
bin_dir="$tools_bin"
stamp="$tools_root/.tools/helm.version"

installed() { [[ -x "$bin_dir/helm" && -f "$stamp" && "$(cat "$stamp")" == "$HELM_VERSION" ]]; }
# Test files run in parallel and each may call this script: one builds, the others wait for it.
tools_take helm "$bin_dir/helm"
require_go install-helm "helm $HELM_VERSION"

start=$(date +%s)
echo "install-helm: building helm.sh/helm/v3/cmd/helm@$HELM_VERSION into $bin_dir (first run only)" >&2

# Set the same link-time variables as helm's own Makefile: the version `helm version` reports, and
# the Kubernetes version `helm template` / `helm lint` assume (1.<minor of the client-go it uses>),
# which a plain `go install` would leave at v1.20 and so fail charts with a kubeVersion constraint.
gomod="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")"
if [[ ! "$client_go" =~ ^v0\.([0-9]+)\. ]]; then
  echo "install-helm: cannot read the k8s.io/client-go version from $gomod" >&2
  exit 2
fi
kube_minor="${BASH_REMATCH[1]}"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$kube_minor"
done
GOBIN="$bin_dir" GOFLAGS=-trimpath go install -ldflags="$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
echo "$HELM_VERSION" > "$stamp"
echo "install-helm: done in $(( $(date +%s) - start ))s" >&2
echo "$bin_dir/helm"
