#!/bin/sh
# SPDX-License-Identifier: MIT
# s7plus against s7plus-sim serving the sample program examples/plc: browse (--flat, tree,
# --json), read and write --allow-write, with their output and exit codes. Every process is
# bounded by timeout. Exit 77 (skipped) when the simulator cannot load a program.
# usage: cli_sim.sh S7PLUS S7PLUS_SIM PROGRAM_DIR
set -u
S7=$1
SIM=$2
PROG=$3
. "$(dirname "$0")/lib.sh"
timeout 10 "$SIM" --help 2>&1 | grep -q -- "--program" ||
    { echo "SKIP: s7plus-sim has no --program option yet"; exit 77; }
sim_init cli-sim
start_sim

TAB=$(printf '\t')

# ---- browse --flat: SYMBOL<TAB>TYPE<TAB>ADDRESS
s7 0 browse --flat
cp "$tmp/out" "$tmp/flat"
n=$(wc -l < "$tmp/flat")
[ "$n" -ge 100 ] || fail "browse --flat listed only $n variables"
awk -F "$TAB" 'NF != 3 || $3 !~ /^(DB[0-9]+|[IQMCT]|[0-9A-F]+)(\.[0-9A-F]+)+$/ { print; bad = 1 } END { exit bad }' \
    "$tmp/flat" || fail "browse --flat: lines not SYMBOL<TAB>TYPE<TAB>ADDRESS"
has_prefix "\"AllTypes\".v_int${TAB}Int${TAB}DB2."
has_prefix "\"AllTypes\".v_string10${TAB}String[10]${TAB}DB2."
has_prefix "\"AllTypes\".v_dtl${TAB}DTL${TAB}DB2."
has_prefix "\"AllArrays\".a_sint${TAB}Array[-1..1] of SInt${TAB}DB1."
has_prefix "\"AllArrays\".a_string${TAB}Array[1..3] of String[8]${TAB}DB1."
has_prefix "\"Motors\".pumps[2].speed${TAB}Real${TAB}DB5."
has_prefix "\"Motors\".\"spare.motor\".limits.max${TAB}Real${TAB}DB5."
has_prefix "\"DB20_Recipes\"."
# the PLC tags of the tag table (plant.tags), quoted as TIA writes them
has_prefix "\"Start button\"${TAB}Bool${TAB}I."
has_prefix "\"Motor_On\"${TAB}Bool${TAB}Q."
has_prefix "\"Setpoint\"${TAB}Real${TAB}M."
has_prefix "\"Start_Delay\"${TAB}Timer${TAB}T."
has_prefix "\"Parts\"${TAB}Counter${TAB}C."

# ---- browse (tree): blocks, then members indented by level
s7 0 browse
has '"AllTypes"  DB2'
has '  v_int  Int'
has '"Motors"  DB5'
has '  pumps[2]'
has '    speed  Real'
has '    limits'
has '      max  Real'
[ "$(grep -c "  Int\$" "$tmp/out")" -ge 1 ] || fail "tree: no Int leaf"

# ---- browse --json: one array, one object per line, as many as --flat lines
s7 0 browse --json
[ "$(head -1 "$tmp/out")" = "[" ] || fail "browse --json does not start with ["
[ "$(tail -1 "$tmp/out")" = "]" ] || fail "browse --json does not end with ]"
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" "$n" << 'PY' || fail "browse --json: not the expected JSON"
import json, sys
items = json.load(open(sys.argv[1]))
assert len(items) == int(sys.argv[2]), (len(items), sys.argv[2])
by = {i["symbol"]: i for i in items}
v = by['"AllTypes".v_int']
assert v["type"] == "Int" and v["count"] == 0 and v["dims"] == [], v
assert v["address"]["area"] == 0x8A0E0002 and len(v["address"]["lids"]) >= 1, v
assert set(v["address"]) == {"area", "sub_area", "lids", "crc"}, v
a = by['"AllArrays".a_sint']
assert a["count"] == 3 and a["dims"] == [{"lower": -1, "count": 3}], a
PY
fi

# ---- read: TIA literal text
s7 0 read '"AllTypes".v_int' '"AllTypes".v_byte' '"AllTypes".v_word' '"AllTypes".v_lint' \
    '"AllTypes".v_ulint' '"AllTypes".v_real' '"AllTypes".v_string' '"AllTypes".v_wchar' \
    '"AllTypes".v_time' '"AllTypes".v_ltime' '"AllTypes".v_tod' '"AllTypes".v_date' \
    '"AllTypes".v_dtl' '"AllTypes".v_bool' '"AllArrays".a_sint' '"AllArrays".a_string' \
    '"Motors".pumps[2].name' '"AllTypes".v_s5time'
has '"AllTypes".v_int = -12345'
has '"AllTypes".v_byte = 16#A5'
has '"AllTypes".v_word = 16#00AA'
has '"AllTypes".v_lint = -9223372036854775808'
has '"AllTypes".v_ulint = 18446744073709551615'
has '"AllTypes".v_real = 0.00100000005'
has '"AllTypes".v_string = '"'It\$'s \$\$5\$N'"
has '"AllTypes".v_wchar = '"'€'"
has '"AllTypes".v_time = T#1D_2H_3M_4S_5MS'
has '"AllTypes".v_ltime = LT#-1H_2US_3NS'
has '"AllTypes".v_tod = TOD#12:30:00.500'
has '"AllTypes".v_date = D#2024-01-31'
has '"AllTypes".v_dtl = DTL#2024-01-31-12:00:00.123456789'
has '"AllTypes".v_bool = true'
has '"AllArrays".a_sint = [-1, 0, 1]'
has '"AllArrays".a_string = '"['one', 'two', 'three']"
has '"Motors".pumps[2].name = '"'pump 2'"
has '"AllTypes".v_s5time = S5T#1S'

# an unknown symbol: reported, the others still printed, exit code 3
s7 3 read '"AllTypes".v_int' '"AllTypes".no_such_member'
has '"AllTypes".v_int = -12345'
grep -q '^"AllTypes".no_such_member: error: ' "$tmp/out" || fail "read: no error line"

# --json: one object
s7 0 read '"AllTypes".v_int' '"AllTypes".v_string' '"AllTypes".v_dtl' '"AllArrays".a_real' --json
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" << 'PY' || fail "read --json: not the expected JSON"
import json, sys
o = json.load(open(sys.argv[1]))
assert o['"AllTypes".v_int'] == -12345, o
assert o['"AllTypes".v_string'] == "It's $5\n", o
assert o['"AllTypes".v_dtl'] == "DTL#2024-01-31-12:00:00.123456789", o
assert o['"AllArrays".a_real'] == [1.5, -2.25, 3.0, 1.0e10], o
PY
fi

# ---- write: refused without --allow-write (exit 1), nothing sent
s7 1 write '"AllTypes".v_int=1'
has_err "writes are disabled"

# ---- write --allow-write, then read back
s7 0 write --allow-write '"AllTypes".v_int=16#7FFF' "\"AllTypes\".v_string10='it\$'s new'" \
    '"AllTypes".v_time=T#-1.5s' '"AllTypes".v_dtl=2024-02-29T23:59:59.5' \
    '"AllArrays".a_sint=[3(-7)]' '"AllTypes".v_bool=0' '"AllTypes".v_lreal=0.1' \
    '"Motors".pumps[3].speed=-12.5' '"AllTypes".v_wstring8=Grüße'
has '"AllTypes".v_int = 32767'
has '"AllTypes".v_time = T#-1S_500MS'
s7 0 read '"AllTypes".v_int' '"AllTypes".v_string10' '"AllTypes".v_time' '"AllTypes".v_dtl' \
    '"AllArrays".a_sint' '"AllTypes".v_bool' '"AllTypes".v_lreal' '"Motors".pumps[3].speed' \
    '"AllTypes".v_wstring8'
has '"AllTypes".v_int = 32767'
has '"AllTypes".v_string10 = '"'it\$'s new'"
has '"AllTypes".v_time = T#-1S_500MS'
has '"AllTypes".v_dtl = DTL#2024-02-29-23:59:59.500000000'
has '"AllArrays".a_sint = [-7, -7, -7]'
has '"AllTypes".v_bool = false'
has '"AllTypes".v_lreal = 0.10000000000000001'
has '"Motors".pumps[3].speed = -12.5'
has '"AllTypes".v_wstring8 = '"'Grüße'"

# a value that does not fit: exit 1, a clear message, and nothing written (not even the
# valid first item)
s7 1 write --allow-write '"AllTypes".v_int=5' '"AllTypes".v_usint=256'
has_err "256 is out of range for USInt (0..255)"
has_err "nothing was written"
s7 0 read '"AllTypes".v_int'
has '"AllTypes".v_int = 32767'
# a wrong array length
s7 1 write --allow-write '"AllArrays".a_sint=[1, 2]'
has_err "needs 3 values, 2 given"
# an unknown symbol: exit 3, nothing written
s7 3 write --allow-write '"AllTypes".nope=1' '"AllTypes".v_int=5'
has_err '"AllTypes".nope: error: '
s7 0 read '"AllTypes".v_int'
has '"AllTypes".v_int = 32767'

# ---- every type has a text form both ways: read every variable of the program, write each
# value's text back, read again: the same text (OB_Comm used to print "<OB_Comm: no text
# form>" although the wire carries an Int)
cut -f1 "$tmp/flat" > "$tmp/symbols"
# with_lines FILE CODE COMMAND ARGS...: `s7 CODE COMMAND ARGS... LINE...` with FILE's lines
with_lines() {
    f=$1
    shift
    IFS='
'
    set -f
    # shellcheck disable=SC2046
    set -- "$@" $(cat "$f")
    set +f
    unset IFS
    s7 "$@"
}
with_lines "$tmp/symbols" 0 read
! grep -F "no text form" "$tmp/out" || fail "read: a type without text form"
[ "$(grep -c ' = ' "$tmp/out")" -eq "$n" ] || fail "read: not every variable has a value"
cp "$tmp/out" "$tmp/values"
has '"AllTypes".ob_comm = 50'
has '"AllArrays".a_ob_comm = [0, 0]'
sed 's/ = /=/' "$tmp/values" > "$tmp/assignments"
with_lines "$tmp/assignments" 0 write --allow-write
cmp -s "$tmp/out" "$tmp/values" || { diff "$tmp/values" "$tmp/out" | head >&2; fail "write back"; }
with_lines "$tmp/symbols" 0 read
cmp -s "$tmp/out" "$tmp/values" || { diff "$tmp/values" "$tmp/out" | head >&2; fail "read back"; }
s7 0 write --allow-write '"AllTypes".ob_comm=16#7FFF' '"AllTypes".hw_io=257' \
    '"AllTypes".db_any=65535'
s7 0 read '"AllTypes".ob_comm' '"AllTypes".hw_io' '"AllTypes".db_any'
has '"AllTypes".ob_comm = 32767'
has '"AllTypes".hw_io = 257'
has '"AllTypes".db_any = 65535'
s7 1 write --allow-write '"AllTypes".ob_comm=32768'
has_err "out of range"

# ---- -v logs info on stderr (with level and layer), not debug
s7 0 info -v
has_err "s7plus: info: "
! grep -q "s7plus: debug: " "$tmp/err" || fail "-v logs debug lines"

# ---- --json: a per-item failure carries the same fields as a whole failure
s7 3 read '"AllTypes".nope' '"AllTypes".v_int' --json
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" "$EP" << 'PY' || fail "read --json: item error object"
import json, sys
o = json.load(open(sys.argv[1]))
assert o['"AllTypes".v_int'] == 32767, o
e = o['"AllTypes".nope']["error"]
assert e["code"] == "S7P_E_NOT_FOUND" and e["transient"] is False, e
assert e["endpoint"] == sys.argv[2] and "nope" in e["message"], e
assert set(e) >= {"status", "operation", "plc_code", "plc_code_name", "transient"}, e
PY
fi

# ---- PLC tags by name: bare or quoted, read and written
s7 0 read Setpoint '"Start button"' Stop_Button '"Level raw"' Today
has 'Setpoint = 12.5'
has '"Start button" = false'
has 'Stop_Button = true'
has '"Level raw" = 0'
has 'Today = D#2024-06-01'
s7 0 write --allow-write Setpoint=-3.25 Motor_On=1 '"Valve position"=16#BEEF'
s7 0 read '"Setpoint"' motor_on '"Valve position"'
has '"Setpoint" = -3.25'
has 'motor_on = true'
has '"Valve position" = 16#BEEF'
s7 3 read No_Such_Tag
grep -q "^No_Such_Tag: error: .*no PLC tag 'No_Such_Tag'" "$tmp/out" || fail "read: no tag error line"

# ---- watch: the first notification carries every value; --count ends it; a written value
# comes as the next change; --json prints JSON lines; an unknown symbol is an error line
s7 0 watch Setpoint Motor_On --count 2 --cycle 100
has 'Setpoint = -3.25'
has 'Motor_On = true'
( sleep 1; timeout 20 "$S7" write "$EP" --allow-write Setpoint=7.5 > /dev/null 2>&1 ) &
writer=$!
s7 0 watch Setpoint --count 2 --cycle 50
has 'Setpoint = -3.25'
has 'Setpoint = 7.5'
wait "$writer"
s7 0 watch Setpoint --count 1 --json
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" << 'PY' || fail "watch --json: not the expected JSON line"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["symbol"] == "Setpoint" and o["value"] == 7.5 and o["sequence"] == 1, o
assert o["time"].endswith("Z"), o
PY
fi
s7 3 watch No_Such_Tag Setpoint --count 1
grep -q "^No_Such_Tag: error: " "$tmp/out" || fail "watch: no error line for an unknown tag"
has 'Setpoint = 7.5'
s7 1 watch Setpoint --cycle 0

sim_alive

# ---- a PLC refusal is printed with the code's name and meaning: a simulator that refuses
# the first write after the session set-up with -17 (InvalidCRC)
# (the fault counts the session set-up's SetMultiVariables: the write is the 2nd)
start_sim --fault plc-error:SetMultiVariables:2 --plc-code -17
s7 3 write --allow-write '"AllTypes".v_int=1'
cat "$tmp/out" >> "$tmp/err"
has_err "PLC error -17 InvalidCRC: symbol CRC mismatch"
start_sim --fault plc-error:SetMultiVariables:2 --plc-code -17
s7 3 write --allow-write '"AllTypes".v_int=1' --json
if command -v python3 > /dev/null 2>&1; then
    python3 - "$tmp/out" << 'PY' || fail "write --json: no PLC code with its name"
import json, sys
o = json.load(open(sys.argv[1]))
# the refusal as the call's error, or as the item's (both carry the same fields)
errs = [o["error"]] if "error" in o else []
errs += [v["error"] for v in o.get("results", o).values() if isinstance(v, dict) and "error" in v]
assert any(e["plc_code"] == -17 and e["plc_code_name"] == "InvalidCRC" for e in errs), o
PY
fi
# ---- control commands piped into stdin (--control -): one answer line each on stdout,
# after the "listening" line; the end of stdin leaves the simulator running
printf 'set "AllTypes".v_int 2345\nget "AllTypes".v_int\nstate stop\nnonsense\n' > "$tmp/cmds"
SIM_STDIN=$tmp/cmds
start_sim --control -
SIM_STDIN=
i=0
while [ "$(wc -l < "$tmp/sim.out")" -lt 5 ]; do
    i=$((i + 1))
    [ "$i" -le 200 ] || { cat "$tmp/sim.out" >&2; fail "--control -: no 4 answers within 20 s"; }
    sleep 0.1
done
sed -n 1p "$tmp/sim.out" | grep -q '^listening on ' || fail "--control -: first line is not the listening line"
printf 'ok\nok 2345\nok stop\nerror: unknown command "nonsense" (try help)\n' > "$tmp/want"
sed -n 2,5p "$tmp/sim.out" | cmp -s - "$tmp/want" ||
    { sed -n 2,5p "$tmp/sim.out" >&2; fail "--control -: answers differ"; }
s7 0 read '"AllTypes".v_int'
has '"AllTypes".v_int = 2345'
s7 0 state
has "Operating state      stop"
sim_alive

echo "cli_sim: ok ($n variables)"
