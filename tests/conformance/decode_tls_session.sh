#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `s7plus decode` on a capture of our own TLS session: the client browses, reads and writes
# the sample program of the simulator (s7p_session_traffic), tcpdump captures it
# (capture_check.sh, which also checks it with the independent dissector), and the decoder
# must decrypt it with the key log: no undecodable message, the functions of the session,
# and the written values visible in the SetMultiVariables requests. Without the key log the
# same capture must say that it is encrypted (so the values above come from decryption).
# usage: decode_tls_session.sh S7PLUS CAPTURE_CHECK SESSION_TRAFFIC SAMPLE_PLC_DIR
# Exit 77 (skip) when capture_check.sh cannot capture (no permission for tcpdump).
set -uo pipefail
S7=$1 CHECK=$2 TRAFFIC=$3 PLC=$4
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/s7p-decode-tls-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
bash "$CHECK" --expect "SetMultiVariables" --keylog "$tmp/keys" --keep "$tmp/keep" -- \
    "$TRAFFIC" "$tmp/keys" "$PLC" "$tmp/expect" > "$tmp/check.log" 2>&1
rc=$?
[ "$rc" -eq 77 ] && { cat "$tmp/check.log"; exit 77; }
[ "$rc" -eq 0 ] || { cat "$tmp/check.log" >&2; fail "capture_check.sh: exit $rc"; }
port=$(cat "$tmp/keep/port")
cap="$tmp/keep/capture.pcap"

timeout 60 "$S7" decode "$cap" --port "$port" --keylog "$tmp/keys" > "$tmp/out" ||
    fail "s7plus decode failed"
grep -q "Undecodable" "$tmp/out" && { grep -m5 Undecodable "$tmp/out" >&2; fail "undecodable messages"; }
for fn in InitSsl CreateObject Explore GetMultiVariables SetMultiVariables DeleteObject; do
    grep -q "request $fn seq=" "$tmp/out" || fail "no $fn request decoded"
    grep -q "response $fn seq=" "$tmp/out" || fail "no $fn response decoded"
done
grep -q "(TLS)" "$tmp/out" || fail "the summary does not name the connection TLS"
# the values s7p_session_traffic writes (as its expect file lists them)
for v in ":= DInt -123456789" ":= Int -4321" ":= UDInt 3000000000" ":= LInt -9000000000000" \
         ":= LReal 2.5"; do
    grep -qF -- "$v" "$tmp/out" || { grep ":= " "$tmp/out" >&2; fail "written value not shown: $v"; }
done
grep -q " 0 errors, 0 sequence gaps, 0 undecodable" "$tmp/out" || fail "summary: $(grep undecodable "$tmp/out")"

timeout 60 "$S7" decode "$cap" --port "$port" > "$tmp/plain" || fail "s7plus decode without key log failed"
grep -q "encrypted (no key log given)" "$tmp/plain" || fail "without a key log: no 'encrypted' note"
grep -qF ":= DInt -123456789" "$tmp/plain" && fail "without a key log the values are visible?"
echo "decode_tls_session: $(grep -c '^#' "$tmp/out") messages decrypted and decoded"
