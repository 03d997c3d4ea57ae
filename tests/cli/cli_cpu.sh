#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus culture, resources and state against s7plus-sim with configured languages, limits
# and operating state: the tables, --json (checked with python3 when there is one), the
# state changed through the simulator's control channel, and a refusal's exit code. Every
# process is bounded by timeout.
# usage: cli_cpu.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
FAIL_SHOWS_OUT=1
sim_init cli-cpu
start_sim --languages 1031,1033,9999 --tags-per-request 7 --tags-per-write 5 \
    --max-subscriptions 12 --state stop --control "$tmp/ctl"
PY=$(command -v python3 || true)

# ---- culture: LCID and culture name per line, the primary first
s7 0 culture
has "LCID   Culture"
has "1031   de-DE  (primary)"
has "1033   en-US"
has "9999   (unknown)"
s7 0 culture --json
if [ -n "$PY" ]; then
    "$PY" - "$tmp/out" "$EP" << 'PY' || fail "culture --json: not the expected JSON"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["endpoint"] == sys.argv[2], o
assert o["languages"] == [{"lcid": 1031, "name": "de-DE"}, {"lcid": 1033, "name": "en-US"},
                          {"lcid": 9999, "name": None}], o
assert o["reported"] == 3, o
PY
fi

# ---- resources: the configured limits; free subscriptions = max while none exist
s7 0 resources
has "Tags per read request      7"
has "Tags per write request     5"
has "Subscriptions max          12"
has "Subscriptions free         12"
has "Attributes max             2000"
has "Subscription memory free   100000"
! grep -q "(default)" "$tmp/out" || fail "resources: a value the simulator reports shown as default"
s7 0 resources --json
if [ -n "$PY" ]; then
    "$PY" - "$tmp/out" << 'PY' || fail "resources --json: not the expected JSON"
import json, sys
o = json.load(open(sys.argv[1]))
want = {"tags_per_read_max": 7, "tags_per_write_max": 5, "subscriptions_max": 12,
        "subscriptions_free": 12, "attributes_max": 2000, "attributes_free": 2000,
        "subscription_memory_max": 100000, "subscription_memory_free": 100000}
for k, v in want.items():
    assert o[k] == v, (k, o)
assert o["defaults"] == [], o
PY
fi

# ---- state: as configured, then changed by the control channel
s7 0 state
has "Operating state      stop"
has "State number         4 (attribute 3486)"
s7 0 state --json
grep -q '"state": "stop"' "$tmp/out" || fail "state --json: not stop"
grep -q '"raw": 4' "$tmp/out" || fail "state --json: raw is not 4"
if [ -n "$PY" ]; then
    sim_control "$tmp/ctl" "state run" || fail "control channel: state run refused"
    s7 0 state --json
    "$PY" - "$tmp/out" << 'PY' || fail "state --json after 'state run': not the expected JSON"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["state"] == "run" and o["raw"] == 8 and o["source"] == 3486, o
PY
fi

# ---- a refusal: the PLC error's exit code (3), with --json an error object. The
# simulator refuses the state read (the connect's protection-level read is the first
# GetVarSubStreamed); the fallback read of object 50 it does not have (-12) is the error.
start_sim --fault plc-error:GetVarSubStreamed:2
s7 3 state --json
grep -q '"S7P_E_PLC"' "$tmp/out" || fail "state --json: no S7P_E_PLC error object"
grep -q '"plc_code": -12' "$tmp/out" || fail "state --json: not the fallback read's error"
start_sim --fault plc-error:GetVarSubStreamed:2
s7 3 state
has_err "operating state: PLC refused: code -12"

sim_alive
echo "cli_cpu: ok"
