#!/bin/sh
# SPDX-License-Identifier: MIT
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
# Trust on first use is the default: nothing of a test may go to the user's home.
export S7PLUS_KNOWN_HOSTS="$tmp/kh/known_hosts"
# says TEXT: stderr has TEXT (after an expect)
says() { grep -qF -- "$1" "$tmp/err" || { cat "$tmp/err" >&2; fail "stderr lacks: $1"; }; }

expect 0 --help
for c in info browse read write culture resources state; do
    grep -q "^  $c " "$tmp/out" || fail "--help does not list $c"
done
grep -q -- "--allow-write" "$tmp/out" || fail "--help does not mention --allow-write"
for c in browse read write culture resources state; do
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

# ---- numbers: every numeric option and the port are range-checked, with the reason named
# (these used to wrap: --timeout -5 waited for ~50 days; a bad port printed only the usage)
for v in -5 -1 0 99999999999 18446744073709551616 abc 5x '' ' 5' +5 3600001; do
    expect 1 read 127.0.0.1:1 X --timeout "$v"
    says "--timeout: '$v' is not a number from 1 to 3600000"
done
expect 1 browse 127.0.0.1:1 --browse-timeout -1
says "--browse-timeout: '-1' is not a number from 1 to 86400000"
expect 1 browse 127.0.0.1:1 --browse-timeout 86400001
says "--browse-timeout"
for p in 99999 abc 0 -1 65536 ''; do
    expect 1 info "127.0.0.1:$p"
    says "port: '$p' is not a number from 1 to 65535"
done
expect 1 info "[::1]:70000"
says "port: '70000'"
expect 1 info "[::1"
says "is not HOST[:PORT]"
expect 1 info ":102"
says "the host is missing"
# the largest values pass the checks (and get as far as connecting: port 1, nobody there)
expect 2 read 127.0.0.1:1 X --timeout 3600000 --browse-timeout 86400000

# ---- certificate options
expect 1 info 127.0.0.1:1 --pin "$(printf '%064d' 0)" --ca /nonexistent.pem
says "--pin and --ca exclude each other"
expect 1 info 127.0.0.1:1 --insecure --pin "$(printf '%064d' 0)"
says "exclude each other"
expect 1 info 127.0.0.1:1 --known-hosts "$tmp/x" --no-verify
says "exclude each other"
expect 1 info 127.0.0.1:1 --expected-name plc1
says "--expected-name needs --ca"
expect 1 info 127.0.0.1:1 --pin 0011
says "--pin needs 64 hex digits"
expect 0 --help
for o in --known-hosts --insecure --no-verify --expected-name --browse-timeout \
         known_hosts "SHA256-HEX" "5 configuration"; do
    grep -qF -- "$o" "$tmp/out" || fail "--help does not mention $o"
done
grep -q "connect timeout.*request" "$tmp/out" || fail "--help does not say what --timeout sets"
expect 0 read --help
grep -qF -- "--known-hosts" "$tmp/out" || fail "read --help lacks the common options"

# ---- trust on first use by default: the known-hosts directory is created (private)
rm -rf "$tmp/kh"
expect 2 info 127.0.0.1:1 --timeout 2000
[ -d "$tmp/kh" ] || fail "the known-hosts directory was not created"
[ "$(stat -c %a "$tmp/kh")" = 700 ] || fail "the known-hosts directory is not private"
# ... under $XDG_CONFIG_HOME, else ~/.config, when $S7PLUS_KNOWN_HOSTS is not set
(unset S7PLUS_KNOWN_HOSTS; XDG_CONFIG_HOME="$tmp/xdg" timeout 10 "$S7" info 127.0.0.1:1) \
    > /dev/null 2>&1
[ -d "$tmp/xdg/s7plus" ] || fail "no \$XDG_CONFIG_HOME/s7plus directory"
(unset S7PLUS_KNOWN_HOSTS XDG_CONFIG_HOME; HOME="$tmp/home" timeout 10 "$S7" info 127.0.0.1:1) \
    > /dev/null 2>&1
[ -d "$tmp/home/.config/s7plus" ] || fail "no ~/.config/s7plus directory"
(unset S7PLUS_KNOWN_HOSTS XDG_CONFIG_HOME HOME; timeout 10 "$S7" info 127.0.0.1:1) \
    > "$tmp/out" 2> "$tmp/err"
[ $? -eq 5 ] || fail "no home and no known-hosts file: not exit 5"
says "--insecure"
# --known-hosts FILE (its directory too), and --insecure needs none
expect 2 info 127.0.0.1:1 --known-hosts "$tmp/own/dir/hosts"
[ -d "$tmp/own/dir" ] || fail "--known-hosts: directory not created"
rm -rf "$tmp/kh"
expect 2 info 127.0.0.1:1 --insecure
[ ! -e "$tmp/kh" ] || fail "--insecure created a known-hosts directory"

# ---- --json: a failure is a JSON error object on stdout, with the same exit code
expect 2 read 127.0.0.1:1 '"Data".x' --json --timeout 2000
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" << 'PY' || fail "read --json: no JSON error object"
import json, sys
e = json.load(open(sys.argv[1]))["error"]
assert e["code"] == "S7P_E_CONNECT" and e["status"] == 5, e
assert e["operation"] == "connect" and e["endpoint"] == "127.0.0.1:1", e
assert e["transient"] is True and e["plc_code"] is None and "refused" in e["message"], e
for k in ("plc_code_name", "message"):
    assert k in e, k
PY
fi
expect 2 info 127.0.0.1:1 --json
grep -q '"S7P_E_CONNECT"' "$tmp/out" || fail "info --json: no error object"
expect 2 browse 127.0.0.1:1 --json
grep -q '"S7P_E_CONNECT"' "$tmp/out" || fail "browse --json: no error object"
echo "cli_usage: ok"
