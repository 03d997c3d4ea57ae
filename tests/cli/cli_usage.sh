#!/bin/sh
# s7plus without a PLC: help texts, usage errors, and the write gate (the library refuses a
# write without --allow-write before anything is sent, so no PLC is needed).
# usage: cli_usage.sh S7PLUS
set -u
S7=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect CODE COMMAND...: runs the command (bounded), checks its exit code, keeps its output
expect() {
    want=$1
    shift
    timeout 10 "$S7" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    [ "$got" -eq "$want" ] || { cat "$tmp/out" "$tmp/err" >&2; fail "s7plus $*: exit $got, expected $want"; }
}
tmp=$(mktemp -d /tmp/s7p-cli-usage-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

expect 0 --help
for c in info browse read write; do
    grep -q "^  $c " "$tmp/out" || fail "--help does not list $c"
done
grep -q -- "--allow-write" "$tmp/out" || fail "--help does not mention --allow-write"
for c in browse read write; do
    expect 0 "$c" --help
    grep -q "^usage: s7plus $c " "$tmp/out" || fail "$c --help: no usage line"
done
expect 1 bogus
expect 1 read 127.0.0.1                          # no symbol
expect 1 browse                                  # no host
expect 1 browse 127.0.0.1 --flat --json
grep -q "exclude each other" "$tmp/err" || fail "--flat --json: no reason given"
expect 1 browse 127.0.0.1 --no-such-option
expect 1 write 127.0.0.1 '"Data".x'              # no '='
grep -q "is not SYMBOL=VALUE" "$tmp/err" || fail "write without '=': no reason given"
expect 1 write 127.0.0.1 '=5'
# The write gate: refused by the library, exit 1, nothing sent (port 1: nobody listens).
expect 1 write 127.0.0.1:1 '"Data".x=1'
grep -q "writes are disabled" "$tmp/err" || { cat "$tmp/err" >&2; fail "write: no refusal message"; }
grep -q -- "--allow-write" "$tmp/err" || fail "write: no hint at --allow-write"
# With --allow-write the same command gets as far as connecting (and fails there: exit 2).
expect 2 write 127.0.0.1:1 '"Data".x=1' --allow-write --timeout 2000
echo "cli_usage: ok"
