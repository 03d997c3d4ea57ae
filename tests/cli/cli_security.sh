#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus --security against s7plus-sim --security: legacy and auto against a legacy-only
# simulator (info shows the negotiated mode and key), and a mode the simulator does not
# offer: TLS against legacy-only and legacy against TLS-only fail with exit 5
# (configuration: S7P_E_SECURITY_MODE), never falling back; the PLCSIM (family 03) test
# key against a simulator with --legacy-family 3. Every process is bounded.
# usage: cli_security.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
sim_init cli-security
KEY=00:BA35267CA865911B    # the simulator's TEST key (s7p_legacy_test_key)

start_sim --security legacy
s7 0 info --security legacy --legacy-key-id "$KEY"
has_prefix "Security"
grep -q "^Security.*legacy" "$tmp/out" || { cat "$tmp/out" >&2; fail "info: mode not legacy"; }
grep -q "^Legacy key.*$KEY" "$tmp/out" || { cat "$tmp/out" >&2; fail "info: no legacy key"; }
s7 0 info --security auto --legacy-key-id "$KEY" --json
grep -q '"security": *"legacy"' "$tmp/out" || { cat "$tmp/out" >&2; fail "auto: not legacy"; }
s7 0 read '"AllTypes".v_int' --security legacy --legacy-key-id "$KEY"
has "\"AllTypes\".v_int = -12345"
# TLS asked, the PLC refuses InitSsl: exit 5, no fallback
s7 5 info --security tls
has_err "security mode tls"
s7 5 read '"AllTypes".v_int' --json
grep -q '"S7P_E_SECURITY_MODE"' "$tmp/out" || { cat "$tmp/out" >&2; fail "--json: no S7P_E_SECURITY_MODE"; }
sim_alive

# family 03: the simulator's PLCSIM test key (P-256), chosen by its id
PKEY=03:25E216899D5A17CA
start_sim --security legacy --legacy-family 3
s7 0 info --security legacy --legacy-key-id "$PKEY"
grep -q "^Legacy key.*$PKEY" "$tmp/out" || { cat "$tmp/out" >&2; fail "info: no PLCSIM key"; }
s7 0 read '"AllTypes".v_int' --security legacy --legacy-key-id "$PKEY"
has "\"AllTypes\".v_int = -12345"
sim_alive

# legacy asked of a TLS-only simulator: exit 5 as well
start_sim --security tls
s7 5 info --security legacy --legacy-key-id "$KEY" --insecure
has_err "security mode legacy"
s7 0 info --security auto --insecure
grep -q "^Security.*tls" "$tmp/out" || { cat "$tmp/out" >&2; fail "auto: not tls"; }
sim_alive
echo "cli_security: ok"
