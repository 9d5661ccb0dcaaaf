#!/usr/bin/env bash
# Smoke test for the kube-apiserver and etcd built by scripts/install-kube-tools.sh.
#
# Starts etcd and kube-apiserver on loopback only (127.0.0.1, free random ports,
# a temporary data dir), with a CA, a serving certificate (SAN 127.0.0.1,
# localhost, kubernetes.default.svc...), an admin client certificate (CN
# meshguard-admin, O system:masters) and a service-account signing key, all made
# here with openssl. It waits for /readyz, then lists namespaces, creates a
# namespace, a CRD (and one object of it) and a Pod (no controller-manager runs,
# so the ServiceAccount admission plugin is disabled), issues and checks a
# service-account token, then stops both processes and removes everything.
#
# Usage: scripts/smoke-kube.sh   (builds the binaries first if needed)
#   KEEP_TMP=1 keeps the temporary directory (certs, logs) for inspection.
# Exit 0 on success; on failure the tails of both logs are printed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$("$root/scripts/install-kube-tools.sh" | tail -n1)"
for tool in openssl curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "smoke-kube: $tool is required (apt-get install $tool)" >&2; exit 3; }
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/meshguard-kube.XXXXXX")"
etcd_pid=""
apiserver_pid=""
ok=0

now_ms() { date +%s%3N; }
log() { echo "smoke-kube: $*" >&2; }

stop_pid() { # <pid>: TERM, then KILL after 10 s
  local pid="$1" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  stop_pid "$apiserver_pid"
  stop_pid "$etcd_pid"
  if [[ $ok -ne 1 ]]; then
    for f in etcd.log kube-apiserver.log; do
      [[ -f "$tmp/$f" ]] && { echo "----- last lines of $f -----" >&2; tail -n 30 "$tmp/$f" >&2; }
    done
  fi
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then log "kept $tmp"; else rm -rf "$tmp"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free TCP port on 127.0.0.1: random in 20000-60999, nothing accepts on it,
# and not already handed out by this script.
used_ports=" "
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 41000 ))
    [[ "$used_ports" == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports+="$p "
      echo "$p"
      return 0
    fi
  done
  log "no free port found"; return 1
}

# ---- certificates -----------------------------------------------------------
cd "$tmp"
mkdir pki
# ECDSA P-256 keys: ~10x faster to make than RSA-2048, and accepted everywhere
# here (TLS serving/client certs, ES256 service-account tokens).
newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
newkey pki/ca.key
openssl req -x509 -new -key pki/ca.key -out pki/ca.crt -days 2 \
  -subj "/CN=meshguard-e2e-ca" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
cat > pki/serving.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.0.0.1
EOF
cat > pki/client.ext <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
EOF
newkey pki/apiserver.key
openssl req -new -key pki/apiserver.key -out pki/apiserver.csr \
  -subj "/CN=kube-apiserver" 2>/dev/null
openssl x509 -req -in pki/apiserver.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial \
  -days 2 -extfile pki/serving.ext -out pki/apiserver.crt 2>/dev/null
newkey pki/admin.key
openssl req -new -key pki/admin.key -out pki/admin.csr \
  -subj "/O=system:masters/CN=meshguard-admin" 2>/dev/null
openssl x509 -req -in pki/admin.csr -CA pki/ca.crt -CAkey pki/ca.key -CAcreateserial \
  -days 2 -extfile pki/client.ext -out pki/admin.crt 2>/dev/null
newkey pki/sa.key
openssl pkey -in pki/sa.key -pubout -out pki/sa.pub

# ---- etcd -------------------------------------------------------------------
etcd_port="$(free_port)"
etcd_peer_port="$(free_port)"
api_port="$(free_port)"
etcd_url="http://127.0.0.1:$etcd_port"

start_ms=$(now_ms)
"$bin_dir/etcd" \
  --name=e2e \
  --data-dir="$tmp/etcd-data" \
  --listen-client-urls="$etcd_url" \
  --advertise-client-urls="$etcd_url" \
  --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster="e2e=http://127.0.0.1:$etcd_peer_port" \
  --unsafe-no-fsync \
  --log-level=warn \
  > "$tmp/etcd.log" 2>&1 &
etcd_pid=$!

for i in $(seq 1 100); do
  curl -fsS "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"' && break
  kill -0 "$etcd_pid" 2>/dev/null || { log "etcd exited"; exit 1; }
  [[ $i -eq 100 ]] && { log "etcd not healthy after 20s"; exit 1; }
  sleep 0.2
done
log "etcd healthy on $etcd_url after $(( $(now_ms) - start_ms )) ms"

# ---- kube-apiserver ---------------------------------------------------------
# ServiceAccount admission is off: without kube-controller-manager no namespace
# ever gets its "default" ServiceAccount, and that plugin would reject every Pod.
# MutatingAdmissionWebhook and ValidatingAdmissionWebhook stay on (default).
# --endpoint-reconciler-type=none: 127.0.0.1 is not a valid Endpoints address.
apiserver_flags=(
  --bind-address=127.0.0.1
  --advertise-address=127.0.0.1
  --secure-port="$api_port"
  --etcd-servers="$etcd_url"
  --tls-cert-file="$tmp/pki/apiserver.crt"
  --tls-private-key-file="$tmp/pki/apiserver.key"
  --client-ca-file="$tmp/pki/ca.crt"
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-account-key-file="$tmp/pki/sa.pub"
  --service-account-signing-key-file="$tmp/pki/sa.key"
  --service-cluster-ip-range=10.0.0.0/24
  --authorization-mode=RBAC
  --disable-admission-plugins=ServiceAccount
  --endpoint-reconciler-type=none
  --allow-privileged=true
  --profiling=false
  --v=1
)
start_ms=$(now_ms)
"$bin_dir/kube-apiserver" "${apiserver_flags[@]}" > "$tmp/kube-apiserver.log" 2>&1 &
apiserver_pid=$!

api="https://127.0.0.1:$api_port"
kcurl() { curl -fsS --cacert "$tmp/pki/ca.crt" --cert "$tmp/pki/admin.crt" --key "$tmp/pki/admin.key" "$@"; }

for i in $(seq 1 600); do
  [[ "$(kcurl "$api/readyz" 2>/dev/null || true)" == ok ]] && break
  kill -0 "$apiserver_pid" 2>/dev/null || { log "kube-apiserver exited"; exit 1; }
  [[ $i -eq 600 ]] && { log "kube-apiserver not ready after 120s"; kcurl "$api/readyz?verbose" >&2 || true; exit 1; }
  sleep 0.2
done
ready_ms=$(( $(now_ms) - start_ms ))
version="$(kcurl "$api/version")"
log "kube-apiserver $(sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' <<<"$version") ready on $api after $ready_ms ms"

# ---- requests ---------------------------------------------------------------
# contains <url> <regex>: GET url and fail unless the body matches.
contains() { local body; body="$(kcurl "$1")"; grep -q "$2" <<<"$body" || { log "GET $1: no match for $2"; return 1; }; }
# json <METHOD> <path> < body: send a JSON body; on an HTTP error print the Status.
json() {
  local out code
  out="$(curl -sS --cacert "$tmp/pki/ca.crt" --cert "$tmp/pki/admin.crt" --key "$tmp/pki/admin.key" \
    -X "$1" -H 'Content-Type: application/json' --data-binary @- -w '\n%{http_code}' "$api$2")"
  code="${out##*$'\n'}"
  [[ "$code" == 2?? ]] || { log "$1 $2 -> HTTP $code: $(tr -s '\n ' ' ' <<<"${out%$'\n'*}")"; return 1; }
}

namespaces="$(kcurl "$api/api/v1/namespaces")"
log "GET /api/v1/namespaces: $(grep -o '"name": *"[^"]*"' <<<"$namespaces" | sed 's/.*"\([^"]*\)"$/\1/' | tr '\n' ' ')"

json POST /api/v1/namespaces <<'EOF'
{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"smoke"}}
EOF
contains "$api/api/v1/namespaces/smoke" '"phase": *"Active"'
log "created namespace smoke"

json POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions <<'EOF'
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
 "metadata":{"name":"widgets.smoke.meshguard.dev"},
 "spec":{"group":"smoke.meshguard.dev","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget"},
  "versions":[{"name":"v1","served":true,"storage":true,
   "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
EOF
for i in $(seq 1 100); do
  kcurl "$api/apis/smoke.meshguard.dev/v1/namespaces/smoke/widgets" >/dev/null 2>&1 && break
  [[ $i -eq 100 ]] && { log "CRD widgets.smoke.meshguard.dev never served"; exit 1; }
  sleep 0.2
done
json POST /apis/smoke.meshguard.dev/v1/namespaces/smoke/widgets <<'EOF'
{"apiVersion":"smoke.meshguard.dev/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":1}}
EOF
contains "$api/apis/smoke.meshguard.dev/v1/namespaces/smoke/widgets" '"name": *"w1"'
log "created CRD widgets.smoke.meshguard.dev and a Widget"

json POST /api/v1/namespaces/smoke/pods <<'EOF'
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1"},
 "spec":{"containers":[{"name":"app","image":"registry.invalid/app:1"}]}}
EOF
contains "$api/api/v1/namespaces/smoke/pods" '"name": *"p1"'
log "created Pod smoke/p1"

# The service-account signing key works: issue a token and authenticate with it.
json POST /api/v1/namespaces/smoke/serviceaccounts <<'EOF'
{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"robot"}}
EOF
token_response="$(kcurl -X POST -H 'Content-Type: application/json' \
  --data-binary '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}' \
  "$api/api/v1/namespaces/smoke/serviceaccounts/robot/token")"
token="$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' <<<"$token_response")"
[[ -n "$token" ]] || { log "no token in TokenRequest response"; exit 1; }
whoami="$(curl -fsS --cacert "$tmp/pki/ca.crt" -H "Authorization: Bearer $token" -X POST \
  -H 'Content-Type: application/json' --data-binary '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' \
  "$api/apis/authentication.k8s.io/v1/selfsubjectreviews")"
grep -q 'system:serviceaccount:smoke:robot' <<<"$whoami" || { log "token did not authenticate: $whoami"; exit 1; }
log "issued and verified a token for ServiceAccount smoke/robot"

ok=1
log "OK (apiserver start-to-ready ${ready_ms} ms)"
