#!/bin/sh
# SPDX-License-Identifier: MIT
# `cmake --install` into a temporary prefix, then a program outside the tree is built
# against what was installed, four ways (pkg-config and find_package, shared and static
# library), and each is run against the installed s7plus-sim.
# usage: run_install.sh BUILD_DIR CC SOURCE_DIR
set -u
BUILD=$1
CC=$2
SRC=$3
tmp=$(mktemp -d /tmp/s7p-install-XXXXXX) || exit 1
P="$tmp/prefix"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$P" > "$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "cmake --install"; }
libdir=$(sed -n 's/^libdir=\${prefix}\///p; s/^libdir=//p' "$(find "$P" -name s7plus.pc)" | head -1)
case $libdir in /*) ;; *) libdir="$P/$libdir" ;; esac
for f in "$libdir/libs7plus.a" "$libdir/pkgconfig/s7plus.pc" \
         "$libdir/cmake/s7plus/s7plus-config.cmake" "$P/include/s7plus/s7plus.h" \
         "$P/bin/s7plus" "$P/bin/s7plus-sim" "$P/share/man/man1/s7plus.1" \
         "$P/share/man/man1/s7plus-sim.1"; do
    [ -e "$f" ] || fail "not installed: ${f#$P/}"
done
so=$(ls "$libdir"/libs7plus.so.*.*.* 2>/dev/null | head -1)
[ -n "$so" ] || fail "no versioned shared library installed"
soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
case $soname in libs7plus.so.[0-9]*) ;; *) fail "SONAME is '$soname'" ;; esac
[ -L "$libdir/$soname" ] && [ -L "$libdir/libs7plus.so" ] || fail "no $soname / libs7plus.so links"
grep -q '^prefix='"$P"'$' "$libdir/pkgconfig/s7plus.pc" || fail "s7plus.pc names another prefix"
"$P/bin/s7plus" --version | grep -q '^s7plus .*OpenSSL' || fail "installed s7plus --version"

# The installed simulator (a fresh certificate: the consumers accept any).
"$P/bin/s7plus-sim" --port 0 --port-file "$tmp/port" --plc-name PLC_Installed \
    > "$tmp/sim.out" 2>&1 &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    kill -0 "$pid" 2>/dev/null || fail "installed s7plus-sim did not start"
    i=$((i + 1)); [ $i -gt 200 ] && fail "installed s7plus-sim did not listen"
    sleep 0.05
done
port=$(cat "$tmp/port")

# check EXE HOW SHARED(yes|no): links libs7plus.so or not, runs, talks to the simulator.
check() {
    if readelf -d "$1" | grep -q 'NEEDED.*libs7plus'; then linked=yes; else linked=no; fi
    [ "$linked" = "$3" ] || fail "$2: dynamically linked to libs7plus: $linked, wanted $3"
    out=$(LD_LIBRARY_PATH="$libdir" timeout 30 "$1" 127.0.0.1 "$port" 2>&1) ||
        fail "$2: $out"
    [ "$out" = "libs7plus $(cat "$tmp/version"): PLC PLC_Installed" ] || fail "$2 printed: $out"
    echo "ok: $2"
}
"$P/bin/s7plus" --version | sed 's/^s7plus \([^ ]*\) .*/\1/' > "$tmp/version"

export PKG_CONFIG_PATH="$libdir/pkgconfig"
# pkg-config, shared: the plain --libs must be enough.
"$CC" "$SRC/consumer/consumer.c" -o "$tmp/pc_shared" $(pkg-config --cflags --libs s7plus) ||
    fail "pkg-config shared: build"
check "$tmp/pc_shared" "pkg-config shared" yes
# pkg-config, static: --static must bring everything libs7plus.a needs (OpenSSL, zlib,
# threads); the archive is named to keep the linker from picking the shared library.
static_libs=$(pkg-config --static --libs s7plus | sed "s#-ls7plus#$libdir/libs7plus.a#")
"$CC" "$SRC/consumer/consumer.c" -o "$tmp/pc_static" $(pkg-config --cflags s7plus) \
    $static_libs || fail "pkg-config static: build ($static_libs)"
check "$tmp/pc_static" "pkg-config static" no

# find_package, shared and static.
for kind in shared static; do
    use=OFF; [ $kind = static ] && use=ON
    cmake -S "$SRC/consumer" -B "$tmp/cm_$kind" -DCMAKE_PREFIX_PATH="$P" \
        -DCMAKE_C_COMPILER="$CC" -DUSE_STATIC=$use > "$tmp/cm_$kind.log" 2>&1 &&
        cmake --build "$tmp/cm_$kind" >> "$tmp/cm_$kind.log" 2>&1 ||
        { cat "$tmp/cm_$kind.log"; fail "find_package $kind: build"; }
    want=yes; [ $kind = static ] && want=no
    check "$tmp/cm_$kind/consumer" "find_package $kind" $want
done
echo "ok: installed, and built and ran four ways"
