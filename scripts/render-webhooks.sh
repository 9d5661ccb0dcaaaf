#!/usr/bin/env bash
# Renders ONLY meshguard's two webhook configurations from the Helm chart, pointing the API server
# at a URL instead of the in-cluster Service, with a given CA bundle. For end-to-end tests that run
# meshguard as a local process beside a real kube-apiserver.
#
# Usage: scripts/render-webhooks.sh <release> <namespace> <url> <ca-bundle.pem> [helm args...]
#   url            https://127.0.0.1:<port> (clientConfig.url = <url>/mutate and <url>/validate)
#   ca-bundle.pem  PEM file of the CA that signed meshguard's serving certificate
#   helm args      passed on, e.g. --set webhook.validating.failurePolicy=Ignore or
#                  --set webhook.failurePolicies.workloadsValidate=Fail (one value per webhook)
# Prints the two objects (MutatingWebhookConfiguration, ValidatingWebhookConfiguration) as YAML on
# stdout; the webhooks never intercept <namespace>, kube-system, kube-public or kube-node-lease.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
release="$1" namespace="$2" url="$3" ca="$4"
shift 4
if [[ ! -s "$ca" ]]; then
  echo "render-webhooks: CA bundle file $ca is missing or empty" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
helm="$(bash "$root/scripts/install-helm.sh" | tail -n 1)"
exec "$helm" template "$release" "$root/charts/meshguard" --namespace "$namespace" \
  --set-string "webhook.url=$url" --set-file "tls.caBundle=$ca" \
  --show-only templates/mutatingwebhookconfiguration.yaml \
  --show-only templates/validatingwebhookconfiguration.yaml \
  "$@"
