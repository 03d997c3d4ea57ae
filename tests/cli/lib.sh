# SPDX-License-Identifier: MIT
# Sourced by the CLI tests against s7plus-sim (POSIX sh), after S7, SIM and PROG are set:
# the simulator helpers of tests/support/sim.sh plus the s7plus runner and output checks.
# Skips (exit 77) when the simulator cannot load a program.
. "$(dirname "$0")/../support/sim.sh"
[ -d "$PROG" ] || { echo "SKIP: no program directory $PROG"; exit 77; }

# s7 CODE COMMAND ARGS...: runs `s7plus COMMAND HOST:PORT ARGS...` (bounded) and checks its
# exit code; stdout and stderr are kept in $tmp/out and $tmp/err.
s7() {
    want=$1
    cmd=$2
    shift 2
    timeout 60 "$S7" "$cmd" "$EP" --timeout 20000 "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        { echo "--- stdout:"; head -50 "$tmp/out"; echo "--- stderr:"; cat "$tmp/err"; } >&2
        fail "s7plus $cmd $*: exit $got, expected $want"
    fi
}
# has LINE: stdout has exactly this line.   has_prefix TEXT: a line starts with TEXT.
# has_err TEXT: stderr contains TEXT.
has() { grep -qxF -- "$1" "$tmp/out" || { head -80 "$tmp/out" >&2; fail "no line: $1"; }; }
has_prefix() {
    awk -v p="$1" 'index($0, p) == 1 { found = 1 } END { exit !found }' "$tmp/out" ||
        { head -80 "$tmp/out" >&2; fail "no line starting with: $1"; }
}
has_err() { grep -qF -- "$1" "$tmp/err" || { cat "$tmp/err" >&2; fail "stderr lacks: $1"; }; }
