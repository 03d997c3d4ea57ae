#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the API reference into OUT_DIR with docs/Doxyfile (which fails on any warning).
# usage: run_doxygen.sh DOXYGEN SOURCE_DIR OUT_DIR
set -eu
cd "$2"
{ cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $3"; } | "$1" -
test -s "$3/html/index.html"
