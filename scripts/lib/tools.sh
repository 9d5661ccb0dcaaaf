# shellcheck shell=bash
# Shared by the scripts/install-*.sh scripts (source it): the project's tools folder, one build at
# a time, and finding Go.

tools_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools_bin="$tools_root/.tools/bin"

# tools_lock NAME: holds .tools/NAME.lock until the calling script exits, so that test files or
# scripts running at the same time build a tool once; the others wait, then find it installed.
tools_lock() {
  mkdir -p "$tools_bin"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$tools_root/.tools/$1.lock"
    flock 9
  fi
}

# require_go WHO WHAT: puts Go on PATH (it is often installed off PATH in /usr/local/go), or exits 3
# with a message naming what needs it.
require_go() {
  if ! command -v go >/dev/null 2>&1; then
    for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
      [[ -x "$candidate" ]] && PATH="${candidate%/go}:$PATH" && export PATH && break
    done
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "$1: Go is required to build $2 from source; install Go 1.24 or later (or put it on PATH) and run again" >&2
    exit 3
  fi
}

# tools_take NAME OUTPUT: when the caller's `installed` function says the tool is there, prints
# OUTPUT and exits; otherwise takes the build lock and asks again (another run may have just built
# it), so the caller goes on to build only when it really must.
tools_take() {
  if installed; then echo "$2"; exit 0; fi
  tools_lock "$1"
  if installed; then echo "$2"; exit 0; fi
}
