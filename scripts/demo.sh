#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
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
# The CLI trusts a PLC's certificate on first use and remembers it; the demo's simulator
# makes a new certificate each run, so it remembers into a file of its own.
export S7PLUS_KNOWN_HOSTS="$tmp/known_hosts"

here="$(cd "$(dirname "$0")/.." && pwd)"
"$sim" --port 0 --port-file "$tmp/port" --plc-name "PLC_Demo" --project "s7plus demo" \
    --program "$here/examples/plc" --alarms "$here/examples/plc/plant.alarms" \
    --generate Counter_Value=counter:200 --control "$tmp/ctl" &
sim_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { echo "demo: the simulator did not start" >&2; exit 1; }
port="$(cat "$tmp/port")"

step() { printf '\n$ %s\n' "$*"; "$@"; }
echo "== s7plus $("$cli" --version | cut -d' ' -f2) against s7plus-sim on 127.0.0.1:$port"
step "$cli" info "127.0.0.1:$port"
echo "   (first contact: the certificate's fingerprint is now in \$S7PLUS_KNOWN_HOSTS:)"
sed 's/^/   /' "$S7PLUS_KNOWN_HOSTS" 2>/dev/null || echo "   (not written: this library build has no trust on first use)"
step "$cli" info "127.0.0.1:$port" --json

echo
echo "== what else the CPU reports: its operating state, its limits, its text languages:"
step "$cli" state "127.0.0.1:$port"
step "$cli" resources "127.0.0.1:$port"
step "$cli" culture "127.0.0.1:$port" --json

echo
echo "== the simulator serves examples/plc (TIA Portal DB and UDT sources):"
printf '\n$ %s\n' "$cli browse 127.0.0.1:$port --flat"
"$cli" browse "127.0.0.1:$port" --flat > "$tmp/flat"
head -n 12 "$tmp/flat"
echo "   ... ($(wc -l < "$tmp/flat") variables in all)"
printf '\n$ %s\n' "$cli browse 127.0.0.1:$port   (tree; the Motors DB)"
"$cli" browse "127.0.0.1:$port" > "$tmp/tree"
sed -n '/^"Motors"/,+14p' "$tmp/tree"
step "$cli" read "127.0.0.1:$port" '"AllTypes".v_int' '"AllTypes".v_dtl' '"AllTypes".v_string' \
    '"Motors".pumps[2].speed' '"AllArrays".a_real'
echo
echo "== subscriptions: the PLC sends changes by itself (the simulator counts Counter_Value up):"
step "$cli" watch "127.0.0.1:$port" Counter_Value Setpoint --cycle 200 --count 4
echo
echo "== alarms: two raised in the simulator (its control socket), read with their texts:"
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/ctl" << 'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
for line in ("alarm raise 1 3 12.25", "alarm raise 2"):
    f.write(line + "\n")
    f.flush()
    f.readline()
PY
fi
step "$cli" alarms "127.0.0.1:$port" --lang 1033
echo
echo "== writes need --allow-write (the library's write gate: nothing is sent without it):"
set +e
"$cli" write "127.0.0.1:$port" '"AllTypes".v_int=42' 2>&1
echo "exit code $?"
set -e
step "$cli" write "127.0.0.1:$port" '"AllTypes".v_int=42' '"AllTypes".v_time=T#1D_2H_3M' \
    '"AllTypes".v_string='"'"'written by s7plus'"'"'' --allow-write
step "$cli" read "127.0.0.1:$port" '"AllTypes".v_int' '"AllTypes".v_time' '"AllTypes".v_string' --json
echo
echo "== a wrong TSAP is refused by the PLC, a configuration error (exit code 5):"
set +e
"$cli" info "127.0.0.1:$port" --tsap SIMATIC-ROOT-XYZ 2>&1
echo "exit code $?"
echo
echo "== failures with --json are a JSON object on stdout, with the same exit code:"
"$cli" read "127.0.0.1:$port" '"AllTypes".nope' --json
echo "exit code $?"
echo
echo "== numbers are checked (exit code 1):"
"$cli" read "127.0.0.1:$port" '"AllTypes".v_int' --timeout -5 2>&1
echo "exit code $?"
set -e
