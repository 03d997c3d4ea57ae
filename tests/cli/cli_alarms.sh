#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus alarms against s7plus-sim with examples/plc/plant.alarms: no alarm, then two raised
# through the control channel with associated values, in English (text) and German (--json),
# one acknowledged and one cleared; --lang checked; --follow --json: the snapshot, then each
# change (raise, acknowledge, clear) once as a JSON line, until SIGINT.
# usage: cli_alarms.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null 2>&1 || { echo "SKIP: python3 (control channel, JSON) missing"; exit 77; }
sim_init cli-alarms
start_sim --alarms "$PROG/plant.alarms" --control "$tmp/ctl"

# ctl LINE: one control command; its answer must start with "ok".
ctl() { sim_control "$tmp/ctl" "$1" || fail "control: $1: $(cat "$tmp/ctl.out")"; }

s7 0 alarms --insecure
has "No active alarms."

ctl "alarm raise 1 3 12.25"
ctl "alarm raise 2"
s7 0 alarms --insecure --lang 1033
has "Tank_Overflow (alarm 1, id 16#8A0E000100010000)"
has "  state    coming, not acknowledged"
has "  priority 9, class 2, domain 256, type alarm"
has "  text     Tank 3 overflows: level 12.2 %"
has "  info     Close the inlet valve of tank 3."
has "           Then check the level sensor."
has "  text 1   Area B"
has "  values   SD_1 = 3, SD_2 = 12.25"
has "  text     Motor M-101: temperature  85 °C (status 16#A5, setpoint 12.50)"

ctl "alarm ack 1"
s7 0 alarms --insecure --lang 1031 --json
python3 - "$tmp/out" << 'PY' || fail "alarms --json: not the expected JSON"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["lcid"] == 1031, o["lcid"]
a = {x["hmi_alarm_id"]: x for x in o["alarms"]}
assert sorted(a) == [1, 2], sorted(a)
t = a[1]
assert t["id"] == str(0x8A0E000100010000), t["id"]
assert t["state"] == "coming" and t["acknowledged"] is True, t
assert t["came"].endswith("Z") and t["acknowledged_at"] and t["went"] is None, t
assert t["text"] == "Behälter 3 läuft über: Füllstand 12.2 %", t["text"]
assert t["values"] == [3, 12.25], t["values"]
assert t["additional_texts"][0] == "Bereich B" and len(t["additional_texts"]) == 9
m = a[2]
assert m["message_type"] == "notify" and m["acknowledged"] is False and m["state_bits"] == 135, m
assert m["values"] == ["M-101", 85, 165, 12.5], m["values"]
assert m["text"] == "Motor M-101: Temperatur  85 °C (Status 16#A5, Sollwert 12.50)", m["text"]
PY

ctl "alarm clear 2"
s7 0 alarms --insecure --json
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); assert [x["hmi_alarm_id"] for x in o["alarms"]] == [1], o' \
    "$tmp/out" || fail "alarm 2 is still listed after it went"

s7 1 alarms --insecure --lang 0
has_err "--lang"

# --follow: alarm 1 is active (acknowledged); the changes after the snapshot come once each.
# wait_lines N: until the follower printed N lines (10 s at most).
wait_lines() {
    i=0
    while [ "$(wc -l < "$tmp/follow.out")" -lt "$1" ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && { cat "$tmp/follow.out" "$tmp/follow.err" >&2; fail "follow: fewer than $1 lines"; }
        sleep 0.1
    done
}
timeout 60 "$S7" alarms "$EP" --timeout 20000 --insecure --lang 1031 --follow --json \
    > "$tmp/follow.out" 2> "$tmp/follow.err" &
fpid=$!
wait_lines 1
ctl "alarm raise 2"
wait_lines 2
ctl "alarm clear 1"
wait_lines 3
kill -INT $fpid
wait $fpid || fail "s7plus alarms --follow: exit $? after SIGINT"
python3 - "$tmp/follow.out" << 'PY' || fail "alarms --follow --json: not the expected lines"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3, lines
s = lines[0]
assert s["event"] == "snapshot" and s["lcid"] == 1031, s
assert [a["hmi_alarm_id"] for a in s["alarms"]] == [1], s
a = lines[1]
assert a["event"] == "alarm" and a["alarm"]["hmi_alarm_id"] == 2, a
assert a["alarm"]["state"] == "coming", a
assert a["alarm"]["text"] == "Motor M-101: Temperatur  85 °C (Status 16#A5, Sollwert 12.50)", a
g = lines[2]["alarm"]
assert g["hmi_alarm_id"] == 1 and g["state"] == "going" and g["went"], g
PY
echo "ok: s7plus alarms"
