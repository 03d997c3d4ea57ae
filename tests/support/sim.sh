# SPDX-License-Identifier: MIT
# Sourced by the shell tests that run s7plus-sim (POSIX sh). Before sourcing set SIM (the
# executable) and PROG (the program directory); then `sim_init NAME` and `start_sim ARGS...`.
# Provides:
#   tmp          a fresh directory, removed at exit with the simulator stopped;
#                S7PLUS_KNOWN_HOSTS points into it (nothing of a test goes to the home folder)
#   fail TEXT    says why (with the simulator's stderr, and $tmp/out when FAIL_SHOWS_OUT=1), exit 1
#   start_sim ARGS...  (re)starts `s7plus-sim --port 0 --port-file F --program PROG ARGS`,
#                waits for its port (20 s at most) and sets PORT and EP (127.0.0.1:PORT); each
#                start makes a new certificate, so the known-hosts file starts over; its
#                stdin is the file SIM_STDIN (default /dev/null: a background job's anyway)
#   stop_sim     stops it;  sim_alive  fails unless it still runs
#   sim_control SOCKET LINE...  sends the lines over the simulator's control socket (needs
#                python3); false unless every answer starts with "ok" (answers in $tmp/ctl.out)

# sim_init NAME: the temporary directory and the cleanup at exit.
sim_init() {
    tmp=$(mktemp -d "/tmp/s7p-$1-XXXXXX") || exit 1
    export S7PLUS_KNOWN_HOSTS="$tmp/known_hosts"
    pid=
    trap 'stop_sim; rm -rf "$tmp"' EXIT
}

fail() {
    echo "FAIL: $*" >&2
    [ "${FAIL_SHOWS_OUT:-0}" = 1 ] && [ -s "$tmp/out" ] && { echo "--- output:" >&2; cat "$tmp/out" >&2; }
    [ -s "$tmp/sim.err" ] && { echo "--- simulator stderr:" >&2; tail -20 "$tmp/sim.err" >&2; }
    exit 1
}

stop_sim() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        pid=
    fi
}

start_sim() {
    stop_sim
    rm -f "$tmp/port" "$S7PLUS_KNOWN_HOSTS"
    timeout 170 "$SIM" --port 0 --port-file "$tmp/port" --program "$PROG" "$@" \
        < "${SIM_STDIN:-/dev/null}" > "$tmp/sim.out" 2> "$tmp/sim.err" &
    pid=$!
    i=0
    while [ ! -s "$tmp/port" ]; do
        kill -0 "$pid" 2>/dev/null || fail "s7plus-sim exited before listening"
        i=$((i + 1))
        [ "$i" -le 200 ] || fail "s7plus-sim did not write its port file within 20 s"
        sleep 0.1
    done
    PORT=$(cat "$tmp/port")
    EP=127.0.0.1:$PORT
}

sim_alive() {
    kill -0 "$pid" 2>/dev/null || fail "s7plus-sim died during the test"
}

sim_control() {
    python3 - "$@" > "$tmp/ctl.out" << 'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
for line in sys.argv[2:]:
    f.write(line + "\n")
    f.flush()
    reply = f.readline().strip()
    print(reply)
    if not reply.startswith("ok"):
        sys.exit(1)
PY
}
