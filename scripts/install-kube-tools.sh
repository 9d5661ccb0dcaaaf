#!/usr/bin/env bash
# Builds a real kube-apiserver, kubectl and etcd from source (Go modules only, no
# downloads of prebuilt binaries) into .tools/bin/, for the end-to-end tests.
#
#   kube-apiserver  k8s.io/kubernetes/cmd/kube-apiserver, pinned by test/e2e/kube/go.mod
#   kubectl         k8s.io/kubernetes/cmd/kubectl, the same pinned module
#   etcd            go.etcd.io/etcd/server/v3 (etcd's main package), pinned by test/e2e/etcd/go.mod
#
# Idempotent: when both binaries exist and .tools/kube-tools.version records the
# same pins (module versions plus a hash of the go.mod/go.sum files), it returns
# at once without needing Go at all. Otherwise the first build takes about
# 11 minutes on 2 cores (kube-apiserver ~8, kubectl ~1, etcd ~2; run it in the background
# from an interactive shell); rebuilds with a warm Go build cache take ~30 s.
# Go's default build and module caches are used; concurrent runs serialize.
#
# Usage: scripts/install-kube-tools.sh [--force]
#   Prints the bin directory (.tools/bin) on its last line of stdout; progress
#   and timings go to stderr. Exit 3 if Go is needed but missing.
set -euo pipefail
# shellcheck source=scripts/lib/tools.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/tools.sh"

root="$tools_root"
bin_dir="$tools_bin"
stamp="$root/.tools/kube-tools.version"
kube_mod="$root/test/e2e/kube"
etcd_mod="$root/test/e2e/etcd"

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-kube-tools: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# The pinned version of a module as required by a go.mod file (no Go needed).
required_version() { # <go.mod> <module path>
  awk -v m="$2" '($1 == m && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == m) { print $3; exit }' "$1"
}

k8s_version="$(required_version "$kube_mod/go.mod" k8s.io/kubernetes)"
etcd_version="$(required_version "$etcd_mod/go.mod" go.etcd.io/etcd/server/v3)"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  echo "install-kube-tools: cannot read the pinned versions from $kube_mod/go.mod and $etcd_mod/go.mod" >&2
  exit 2
fi
mods_hash="$(cat "$kube_mod/go.mod" "$kube_mod/go.sum" "$etcd_mod/go.mod" "$etcd_mod/go.sum" | sha256sum | cut -c1-16)"
want_stamp="kube-apiserver=$k8s_version kubectl=$k8s_version etcd=$etcd_version modules=$mods_hash"

up_to_date() {
  [[ $force -eq 0 && -x "$bin_dir/kube-apiserver" && -x "$bin_dir/kubectl" && -x "$bin_dir/etcd" && -f "$stamp" \
      && "$(cat "$stamp")" == "$want_stamp" ]]
}
done_already() {
  echo "install-kube-tools: kube-apiserver and kubectl $k8s_version and etcd $etcd_version already in $bin_dir" >&2
  echo "$bin_dir"
  exit 0
}
up_to_date && done_already

# One build at a time: a second caller waits here, then finds the stamp.
tools_lock kube-tools
up_to_date && done_already
require_go install-kube-tools "kube-apiserver $k8s_version and etcd $etcd_version"

rm -f "$stamp"
export GOFLAGS="-trimpath${GOFLAGS:+ $GOFLAGS}"
total_start=$(date +%s)
echo "install-kube-tools: building with $(go version) into $bin_dir (about 10 min with a cold Go build cache)" >&2

# build <module dir> <package> <output name> [extra -ldflags]: builds next to the
# final path and renames, so an interrupted build never leaves a broken binary.
build() {
  local dir="$1" pkg="$2" out="$3" extra_ldflags="${4:-}" start tmp
  start=$(date +%s)
  tmp="$bin_dir/.$out.tmp.$$"
  echo "install-kube-tools: go build $pkg ..." >&2
  if ! (cd "$dir" && go build -buildvcs=false -ldflags="-s -w $extra_ldflags" -o "$tmp" "$pkg") >&2; then
    rm -f "$tmp"
    echo "install-kube-tools: building $pkg failed" >&2
    exit 1
  fi
  mv -f "$tmp" "$bin_dir/$out"
  echo "install-kube-tools: $out built in $(( $(date +%s) - start ))s ($(du -h "$bin_dir/$out" | cut -f1))" >&2
}

# The version that `kube-apiserver --version` and GET /version report; without
# these the binary would call itself v0.0.0-master.
k8s_minor="${k8s_version#v1.}"; k8s_minor="${k8s_minor%%.*}"
ver_pkg=k8s.io/component-base/version
kube_ldflags="-X $ver_pkg.gitVersion=$k8s_version -X $ver_pkg.gitMajor=1 -X $ver_pkg.gitMinor=$k8s_minor"
kube_ldflags+=" -X $ver_pkg.gitTreeState=clean -X $ver_pkg.buildDate=1970-01-01T00:00:00Z"

build "$etcd_mod" go.etcd.io/etcd/server/v3 etcd
build "$kube_mod" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$kube_ldflags"
build "$kube_mod" k8s.io/kubernetes/cmd/kubectl kubectl "$kube_ldflags"

echo "$want_stamp" > "$stamp"
echo "install-kube-tools: done in $(( $(date +%s) - total_start ))s: kube-apiserver and kubectl $k8s_version, etcd $etcd_version" >&2
echo "$bin_dir"
