#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `s7plus decode` on a capture of our own TLS session: the client browses, reads and writes
# the sample program of the simulator (s7p_session_traffic), tcpdump captures it
# (capture_check.sh, which also checks it with the independent dissector), and the decoder
# must decrypt it with the key log: no undecodable message, the functions of the session,
# and the written values visible in the SetMultiVariables requests. Without the key log the
# same capture must say that it is encrypted (so the values above come from decryption).
# Then, with a browse of the same program (`s7plus browse --json` against s7plus-sim):
# --symbols names the items of the requests and of their answers, --json carries them as
# fields (symbol, address, typed value), and --filter picks messages by its expressions.
# usage: decode_tls_session.sh S7PLUS CAPTURE_CHECK SESSION_TRAFFIC SAMPLE_PLC_DIR S7PLUS_SIM
# Exit 77 (skip) when capture_check.sh cannot capture (no permission for tcpdump).
set -uo pipefail
S7=$1 CHECK=$2 TRAFFIC=$3 PLC=$4 SIM=$5 PROG=$4
. "$(dirname "$0")/../support/sim.sh"
sim_init decode-tls
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

# ---- --symbols: the same program browsed from the simulator
start_sim
timeout 60 "$S7" browse "$EP" --json > "$tmp/syms.json" 2> "$tmp/browse.err" ||
    { cat "$tmp/browse.err" >&2; fail "s7plus browse --json failed"; }
stop_sim
dec() { timeout 60 "$S7" decode "$cap" --port "$port" --keylog "$tmp/keys" --no-summary "$@"; }
dec --symbols "$tmp/syms.json" > "$tmp/sym" || fail "s7plus decode --symbols failed"
grep -qF 'item 1 "AllTypes".v_dint [DB' "$tmp/sym" ||
    { grep -m5 "item 1 " "$tmp/sym" >&2; fail "--symbols: the written item is not named"; }
grep -qF '] := DInt -123456789' "$tmp/sym" || fail "--symbols: the written value is gone"
grep -qF 'item 1 "AllTypes".v_dint = DInt -123456789' "$tmp/sym" ||
    fail "--symbols: the read-back answer's item is not named after its request"
# every variable the client read or wrote by symbol (a symbol CRC sent) is named; the
# browse's own reads of whole blocks (LID 1, no CRC) are not variables
unnamed=$(grep '^    item [0-9]* DB' "$tmp/sym" | grep -vc 'crc 0x00000000')
[ "$unnamed" -eq 0 ] || { grep -m5 '^    item [0-9]* DB' "$tmp/sym" >&2; fail "$unnamed items without a symbol"; }
named=$(grep -c '^    item [0-9]* "' "$tmp/sym")
[ "$named" -ge 100 ] || fail "only $named items named"

# ---- --json: the items as fields, typed values, symbols, addresses
dec --symbols "$tmp/syms.json" --json --filter 'function=SetMultiVariables,dir=req' > "$tmp/json" ||
    fail "s7plus decode --json failed"
[ "$(jq -s 'length' "$tmp/json")" -eq 2 ] || fail "--filter function=SetMultiVariables,dir=req: not 2 requests"
jq -e -s '[.[].fields[]? | select(.symbol == "\"AllTypes\".v_dint")] |
          .[0] | .value == -123456789 and .type == "DInt" and .address.sub_area == 2550 and
          (.address.lids | length) == 1' "$tmp/json" > /dev/null ||
    { jq -c '.fields' "$tmp/json" >&2; fail "--json: the written DInt is not a typed field"; }
jq -e -s '[.[].fields[]? | select(.symbol == "\"AllTypes\".v_lreal")][0].value == 2.5' \
    "$tmp/json" > /dev/null || fail "--json: the written LReal is not 2.5"
jq -e -s '[.[].fields[]? | select(.attribute == 306)][0].name ==
          "ServerSessionVersion"' "$tmp/json" > /dev/null ||
    fail "--json: the session set-up's item (attribute 306) without its name"

# ---- --filter: expressions
dec --filter 'dir=resp,function=GetMultiVariables|SetMultiVariables' > "$tmp/f1" || fail "--filter failed"
count() { awk -v f="$1" '$1 == f && $3 == "requests," { print $2 }' "$tmp/out"; }
n_get=$(count GetMultiVariables) n_set=$(count SetMultiVariables)
[ -n "$n_get" ] && [ -n "$n_set" ] || fail "the summary lacks Get/SetMultiVariables"
n_resp=$(grep -c '^#' "$tmp/f1")
[ "$n_resp" -eq $((n_get + n_set)) ] ||
    fail "--filter dir=resp,function=Get|Set: $n_resp messages, not $((n_get + n_set))"
grep '^#' "$tmp/f1" | grep -v ' response \(Get\|Set\)MultiVariables ' && fail "--filter let others through"
dec --filter 'seq=2-3' | grep '^#' > "$tmp/f2"
[ "$(wc -l < "$tmp/f2")" -eq 4 ] || { cat "$tmp/f2" >&2; fail "--filter seq=2-3: not 2 requests + 2 answers"; }
dec --filter 'GetMultiVariables' | grep -c '^#' > "$tmp/f3"   # the bare name
[ "$(cat "$tmp/f3")" -eq $((2 * n_get)) ] ||
    fail "--filter GetMultiVariables: $(cat "$tmp/f3") messages, not $((2 * n_get))"
dec --filter 'conn=2' | grep -q '^#' && fail "--filter conn=2 matched in a capture of one connection"
dec --filter 'seq=x' > /dev/null 2>&1; [ $? -eq 1 ] || fail "--filter seq=x: not a usage error"
echo "decode_tls_session: $(grep -c '^#' "$tmp/out") messages decrypted and decoded"
