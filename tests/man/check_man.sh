#!/bin/sh
# SPDX-License-Identifier: MIT
# The man page says what --help says: every paragraph of `PROGRAM --help` (and of each
# `PROGRAM SUB --help`, up to the options common to all commands) and of --version appears
# word for word in the rendered page. Fails on a stale or hand-edited page.
# usage: check_man.sh PROGRAM PAGE [SUBCOMMAND...]
set -u
prog=$1 page=$2
shift 2
tmp=$(mktemp -d /tmp/s7p-man-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
[ -s "$page" ] || { echo "FAIL: no man page $page"; exit 1; }
groff -man -Tascii -P-cbou "$page" > "$tmp/page" 2> "$tmp/groff.err" ||
    { echo "FAIL: groff failed"; exit 1; }
[ -s "$tmp/groff.err" ] && { echo "FAIL: groff warns:"; cat "$tmp/groff.err"; exit 1; }
# check LABEL FILE: each paragraph of FILE (the usage lines are one of their own), its
# words joined by single spaces, must be in the page's words joined the same way.
check() {
    awk -v label="$1" '
    function words(s) { gsub(/[ \t\n]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
    function flush() {
        w = words(chunk); chunk = ""
        if (w != "" && !index(page, w)) { print "FAIL: the page lacks, of " label ": " w; bad = 1 }
    }
    NR == FNR { page = page " " $0; next }
    FNR == 1 { page = words(page) }
    /^usage: / { flush(); sub(/^usage: /, ""); chunk = $0; usage = 1; next }
    usage && /^   / { chunk = chunk " " $0; next }
    usage { flush(); usage = 0 }
    /^$/ { flush(); next }
    { chunk = chunk " " $0 }
    END { flush(); exit bad }' "$tmp/page" "$2"
}
rc=0
"$prog" --help > "$tmp/help" && check "--help" "$tmp/help" || rc=1
"$prog" --version > "$tmp/version" && check "--version" "$tmp/version" || rc=1
for sub in "$@"; do
    "$prog" "$sub" --help | sed '/^options common to all commands:$/,$d' > "$tmp/sub" &&
        check "$sub --help" "$tmp/sub" || rc=1
done
[ $rc -eq 0 ] && echo "ok: $page agrees with --help"
exit $rc
