#!/bin/sh
# SPDX-License-Identifier: MIT
# `s7plus decode` on the real PLC captures (no PLC, no simulator): ids shown with their
# names, error answers with their PLC names in text, JSON and summary, --filter expressions
# (the old bare name too), and the exit codes of a bad filter, a missing capture and an
# unreadable --symbols file.
# usage: cli_decode.sh S7PLUS CAPTURE_DIR
set -u
S7=$1
DIR=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d /tmp/s7p-cli-decode-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
UP="$DIR/S7-1200-Uploading-OB1-TIAV12.pcap"
HMI="$DIR/S7-1511_db3_var1_HMI.pcap"
[ -f "$UP" ] && [ -f "$HMI" ] || fail "captures not found in $DIR"
dec() { timeout 60 "$S7" decode "$@"; }

# ---- names of ids, PLC error names, summary
dec "$UP" > "$tmp/up" || fail "decode $UP"
grep -qF 'object rel=211 GetNewRIDOnServer class=287 ClassServerSession' "$tmp/up" ||
    fail "objects without the names of their ids"
grep -qF 'attribute 233 ObjectVariableTypeName = WString "ServerSession_2DC6D2"' "$tmp/up" ||
    fail "attributes without their names"
grep -qF 'item 1 attribute 306 ServerSessionVersion := Struct 314' "$tmp/up" ||
    fail "SetMultiVariables of an object: attribute without its name"
grep -qF 'attributes 2237 HWObject.DIS, 3688 HWObject.SubordinateState' "$tmp/up" ||
    fail "GetMultiVariables by link: attribute ids without names"
grep -qF 'return -12 (ObjectNotFound)' "$tmp/up" || fail "error answer without its name"
grep -qF '  error codes: -12 ObjectNotFound x2' "$tmp/up" || fail "summary: no error codes"
grep -qF '    GetVarSubStreamed      9 requests, 9 responses, 2 errors' "$tmp/up" ||
    fail "summary: no errors per function"
grep -qE '^  GetMultiVariables +22 answers, min [0-9.]+ ms, avg [0-9.]+ ms, max [0-9.]+ ms$' \
    "$tmp/up" || fail "summary: no round trips per function"

# ---- --filter
n() { grep -c '^#' "$1"; }
dec "$UP" --no-summary --filter errors > "$tmp/f" || fail "--filter errors"
[ "$(n "$tmp/f")" -eq 2 ] || fail "--filter errors: $(n "$tmp/f") messages, not 2"
dec "$UP" --no-summary --filter GetLink > "$tmp/f" || fail "--filter GetLink"
[ "$(n "$tmp/f")" -eq 4 ] || fail "--filter GetLink (the bare name): not 2 requests + 2 answers"
dec "$UP" --no-summary --filter 'function=GetLink|Explore,dir=resp' > "$tmp/f" || fail "--filter"
[ "$(n "$tmp/f")" -eq 4 ] || fail "--filter function=GetLink|Explore,dir=resp: $(n "$tmp/f") messages"
grep '^#' "$tmp/f" | grep -qv ' response ' && fail "dir=resp let a request through"
dec "$HMI" --no-summary --filter 'conn=2-3' > "$tmp/f" || fail "--filter conn=2-3"
[ "$(n "$tmp/f")" -eq 2 ] && ! grep '^#' "$tmp/f" | grep -qv ' conn [23] ' ||
    fail "--filter conn=2-3: $(n "$tmp/f") messages"
dec "$HMI" --no-summary --filter 'session=0x38A' > "$tmp/f" || fail "--filter session"
grep -q '^#3 .* DeleteObject seq=12 session=0x0000038A' "$tmp/f" || fail "--filter session=0x38A"
dec "$HMI" --no-summary --filter 'frame=12-13,dir=client' > "$tmp/f" || fail "--filter frame"
[ "$(n "$tmp/f")" -eq 1 ] || fail "--filter frame=12-13,dir=client: not 1 message"

# ---- --json: names, return names, typed values
dec "$UP" --no-summary --json > "$tmp/j" || fail "--json"
jq -e -s '[.[] | select(.return_code == -12)] | length == 2 and
          all(.return_name == "ObjectNotFound")' "$tmp/j" > /dev/null || fail "--json: return names"
jq -e -s '[.[].fields[]? | select(.kind == "object")][0] | .rel_name == "GetNewRIDOnServer" and
          .class_name == "ClassServerSession"' "$tmp/j" > /dev/null || fail "--json: object names"
jq -e -s '[.[].fields[]? | select(.kind == "attribute" and .attribute == 299)][0] |
          .name == "ServerSessionRole" and .value == 1 and .type == "UDInt" and .depth == 1' \
    "$tmp/j" > /dev/null || fail "--json: attribute 299 not a named, typed field"
dec "$DIR/S7-1511-opc-request-all-types.pcap" --no-summary --json --filter 'seq=5,dir=resp' > "$tmp/j" ||
    fail "--json --filter"
jq -e '.fields[0] | .item == 1 and .value == false and .type == "Bool" and
       .address.text == "DB6 sub 2550 lid 10 (crc 0x0D81D0C8)" and .address.lids == [16]' "$tmp/j" > /dev/null ||
    { cat "$tmp/j" >&2; fail "--json: the answer's item lacks its request's address or typed value"; }

# ---- exit codes
dec "$UP" --filter 'seq=' > /dev/null 2> "$tmp/err"; [ $? -eq 1 ] || fail "bad --filter: not exit 1"
grep -q -- "--filter" "$tmp/err" || fail "bad --filter: no reason"
dec "$tmp/none.pcap" > /dev/null 2>&1; [ $? -eq 1 ] || fail "missing capture: not exit 1"
dec "$UP" --symbols "$tmp/none.json" > /dev/null 2> "$tmp/err"; [ $? -eq 5 ] ||
    fail "unreadable --symbols: not exit 5"
echo '[]' > "$tmp/empty.json"
dec "$UP" --symbols "$tmp/empty.json" > /dev/null 2>&1; [ $? -eq 5 ] || fail "--symbols without variables: not exit 5"
echo "cli_decode: ok"
