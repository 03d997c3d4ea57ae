#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus against s7plus-sim: the CLI behaviour that needs the library side of issue 15 —
# trust on first use (the known-hosts file written on first contact, a changed certificate
# refused with exit 5 and both fingerprints shown), exit 5 for configuration errors (an
# unusable CA file, a wrong TSAP), and -vv's debug line per PDU. Every process is bounded by
# timeout. Exit 77 (skipped) when the simulator cannot load a program.
# usage: cli_sim_lib.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
sim_init cli-lib
KH="$tmp/kh/known_hosts"       # its directory does not exist yet
export S7PLUS_KNOWN_HOSTS="$KH"
start_sim

# ---- trust on first use (the default): the first contact writes "HOST:PORT SHA256-HEX"
s7 0 info --insecure
fp=$(awk '/^Certificate SHA-256/ { print $3 }' "$tmp/out")
[ "${#fp}" -eq 64 ] || fail "info shows no certificate fingerprint"
[ ! -e "$KH" ] || fail "--insecure wrote the known-hosts file"
s7 0 info
[ -f "$KH" ] || fail "the first contact did not create $KH"
grep -qxF "$EP $fp" "$KH" || { cat "$KH" >&2; fail "known_hosts lacks the line '$EP $fp'"; }
[ "$(wc -l < "$KH")" -eq 1 ] || fail "known_hosts: not one line"
has_err "first contact"
cp "$KH" "$tmp/kh.first"
s7 0 read '"AllTypes".v_int'
cmp -s "$KH" "$tmp/kh.first" || fail "a second contact changed the known-hosts file"
! grep -q "first contact" "$tmp/err" || fail "a second contact is called the first"

# ---- a changed certificate: refused, exit 5, both fingerprints shown
other=$(printf '%064d' 0 | tr 0 a)
printf '%s %s\n' "$EP" "$other" > "$KH"
s7 5 info
has_err "$fp"
has_err "$other"
s7 5 read '"AllTypes".v_int' --json
grep -q '"S7P_E_CERT_CHANGED"' "$tmp/out" || fail "read --json: no S7P_E_CERT_CHANGED"
s7 0 info --insecure                    # --insecure accepts it
s7 0 info --pin "$fp"                   # so does the right pin
s7 0 info --known-hosts "$tmp/other/hosts"
grep -qxF "$EP $fp" "$tmp/other/hosts" || fail "--known-hosts FILE was not written"

# ---- configuration errors: exit 5
s7 5 info --ca "$tmp/no-such-ca.pem"
s7 5 info --tsap SIMATIC-ROOT-XYZ --insecure

# ---- -vv: a debug line per PDU on stderr
s7 0 read '"AllTypes".v_int' -vv --insecure
[ "$(grep -c "s7plus: debug: " "$tmp/err")" -ge 4 ] || { cat "$tmp/err" >&2; fail "-vv: no debug trace"; }

sim_alive
echo "cli_sim_lib: ok"
