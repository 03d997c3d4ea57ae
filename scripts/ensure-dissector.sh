#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes sure tshark knows the independent S7CommPlus decoder (shared/tools/s7comm-dissector).
# Builds and installs it only when tshark does not list it yet.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${S7P_SHARED_DIR:-$here/../shared}"
if tshark -G protocols 2>/dev/null | grep -q -P '\ts7comm-plus$'; then
  exit 0
fi
build="$shared/tools/s7comm-dissector/build.sh"
if [ ! -x "$build" ] && [ ! -f "$build" ]; then
  echo "ensure-dissector: $build not found (is ../shared beside the repo?)" >&2
  exit 1
fi
BUILD_DIR="$(mktemp -d)" bash "$build"
