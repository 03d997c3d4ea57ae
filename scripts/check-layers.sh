#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fails when an #include goes up or sideways between the layers of src/ (docs/architecture.md,
# "Layers"), when the CLI includes anything of src/ (it uses only the public header), or when
# src/ has a folder this script does not know (a new layer must be placed in the graph).
# The simulator (sim/) sits on top and may include every layer.
# Usage: check-layers.sh [source root]
set -euo pipefail

ROOT=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"

# What each layer may include besides itself and the public header "s7plus/...".
declare -A ALLOWED=(
  [util]=""
  [proto]="util"
  [net]="util proto"
  [tls]="util proto"
  [values]="util proto"
  [legacy]="util proto net tls"
  [session]="util proto net tls legacy"
  [services]="util proto net tls values legacy session"
  [client]="util proto net tls values legacy session services"
  [decode]="util proto net tls values legacy session services"
)

bad=0
complain() {
  echo "check-layers: $*"
  bad=1
}

# Prints "file:line:target-folder" for each #include "folder/..." in the given files.
includes() {
  grep -Ho -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[A-Za-z0-9_]*/' "$@" 2>/dev/null |
    sed -E 's/^([^:]*:[0-9]+):.*["<]([A-Za-z0-9_]*)\/$/\1:\2/' || true
}

for dir in src/*/; do
  layer=$(basename "$dir")
  if [ -z "${ALLOWED[$layer]+set}" ]; then
    complain "src/$layer/ is not in the layer graph (place it in scripts/check-layers.sh and docs/architecture.md)"
    continue
  fi
  mapfile -t files < <(find "$dir" -name '*.[ch]')
  [ "${#files[@]}" -eq 0 ] && continue
  while IFS=: read -r file line target; do
    case " $layer s7plus ${ALLOWED[$layer]} " in
      *" $target "*) ;;
      *) complain "$file:$line: $layer/ includes $target/ (allowed: ${ALLOWED[$layer]:-nothing})" ;;
    esac
  done < <(includes "${files[@]}")
done

# The CLI: the public header only, none of the library's internal layers.
mapfile -t files < <(find cli -name '*.[ch]')
while IFS=: read -r file line target; do
  [ -n "${ALLOWED[$target]+set}" ] && complain "$file:$line: the CLI includes $target/ (public header only)"
done < <(includes "${files[@]}")

# The simulator: any layer of src/ or a folder of its own, nothing of the CLI.
mapfile -t files < <(find sim -name '*.[ch]')
while IFS=: read -r file line target; do
  [ -n "${ALLOWED[$target]+set}" ] || [ "$target" = s7plus ] || [ -d "sim/$target" ] ||
    complain "$file:$line: the simulator includes $target/ (neither a layer of src/ nor its own)"
done < <(includes "${files[@]}")

[ "$bad" -eq 0 ] && echo "check-layers: every include of src/, sim/ and cli/ goes down the layer graph"
exit "$bad"
