#!/usr/bin/env bash
# The demo tour: start the simulator on a free local port, talk to it with the CLI, stop it.
set -euo pipefail
build="${1:-build}"
sim="$build/sim/s7plus-sim"
cli="$build/cli/s7plus"
tmp="$(mktemp -d)"
sim_pid=""
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

"$sim" --port 0 --port-file "$tmp/port" --plc-name "PLC_Demo" --project "s7plus demo" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { echo "demo: the simulator did not start" >&2; exit 1; }
port="$(cat "$tmp/port")"

step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "== s7plus $("$cli" --version | cut -d' ' -f2) against s7plus-sim on 127.0.0.1:$port"
step "$cli" info "127.0.0.1:$port"
step "$cli" info "127.0.0.1:$port" --json
echo
echo "== a wrong TSAP is refused by the PLC (exit code 2):"
set +e
"$cli" info "127.0.0.1:$port" --tsap SIMATIC-ROOT-XYZ 2>&1
echo "exit code $?"
set -e
