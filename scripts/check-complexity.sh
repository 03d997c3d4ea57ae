#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when a function in src/, sim/ or cli/ is longer than MAX_LINES lines or has a
# (modified) cyclomatic complexity above MAX_CC, or a file is longer than MAX_FILE lines.
# Complexity is pmccabe's "modified" McCabe number: a switch counts once, so a flat
# table-like switch is not penalised, but nested decisions are.
# Usage: check-complexity.sh [source root]   (exit 77 = skipped: pmccabe is not installed)
set -euo pipefail

ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
MAX_CC=${MAX_CC:-25}
MAX_LINES=${MAX_LINES:-80}
MAX_FILE=${MAX_FILE:-800}

if ! command -v pmccabe >/dev/null 2>&1; then
  echo "check-complexity: pmccabe not installed (apt-get install pmccabe); skipped" >&2
  exit 77
fi

cd "$ROOT"
mapfile -t files < <(find src sim cli -name '*.[ch]' | sort)
bad=0

# pmccabe columns: modified cc, traditional cc, statements, first line, lines, file(line): name
while read -r mcc _ _ _ lines where name; do
  if [ "$mcc" -gt "$MAX_CC" ] || [ "$lines" -gt "$MAX_LINES" ]; then
    echo "check-complexity: $where $name: complexity $mcc (max $MAX_CC), $lines lines (max $MAX_LINES)"
    bad=1
  fi
done < <(pmccabe "${files[@]}" 2>/dev/null)

for f in "${files[@]}"; do
  n=$(wc -l < "$f")
  if [ "$n" -gt "$MAX_FILE" ]; then
    echo "check-complexity: $f: $n lines (max $MAX_FILE)"
    bad=1
  fi
done

[ "$bad" -eq 0 ] && echo "check-complexity: ${#files[@]} files within limits (complexity <= $MAX_CC, functions <= $MAX_LINES lines, files <= $MAX_FILE lines)"
exit "$bad"
