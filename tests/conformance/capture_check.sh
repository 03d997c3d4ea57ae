#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# capture_check.sh: run a command that makes S7CommPlus traffic on loopback, capture that
# traffic with tcpdump and check the capture with the independent dissector
# (../shared/tools/s7comm-dissector/check-pcap.sh).
#
# usage: capture_check.sh --expect "Name1,Name2,..." [--keylog FILE] [--keep DIR]
#                         [--timeout SECS] [--contains FILE] [--digests N] -- COMMAND [ARGS...]
#
#   --expect   comma-separated opcode or function names as check-pcap.sh prints them
#              (CreateObject, GetMultiVariables, Notification, ...); each must appear in its
#              "opcode/function counts" lines. "" expects nothing in particular.
#   --keylog   TLS key log (SSLKEYLOGFILE format) handed to tshark to decrypt the capture.
#   --keep     copy the capture, logs and check output into DIR (kept on pass and fail).
#   --timeout  seconds COMMAND may run after the go file exists (default 50).
#   --contains FILE  each non-empty line of FILE must appear in the dissector's full decode
#              (tshark -V) of the capture: how a test checks that decoded values are the
#              values it wrote.
#   --digests N  legacy security: at least N frames of protocol version V3, every one of them
#              with the integrity part the dissector expects there (digest length 32 and a
#              32-byte digest), and no frame the dissector marks (DISSECTOR-ERROR).
#
# Contract for COMMAND (our s7p_replay today; later e.g. our client against our simulator):
#   1. It serves or uses ONE TCP port on 127.0.0.1 and writes that port number (decimal,
#      newline) to the file named by $S7P_PORT_FILE, atomically (write a temporary file, then
#      rename), within 10 s of starting.
#   2. It then waits for the file $S7P_GO_FILE to exist before it makes any traffic: tcpdump
#      is started in between. Its own wait must be bounded too.
#   3. It exits 0 once all traffic is done (connections closed), non-zero on error, and it
#      ends on SIGTERM.
#
# Exit status: 0 pass, 1 fail, 2 usage, 77 skipped: only when the system does not let us
# capture packets (tcpdump reports a permission error). A missing tshark or dissector
# plugin is a failure: `make test` installs them.
# Env: S7P_SHARED_DIR (default: ../shared beside the repository), TSHARK (for check-pcap.sh).
# shellcheck disable=SC2317  # functions below are called from traps and wait_until
set -uo pipefail

# Time bounds. Worst case all together (10+10+50+3+5+40 s) stays under the 120 s ctest
# TIMEOUT of tests/conformance/CMakeLists.txt.
PORT_WAIT=10      # seconds for COMMAND to write the port file
TCPDUMP_WAIT=10   # seconds for tcpdump to start capturing
TCPDUMP_STOP=5    # seconds for tcpdump to flush and exit after SIGINT
CHECK_TIMEOUT=40  # seconds for check-pcap.sh (it runs tshark a few times)
SETTLE_MAX=3      # seconds to wait for the capture file to stop growing after COMMAND ends
# tcpdump: --immediate-mode hands every packet over at once, so nothing sits in the kernel
# when we stop it. libpcap then uses fixed ring slots of snap-length size; a snap length of
# the largest IPv4 frame on lo (64 KiB + link header) and a 64 MiB buffer give ~1000 slots,
# where -s0 (256 KiB slots) in the default 2 MiB buffer gave 8 and dropped packets.
SNAPLEN=65600
BUFFER_KIB=65536

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shared="${S7P_SHARED_DIR:-$here/../../../shared}"
check="$shared/tools/s7comm-dissector/check-pcap.sh"

expect="" ; have_expect=0 ; keylog="" ; keep="" ; cmd_timeout=50 ; contains="" ; digests=""
cmd_pid="" ; tcpdump_pid="" ; tmp=""

say()  { echo "capture_check: $*"; }
die()  { say "FAIL: $*"; exit 1; }
usage() {
    echo "usage: capture_check.sh --expect \"Name1,Name2,...\" [--keylog FILE] [--keep DIR]" \
         "[--timeout SECS] [--contains FILE] [--digests N] -- COMMAND [ARGS...]" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
        --expect)  [ $# -ge 2 ] || usage; expect="$2"; have_expect=1; shift 2 ;;
        --keylog)  [ $# -ge 2 ] || usage; keylog="$2"; shift 2 ;;
        --keep)    [ $# -ge 2 ] || usage; keep="$2"; shift 2 ;;
        --timeout) [ $# -ge 2 ] || usage; cmd_timeout="$2"; shift 2 ;;
        --contains) [ $# -ge 2 ] || usage; contains="$2"; shift 2 ;;
        --digests) [ $# -ge 2 ] || usage; digests="$2"; shift 2 ;;
        --)        shift; break ;;
        *)         usage ;;
    esac
done
if [ "$have_expect" != 1 ] || [ $# -lt 1 ]; then usage; fi
[[ "$cmd_timeout" =~ ^[0-9]+$ ]] || usage

# Stop one background process: polite signal, bounded wait, then SIGKILL.
stop_pid() {  # pid signal seconds
    local pid="$1" sig="$2" end=$((SECONDS + $3))
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$cmd_pid" ] && kill -0 "$cmd_pid" 2>/dev/null; then
        pkill -TERM -P "$cmd_pid" 2>/dev/null   # its children, by parent pid
        stop_pid "$cmd_pid" TERM 2
    fi
    stop_pid "$tcpdump_pid" INT "$TCPDUMP_STOP"
    if [ -n "$keep" ] && [ -n "$tmp" ] && [ -d "$tmp" ]; then
        mkdir -p "$keep" && cp -f "$tmp"/* "$keep"/ 2>/dev/null && say "kept files in $keep"
    fi
    [ -n "$tmp" ] && rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Waits until "$@" succeeds, or $1 seconds pass. Returns 1 on timeout.
wait_until() {
    local end=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.05
    done
}
port_written() { [ -s "$S7P_PORT_FILE" ] || ! kill -0 "$cmd_pid" 2>/dev/null; }
tcpdump_ready() {
    grep -q "listening on" "$tmp/tcpdump.err" || ! kill -0 "$tcpdump_pid" 2>/dev/null
}
cmd_done() { ! kill -0 "$cmd_pid" 2>/dev/null; }
# True once the capture file has not grown for 0.3 s (tcpdump -U writes every packet).
capture_quiet() {
    local a b
    a=$(stat -c %s "$cap" 2>/dev/null || echo 0); sleep 0.3
    b=$(stat -c %s "$cap" 2>/dev/null || echo 0)
    [ "$a" = "$b" ]
}

command -v tcpdump >/dev/null || die "tcpdump not found"
[ -r "$check" ] || die "$check not found (set S7P_SHARED_DIR)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/s7p_capture_check.XXXXXX")" || die "mktemp failed"
export S7P_PORT_FILE="$tmp/port" S7P_GO_FILE="$tmp/go"
cap="$tmp/capture.pcap"

# 1. COMMAND, until it tells us its port.
"$@" >"$tmp/command.out" 2>"$tmp/command.err" &
cmd_pid=$!
wait_until "$PORT_WAIT" port_written || die "no port in \$S7P_PORT_FILE after ${PORT_WAIT}s"
port="$(head -n1 "$S7P_PORT_FILE" 2>/dev/null | tr -d '[:space:]')"
if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    cat "$tmp/command.out" "$tmp/command.err"
    die "COMMAND did not write a port (got '${port}')"
fi
say "COMMAND uses 127.0.0.1:$port"

# 2. tcpdump, until it is really capturing.
zopt=(); [ "$(id -u)" = 0 ] && zopt=(-Z root)  # keep root: no surprise about file permissions
tcpdump -i lo -s "$SNAPLEN" -B "$BUFFER_KIB" -U -n --immediate-mode "${zopt[@]}" \
    -w "$cap" "tcp port $port" \
    2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
wait_until "$TCPDUMP_WAIT" tcpdump_ready || die "tcpdump did not start within ${TCPDUMP_WAIT}s"
if ! grep -q "listening on" "$tmp/tcpdump.err"; then
    cat "$tmp/tcpdump.err"
    if grep -qiE "permission to (capture|perform this capture)|operation not permitted" \
            "$tmp/tcpdump.err"; then
        say "SKIP: packet capture is not permitted here (needs root or CAP_NET_RAW)"
        exit 77
    fi
    die "tcpdump failed"
fi

# 3. Go, and wait for COMMAND.
: >"$S7P_GO_FILE"
if ! wait_until "$cmd_timeout" cmd_done; then
    cat "$tmp/command.err"
    die "COMMAND still running after ${cmd_timeout}s"
fi
wait "$cmd_pid"; cmd_rc=$?
cmd_pid=""
cat "$tmp/command.out" "$tmp/command.err"
[ "$cmd_rc" -eq 0 ] || die "COMMAND exited with status $cmd_rc"

# 4. Stop tcpdump cleanly so that the file is complete; a capture with holes proves nothing.
wait_until "$SETTLE_MAX" capture_quiet || say "capture file still growing after ${SETTLE_MAX}s"
stop_pid "$tcpdump_pid" INT "$TCPDUMP_STOP"
tcpdump_pid=""
grep -E "packets (captured|dropped by kernel)" "$tmp/tcpdump.err" | sed 's/^/tcpdump: /'
[ -s "$cap" ] || die "no capture file"
dropped="$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$tmp/tcpdump.err")"
[ "${dropped:-0}" = 0 ] || die "tcpdump lost $dropped packets (kernel drops)"

# 5. The independent dissector.
check_args=(-d "tcp.port==$port,tpkt")
[ -n "$keylog" ] && check_args+=(-o "tls.keylog_file:$keylog")
timeout "$CHECK_TIMEOUT" bash "$check" "$cap" "${check_args[@]}" >"$tmp/check.txt" 2>&1
check_rc=$?
cat "$tmp/check.txt"
fails=()
[ "$check_rc" -eq 0 ] || fails+=("check-pcap.sh exited with $check_rc")
grep -qx "malformed frames: 0" "$tmp/check.txt" || fails+=("malformed frames are not 0")

# A name counts if it is a whole field of a line under "opcode/function counts:".
seen_name() {
    awk -v n="$1" '
        /^malformed frames:/ { sec = 0 }
        sec { for (i = 1; i <= NF; i++) if ($i == n) found = 1 }
        /^opcode\/function counts:/ { sec = 1 }
        END { exit !found }' "$tmp/check.txt"
}
IFS=',' read -r -a names <<<"$expect"
for name in "${names[@]}"; do
    name="$(echo "$name" | tr -d '[:space:]')"
    [ -z "$name" ] || seen_name "$name" || fails+=("expected '$name' not seen")
done

# Values: the full decode must show every expected line (read from the file only now: the
# command writes it while it runs).
if [ -n "$contains" ]; then
    tshark_bin="${TSHARK:-tshark}"
    timeout "$CHECK_TIMEOUT" "$tshark_bin" -n -r "$cap" "${check_args[@]}" -V >"$tmp/decode.txt" 2>/dev/null
    while IFS= read -r want; do
        [ -z "$want" ] && continue
        grep -qF -- "$want" "$tmp/decode.txt" || fails+=("decoded capture lacks: $want")
    done <"$contains"
    say "checked $(grep -c . "$contains") expected decoded values"
fi

# Legacy security: V3 frames and their digests as the dissector reads them (one line per
# frame: version, digest lengths, digests' byte counts, Info column).
if [ -n "$digests" ]; then
    tshark_bin="${TSHARK:-tshark}"
    timeout "$CHECK_TIMEOUT" "$tshark_bin" -n -r "$cap" "${check_args[@]}" -Y s7comm-plus \
        -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
        -e s7comm-plus.header.protocolversion -e s7comm-plus.integrity.digestlen \
        -e s7comm-plus.integrity.digest -e _ws.col.Info >"$tmp/digests.txt" 2>/dev/null
    # A TCP segment may carry several frames: count every V3 header and every digest.
    read -r v3 signed marked < <(awk -F'|' '
        { n = split($1, ver, ","); for (i = 1; i <= n; i++) if (ver[i] == "0x03" || ver[i] == "3") v3++
          n = split($2, len, ","); split($3, dg, ",")
          for (i = 1; i <= n; i++) if (len[i] == 32 && length(dg[i]) == 64) signed++ }
        /DISSECTOR-ERROR/ { marked++ }
        END { print v3 + 0, signed + 0, marked + 0 }' "$tmp/digests.txt")
    say "V3 frames: $v3, with a 32-byte digest: $signed, marked by the dissector: $marked"
    [ "$v3" -ge "$digests" ] || fails+=("only $v3 V3 frames, expected at least $digests")
    [ "$signed" -eq "$v3" ] || fails+=("$((v3 - signed)) V3 frames without a 32-byte digest")
    [ "$marked" -eq 0 ] || fails+=("$marked frames marked DISSECTOR-ERROR")
fi

if [ "${#fails[@]}" -gt 0 ]; then
    for f in "${fails[@]}"; do say "FAIL: $f"; done
    exit 1
fi
say "PASS (${#names[@]} expected names seen, 0 malformed frames)"
exit 0
