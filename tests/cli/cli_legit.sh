#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus against a protected s7plus-sim (no access without password): the password from
# S7PLUS_PASSWORD or --password-prompt (typed at a terminal, no echo), --user, exit 3 for a
# wrong password, writes refused at read access and accepted at full access, and no password
# in any output at -vv (stderr carries the debug trace). Every process is bounded by timeout.
# usage: cli_legit.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
sim_init cli-legit
PW_FULL='Full-Secret-1'
PW_READ='Read:Secret 2'
PW_USER='Adm1n-Pw'
start_sim --protection none --password "full=$PW_FULL" --password "read=$PW_READ" \
    --user "admin:$PW_USER:full" -v
TAG='"AllTypes".v_int'
unset S7PLUS_PASSWORD
# said TEXT: stdout or stderr has TEXT (item errors go to stdout, call errors to stderr)
said() { cat "$tmp/out" "$tmp/err" | grep -qF -- "$1" || { cat "$tmp/out" "$tmp/err" >&2;
    fail "no output says: $1"; }; }

# ---- no password: no access (browsing the symbol is refused), exit 3
s7 3 read "$TAG" --insecure
said "ServiceAccessDenied"

# ---- S7PLUS_PASSWORD, right and wrong
S7PLUS_PASSWORD=$PW_FULL s7 0 read "$TAG" --insecure
has "$TAG = -12345"
S7PLUS_PASSWORD=wrong-one s7 3 read "$TAG" --insecure
said "legitimation: the PLC refused the password"
S7PLUS_PASSWORD=wrong-one s7 3 info --insecure --json
grep -q '"S7P_E_AUTH"' "$tmp/out" || fail "info --json: no S7P_E_AUTH"

# ---- --user
S7PLUS_PASSWORD=$PW_USER s7 0 read "$TAG" --insecure --user admin
has "$TAG = -12345"
S7PLUS_PASSWORD=$PW_FULL s7 3 read "$TAG" --insecure --user admin
s7 1 read "$TAG" --insecure --user admin     # a user needs a password

# ---- writes: refused at read access, accepted at full access
S7PLUS_PASSWORD=$PW_READ s7 3 write "$TAG=7" --insecure --allow-write
said "ServiceAccessDenied"
S7PLUS_PASSWORD=$PW_FULL s7 0 write "$TAG=7" --insecure --allow-write
S7PLUS_PASSWORD=$PW_READ s7 0 read "$TAG" --insecure
has "$TAG = 7"
S7PLUS_PASSWORD=$PW_FULL s7 0 write "$TAG=-12345" --insecure --allow-write

# ---- -vv: the trace and the login are there, the password is not (stdout nor stderr)
S7PLUS_PASSWORD=$PW_FULL s7 0 read "$TAG" --insecure -vv
has_err "s7plus: debug: pdu: send SetVariable"
has_err "legitimation accepted"
for f in "$tmp/out" "$tmp/err"; do
    ! grep -qF "$PW_FULL" "$f" || fail "-vv: the password is in $f"
done
S7PLUS_PASSWORD=$PW_USER s7 0 read "$TAG" --insecure -vv --user admin
! grep -qF "$PW_USER" "$tmp/err" "$tmp/out" || fail "-vv --user: the password was printed"
S7PLUS_PASSWORD=wrong-one s7 3 read "$TAG" --insecure -vv
! grep -qF "wrong-one" "$tmp/err" "$tmp/out" || fail "-vv: a wrong password was printed"

# ---- --password-prompt: read from the terminal with echo off (script(1) gives a pty)
if command -v script > /dev/null 2>&1 && command -v setsid > /dev/null 2>&1; then
    # The password is typed once the prompt shows (echo is off by then), as a person would.
    { i=0
      while ! grep -q "Password for" "$tmp/typescript" 2> /dev/null && [ "$i" -lt 300 ]; do
          sleep 0.1
          i=$((i + 1))
      done
      printf '%s\n' "$PW_FULL"; } | timeout 60 script -qefc \
        "'$S7' read '$EP' '$TAG' --insecure --timeout 20000 --password-prompt" \
        "$tmp/typescript" > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/out" "$tmp/err" >&2;
        fail "--password-prompt at a terminal failed"; }
    grep -q "Password for 127.0.0.1: " "$tmp/out" || fail "--password-prompt: no prompt"
    grep -q -- "-12345" "$tmp/out" || { cat "$tmp/out" >&2; fail "--password-prompt: no value"; }
    ! grep -qF "$PW_FULL" "$tmp/out" || fail "--password-prompt echoed the password"
    # without a terminal: a usage error that says so, nothing connects
    timeout 60 setsid "$S7" read "$EP" "$TAG" --insecure --password-prompt \
        > "$tmp/out" 2> "$tmp/err" < /dev/null
    [ $? -eq 1 ] || fail "--password-prompt without a terminal: not exit 1"
    has_err "needs a terminal"
else
    echo "note: script(1) or setsid(1) missing, --password-prompt not tested"
fi

! grep -qF "$PW_FULL" "$tmp/sim.err" || fail "the simulator logged a password"
sim_alive
echo "cli_legit: ok"
