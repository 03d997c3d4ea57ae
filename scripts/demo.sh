#!/usr/bin/env bash
# The demo tour. Until the simulator serves sessions (issue 4), it shows the codec on real
# PLC traffic: every S7CommPlus PDU of the shared captures decoded and re-encoded.
set -euo pipefail
build="${1:-build}"
echo "== s7plus $("$build/cli/s7plus" --version | cut -d' ' -f2): decoding real PLC captures"
"$build/tests/captures/test_captures" 2>&1 | grep -E 'PDUs|PASSED|FAILED'
