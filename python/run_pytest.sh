#!/bin/sh
# SPDX-License-Identifier: MIT
# The ctest `python`: the pytest suite of python/tests against s7plus-sim, with the binding
# of this build (BUILD/python). Installs Debian's python3-cffi/python3-pytest/python3-dev
# when missing (as `make deps` does); exits 77 (skipped) only when /usr/bin/python3 lacks
# them and they cannot be installed.
# usage: run_pytest.sh SOURCE_DIR BUILD_DIR S7PLUS_SIM PROGRAM_DIR [PYTEST ARGS...]
set -u
SRC=$1 BUILD=$2 SIM=$3 PROG=$4
shift 4
PY=/usr/bin/python3
if ! $PY -c 'import cffi, pytest' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q \
            --no-install-recommends python3-cffi python3-pytest python3-dev >&2
    fi
    if ! $PY -c 'import cffi, pytest' 2>/dev/null; then
        echo "skipped: $PY has no cffi/pytest and they cannot be installed"
        exit 77
    fi
fi
if ! ls "$BUILD"/python/s7plus/_s7plus_cffi*.so > /dev/null 2>&1; then
    # Configured before cffi was there: configure again, which adds the module, and build it.
    cmake -S "$SRC" -B "$BUILD" > /dev/null && cmake --build "$BUILD" --target s7plus_python \
        || exit 1
fi
cd "$BUILD" || exit 1
PYTHONPATH="$BUILD/python" S7PLUS_SIM="$SIM" S7PLUS_PROGRAM="$PROG" \
    exec timeout 540 $PY -m pytest -q -p no:cacheprovider "$SRC/python/tests" "$@"
