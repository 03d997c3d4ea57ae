#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the functions of the checked-in list src/s7plus.symbols
# (the public API): nothing internal leaks, nothing public goes missing (names starting with
# "__" come from sanitizer runtimes and are not checked). A new public
# function is added to the list in the same commit.
# usage: check_symbols.sh LIBS7PLUS_SO SYMBOLS_FILE
set -u
tmp=$(mktemp -d /tmp/s7p-abi-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$1" | awk '{ print $NF }' | grep -v '^__' | sort -u > "$tmp/have" ||
    { echo "FAIL: nm $1"; exit 1; }
grep -v '^#' "$2" | sed '/^$/d' | sort -u > "$tmp/want"
if ! diff -u "$tmp/want" "$tmp/have" > "$tmp/diff"; then
    echo "FAIL: exported symbols differ from $2 (- listed, + exported):"
    cat "$tmp/diff"
    exit 1
fi
echo "ok: $(wc -l < "$tmp/have") symbols, as listed"
