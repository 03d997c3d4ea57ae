#!/bin/sh
# SPDX-License-Identifier: MIT
# `s7plus decode` against the independent dissector (tshark with the s7comm-plus plugin):
# for every capture of the shared folder, the list of S7CommPlus PDUs — opcode, function
# code and sequence number, in capture order — must be the same, and nothing may be left
# undecodable.
# usage: decode_vs_dissector.sh S7PLUS CAPTURE_DIR
set -u
S7=$1
DIR=$2
TSHARK=${TSHARK:-tshark}
fail() { echo "FAIL: $*" >&2; exit 1; }
tshark_has_plugin() { "$TSHARK" -G protocols 2>/dev/null | grep -q "	s7comm-plus\$"; }
tshark_has_plugin || fail "tshark does not know s7comm-plus (make test installs it: scripts/ensure-dissector.sh)"
tmp=$(mktemp -d /tmp/s7p-decode-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    # tshark: one line per frame that carries a PDU header (hex opcode/function)
    "$TSHARK" -r "$f" -Y s7comm-plus -T fields -e s7comm-plus.data.opcode \
        -e s7comm-plus.data.function -e s7comm-plus.data.seqnum 2> "$tmp/tshark.err" |
        while IFS='	' read -r op fn seq; do
            [ -n "$op" ] || continue
            printf '%d %d %s\n' "$op" "${fn:-0}" "${seq:-}"
        done > "$tmp/want" || fail "$name: tshark failed: $(cat "$tmp/tshark.err")"
    timeout 60 "$S7" decode "$f" --json --no-summary > "$tmp/json" || fail "$name: s7plus decode failed"
    jq -r 'select(.kind != "cotp") |
           if .opcode == null then "undecodable \(.error)"
           elif .opcode == 51 then "51 0 "
           else "\(.opcode) \(.function_code) \(.seq)" end' "$tmp/json" > "$tmp/got" ||
        fail "$name: output is not JSON lines"
    # notifications carry no function code nor request sequence number: "51 0 " both sides
    sed 's/^51 [0-9]* *$/51 0 /' "$tmp/want" > "$tmp/want2"
    if ! diff -u "$tmp/want2" "$tmp/got" > "$tmp/diff"; then
        head -40 "$tmp/diff" >&2
        fail "$name: the PDUs differ from the dissector's"
    fi
    [ -s "$tmp/got" ] || fail "$name: no PDU decoded"
    echo "$name: $(wc -l < "$tmp/got") PDUs as the dissector shows them"
    n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n captures found in $DIR"
