#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the programs of examples/ against s7plus-sim serving examples/plc and checks what
# they print. Every process is bounded by timeout.
# usage: run_examples.sh EXAMPLES_BIN_DIR S7PLUS_SIM PROGRAM_DIR
set -u
BIN=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/../support/sim.sh"
FAIL_SHOWS_OUT=1
sim_init examples
extra_pids=
trap 'stop_extra; stop_sim; rm -rf "$tmp"' EXIT
# start_extra N: N more simulators beside start_sim's; their endpoints in $EXTRA_EPS.
start_extra() {
    EXTRA_EPS=
    for k in $(seq 1 "$1"); do
        timeout 170 "$SIM" --port 0 --port-file "$tmp/xport$k" --program "$PROG" \
            > /dev/null 2> "$tmp/xsim$k.err" &
        extra_pids="$extra_pids $!"
    done
    for k in $(seq 1 "$1"); do
        i=0
        while [ ! -s "$tmp/xport$k" ]; do
            i=$((i + 1))
            [ "$i" -le 200 ] || fail "extra simulator $k did not write its port file within 20 s"
            sleep 0.1
        done
        EXTRA_EPS="$EXTRA_EPS 127.0.0.1:$(cat "$tmp/xport$k")"
    done
}
stop_extra() {
    for p in $extra_pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    extra_pids=
}
# run NAME ARGS...: runs an example (60 s at most); its stdout is in $tmp/out.
run() {
    name=$1
    shift
    timeout 60 "$BIN/$name" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    cat "$tmp/err" >> "$tmp/out"
    [ $rc -eq 0 ] || fail "$name exited $rc"
}
expect() {  # expect TEXT: the last output has this line
    grep -qxF -- "$1" "$tmp/out" || fail "expected the line: $1"
}

start_sim
run read_tag "$EP" '"AllTypes".v_int' '"AllTypes".v_bool' '"AllTypes".v_string10'
expect '"AllTypes".v_int = -12345'
expect '"AllTypes".v_bool = TRUE'
expect "\"AllTypes\".v_string10 = 'ten chars!'"
[ -s "$S7PLUS_KNOWN_HOSTS" ] || fail "read_tag did not remember the certificate (TOFU)"

run browse_json "$EP"
grep -q '"symbol": "\\"AllTypes\\".v_int"' "$tmp/out" || fail "browse_json lacks \"AllTypes\".v_int"
grep -q '"type": "DTL"' "$tmp/out" || fail "browse_json lacks a DTL variable"
grep -q '^browse_json: [1-9][0-9]* variables$' "$tmp/out" || fail "browse_json count"

run write_tag "$EP" '"AllTypes".v_int' 4242
expect "without allow_write: writes are disabled"
expect "with allow_write: wrote 4242, read back 4242"
run read_tag "$EP" '"AllTypes".v_int'
expect '"AllTypes".v_int = 4242'

run threads "$EP" '"AllTypes".v_dint' 4 20
expect "4 threads x 20 reads on one client: 80 ok, 0 failed"

# Three PLCs (this simulator and two more) from one poll() loop, 10 reads each.
start_extra 2
# shellcheck disable=SC2086  # one argument per endpoint
run poll_many '"AllTypes".v_dint' 10 "$EP" $EXTRA_EPS
expect "$EP: 10 of 10 reads ok"
expect "3 PLCs x 10 reads from one poll loop: 30 ok, 0 failed"
stop_extra

# The answer to the second GetMultiVariables never comes (the simulator closes the
# connection): the library reconnects and retries the call, and every read succeeds.
start_sim --fault drop-before:GetMultiVariables:2
run reconnect "$EP" '"AllTypes".v_int' 4 100
grep -q '^looking up "NoSuchBlock".x failed: not found, permanent: ' "$tmp/out" ||
    fail "reconnect: the unknown symbol is not reported as permanent"
expect "state: connected -> faulted"
expect "state: connecting -> connected"
[ "$(grep -c 'state: connecting -> connected' "$tmp/out")" -ge 2 ] ||
    fail "reconnect: no reconnection"
expect "4 of 4 reads ok"
# The CPU's state, limits and languages, as the simulator is configured.
start_sim --state stop --tags-per-request 7 --tags-per-write 5 --max-subscriptions 12 \
    --languages 1031,1033,9999
run cpu_status "$EP"
expect "state: stop (state number 4)"
expect "note: the CPU is not in RUN: values do not change"
expect "tags per request: 7 read, 5 write"
expect "subscriptions: 12 of 12 free"
expect "languages: de-DE (primary) en-US ?"

# A protected PLC (no access without password): the password from the environment.
start_sim --protection none --password full=Full-Secret-1 --password read=Read-Secret-2 \
    --user op:Op-Secret:read
S7PLUS_PASSWORD=Read-Secret-2 run protected_read "$EP" '"AllTypes".v_int'
expect "access: read access"
expect '"AllTypes".v_int = -12345'
S7PLUS_PASSWORD=Op-Secret run protected_read "$EP" '"AllTypes".v_int' op
expect "access: read access"
S7PLUS_PASSWORD=wrong timeout 60 "$BIN/protected_read" "$EP" '"AllTypes".v_int' \
    > "$tmp/out" 2>&1 && fail "protected_read accepted a wrong password"
grep -q "wrong password (PLC code -100 ServiceAccessDenied)" "$tmp/out" ||
    fail "protected_read: no wrong-password message"

# Two alarms of examples/plc/plant.alarms raised through the control channel, in German.
start_sim --alarms "$PROG/plant.alarms" --control "$tmp/ctl"
run active_alarms "$EP" 1031
expect "0 active alarms"
if command -v python3 > /dev/null 2>&1; then
    sim_control "$tmp/ctl" "alarm raise 1 3 12.25" "alarm raise 3" ||
        fail "control channel: raise: $(cat "$tmp/ctl.out")"
    run active_alarms "$EP" 1031
    expect "  Behälter 3 läuft über: Füllstand 12.2 %"
    expect "  info: Zulaufventil von Behälter 3 schließen."
    expect "  SD_2 = 12.25"
    expect "  Schichtwechsel"
    expect "2 active alarms"

    # Alarms with snapshot: the two active ones, then two changes, each once.
    timeout 60 "$BIN/alarms_snapshot" "$EP" 1033 2 > "$tmp/snap.out" 2> "$tmp/snap.err" &
    spid=$!
    i=0
    until grep -q "following the changes" "$tmp/snap.out"; do
        i=$((i + 1))
        [ $i -le 200 ] || fail "alarms_snapshot: no snapshot within 20 s"
        sleep 0.1
    done
    sim_control "$tmp/ctl" "alarm clear 3" "alarm raise 2" ||
        fail "control channel: clear, raise: $(cat "$tmp/ctl.out")"
    wait $spid || fail "alarms_snapshot exited $?"
    cat "$tmp/snap.err" >> "$tmp/snap.out"
    cp "$tmp/snap.out" "$tmp/out"
    expect "active: alarm 1 coming: Tank 3 overflows: level 12.2 %"
    expect "active: alarm 3 coming: Shift change"
    expect "2 active alarms; following the changes"
    expect "change: alarm 3 going: Shift change"
    expect "change: alarm 2 coming: Motor M-101: temperature  85 °C (status 16#A5, setpoint 12.50)"
    expect "2 changes"
fi

# A subscription in the callback form on the I/O thread: 5 notifications (every 200 ms),
# the first with both values.
run watch_tags "$EP" 5 '"AllTypes".v_int' '"AllTypes".v_bool'
grep -q '^"AllTypes".v_int = -\{0,1\}[0-9][0-9]*$' "$tmp/out" || fail "watch_tags: no v_int line"
expect '"AllTypes".v_bool = true'
expect "watch_tags: 5 notifications, 2 values, 0 lost"
echo "ok: every example ran against the simulator"
