#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages s7plus needs to build, test and run its demo.
# Does nothing (and needs no network) when everything is already present.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config
  clang llvm libclang-rt-14-dev          # libFuzzer + sanitizer runtimes
  libssl-dev zlib1g-dev libjansson-dev    # library + CLI dependencies
  libcmocka-dev libpcap-dev               # unit tests, capture replay
  tcpdump tshark wireshark-dev            # conformance: capture + independent decoder
  libglib2.0-dev libgcrypt20-dev          # needed to build the decoder plugin
  doxygen groff-base                      # API reference; man pages checked against --help
  dpkg-dev file                           # make deb (cpack: dpkg-shlibdeps finds ELF files)
  pmccabe                                 # function size/complexity check (check-complexity.sh)
  python3-cffi python3-pytest python3-dev # the Python binding (python/) and its tests
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
