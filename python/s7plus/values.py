# SPDX-License-Identifier: MIT
"""``s7p_tag_value`` <-> Python values. The library does the wire encoding, the range checks
and the text forms (``s7p_value_parse`` / ``s7p_value_text``); this module only maps the
fields of the C struct to Python objects and back:

=============================================  ==============================================
PLC type                                       Python
=============================================  ==============================================
Bool                                           bool
integers, bit strings, ids, counters, timers   int
Real, LReal                                    float
Char, WChar                                    str of length 1
String, WString                                str
Time, LTime, S5Time                            datetime.timedelta
Time_Of_Day, LTime_Of_Day                      datetime.time
Date                                           datetime.date
Date_And_Time, LDT, DTL                        datetime.datetime (naive: the PLC's clock)
Pointer, Any, Remote                           bytes
Array[..] of T                                 list
=============================================  ==============================================

Python's time types stop at microseconds; a value with nanoseconds (LTime, LTOD, LDT, DTL)
comes as a subclass (NsTimedelta, NsTime, NsDatetime) whose ``ns`` attribute holds the exact
count, and writes take ``ns`` from such a value, so nothing is lost in a round trip.
"""
from __future__ import annotations

import datetime as _dt
import operator
from typing import Any, Callable, Dict, List

from ._ffi import ffi, lib
from .errors import ArgumentError, Status, from_c

_EPOCH = _dt.datetime(1970, 1, 1)
_EPOCH_DATE = _dt.date(1970, 1, 1)
_NS_PER_DAY = 86_400 * 10**9


class NsTimedelta(_dt.timedelta):
    """A timedelta with nanoseconds: ``ns`` is the whole duration in ns."""
    ns: int

    def __repr__(self) -> str:
        return f"s7plus.NsTimedelta(ns={self.ns})"


class NsTime(_dt.time):
    """A time of day with nanoseconds: ``ns`` is the time in ns since midnight."""
    ns: int

    def __repr__(self) -> str:
        return f"s7plus.NsTime({self.isoformat()}, ns={self.ns})"


class NsDatetime(_dt.datetime):
    """A point in time with nanoseconds: ``ns`` is the time in ns since 1970-01-01."""
    ns: int

    def __repr__(self) -> str:
        return f"s7plus.NsDatetime({self.isoformat()}, ns={self.ns})"


def _timedelta(ns: int) -> _dt.timedelta:
    us, rest = divmod(ns, 1000)
    d = _dt.timedelta(microseconds=us)
    if not rest:
        return d
    t = NsTimedelta(d.days, d.seconds, d.microseconds)
    t.ns = ns
    return t


def _time(ns: int) -> _dt.time:
    us, rest = divmod(ns, 1000)
    s, us = divmod(us, 10**6)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    h %= 24
    if not rest:
        return _dt.time(h, m, s, us)
    t = NsTime(h, m, s, us)
    t.ns = ns
    return t


def _datetime(ns: int) -> _dt.datetime:
    us, rest = divmod(ns, 1000)
    d = _EPOCH + _dt.timedelta(microseconds=us)
    if not rest:
        return d
    t = NsDatetime(d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond)
    t.ns = ns
    return t


def _date(ns: int) -> _dt.date:
    return _EPOCH_DATE + _dt.timedelta(days=ns // _NS_PER_DAY)


def _text(x) -> str:
    return ffi.unpack(x.v.str.p, x.v.str.len).decode("utf-8", "surrogateescape")


def _u(x) -> int:
    return x.v.u


T = lib
_BOOLS = (T.S7P_T_BOOL, T.S7P_T_BBOOL)
_SIGNED = (T.S7P_T_SINT, T.S7P_T_INT, T.S7P_T_DINT, T.S7P_T_LINT)
_DURATIONS = (T.S7P_T_TIME, T.S7P_T_LTIME, T.S7P_T_S5TIME)
_TIMES = (T.S7P_T_TIME_OF_DAY, T.S7P_T_LTIME_OF_DAY)
_POINTS = (T.S7P_T_DATE_AND_TIME, T.S7P_T_LDT, T.S7P_T_DTL)
_STRINGS = (T.S7P_T_STRING, T.S7P_T_WSTRING)
_CHARS = (T.S7P_T_CHAR, T.S7P_T_WCHAR)
_RAW = (T.S7P_T_POINTER, T.S7P_T_ANY, T.S7P_T_REMOTE)

_TO_PY: Dict[int, Callable[[Any], Any]] = {}
for _t in _BOOLS:
    _TO_PY[_t] = lambda x: bool(x.v.b)
for _t in _SIGNED:
    _TO_PY[_t] = lambda x: x.v.i
for _t in _DURATIONS:
    _TO_PY[_t] = lambda x: _timedelta(x.v.i)
for _t in _TIMES:
    _TO_PY[_t] = lambda x: _time(x.v.i)
for _t in _POINTS:
    _TO_PY[_t] = lambda x: _datetime(x.v.i)
for _t in _STRINGS:
    _TO_PY[_t] = _text
for _t in _CHARS:
    _TO_PY[_t] = lambda x: chr(x.v.u)
for _t in _RAW:
    _TO_PY[_t] = lambda x: ffi.unpack(ffi.cast("char *", x.v.raw.p), x.v.raw.len)
_TO_PY[T.S7P_T_REAL] = lambda x: x.v.r
_TO_PY[T.S7P_T_LREAL] = lambda x: x.v.lr
_TO_PY[T.S7P_T_DATE] = lambda x: _date(x.v.i)


def to_python(v) -> Any:
    """The Python form of one ``s7p_tag_value`` (a scalar, or a list for an array)."""
    conv = _TO_PY.get(v.type, _u)
    n = v.count
    if n:
        e = v.elems
        return [conv(e[k]) for k in range(n)]
    return conv(v)


# ---- Python -> s7p_tag_value -----------------------------------------------------------

def _ns_of_timedelta(x: _dt.timedelta) -> int:
    ns = getattr(x, "ns", None)
    if ns is not None:
        return ns
    return ((x.days * 86_400 + x.seconds) * 10**6 + x.microseconds) * 1000


def _ns_of_time(x: _dt.time) -> int:
    ns = getattr(x, "ns", None)
    if ns is not None:
        return ns
    return ((x.hour * 60 + x.minute) * 60 + x.second) * 10**9 + x.microsecond * 1000


def _ns_of_point(x: _dt.datetime) -> int:
    ns = getattr(x, "ns", None)
    if ns is not None:
        return ns
    if x.tzinfo is not None:
        x = x.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return ((x - _EPOCH) // _dt.timedelta(microseconds=1)) * 1000


def _need(x: Any, kind: type, what: str) -> None:
    if not isinstance(x, kind):
        raise TypeError(f"{what} expected, got {type(x).__name__}")


def _set(t: int, x: Any, out, keep: List[Any]) -> None:
    """Fills one scalar ``out`` (type t) from x; buffers it points to go into keep."""
    if t in _BOOLS:
        _need(x, (bool, int), "bool")
        out.v.b = bool(x)
    elif t in _SIGNED:
        out.v.i = operator.index(x)
    elif t == T.S7P_T_REAL:
        out.v.r = float(x)
    elif t == T.S7P_T_LREAL:
        out.v.lr = float(x)
    elif t in _STRINGS:
        _need(x, str, "str")
        b = x.encode("utf-8", "surrogateescape")
        buf = ffi.new("char[]", b)
        keep.append(buf)
        out.v.str.p, out.v.str.len = buf, len(b)
    elif t in _CHARS:
        out.v.u = ord(x) if isinstance(x, str) else operator.index(x)
    elif t in _DURATIONS:
        _need(x, _dt.timedelta, "timedelta")
        out.v.i = _ns_of_timedelta(x)
    elif t in _TIMES:
        _need(x, _dt.time, "time")
        out.v.i = _ns_of_time(x)
    elif t in _POINTS:
        _need(x, _dt.datetime, "datetime")
        out.v.i = _ns_of_point(x)
    elif t == T.S7P_T_DATE:
        _need(x, _dt.date, "date")
        if isinstance(x, _dt.datetime):
            x = x.date()
        out.v.i = (x - _EPOCH_DATE).days * _NS_PER_DAY
    elif t in _RAW:
        b = bytes(x)
        buf = ffi.new("uint8_t[]", b)
        keep.append(buf)
        out.v.raw.p, out.v.raw.len = buf, len(b)
    else:
        out.v.u = operator.index(x)


def _is_text_literal(tag, x: Any) -> bool:
    """A str for a tag whose Python form is not a str: a TIA literal for the library."""
    if not isinstance(x, str):
        return False
    return bool(tag.count) or tag.type not in _STRINGS + _CHARS


def from_python(tag, x: Any, out, keep: List[Any], parsed: List[Any]) -> None:
    """Fills ``out`` (an ``s7p_tag_value *``) with x for ``tag``. A str for a non-text tag
    is parsed by the library (``s7p_value_parse``: TIA literals such as ``T#1s``); such
    values are appended to ``parsed`` and must be released with ``release``.
    Raises ArgumentError for a value of the wrong kind."""
    try:
        if _is_text_literal(tag, x):
            why = ffi.new("char[]", 256)
            st = lib.s7p_value_parse(tag, x.encode("utf-8"), out, why, 256)
            if st != 0:
                raise ArgumentError(st, ffi.string(why).decode("utf-8", "replace"))
            parsed.append(out)
            return
        t = tag.type
        out.type = t
        if tag.count:
            seq = list(x)
            arr = ffi.new("s7p_tag_value[]", len(seq))
            keep.append(arr)
            for k, e in enumerate(seq):
                arr[k].type = t
                _set(t, e, arr[k], keep)
            out.count, out.elems = len(seq), arr
        else:
            _set(t, x, out, keep)
    except (TypeError, OverflowError, ValueError) as e:
        if isinstance(e, ArgumentError):
            raise
        name = ffi.string(lib.s7p_type_name(tag.type)).decode()
        raise ArgumentError(Status.INVALID_ARG, f"{x!r} is no value for {name}: {e}") from None


def release(parsed: List[Any]) -> None:
    """Frees the values s7p_value_parse() allocated."""
    for v in parsed:
        lib.s7p_tag_value_clear(v)
    parsed.clear()


def format_value(v, iso8601: bool = False) -> str:
    """The TIA literal of an ``s7p_tag_value`` (``s7p_value_text``)."""
    out = ffi.new("char **")
    flags = lib.S7P_TEXT_ISO8601 if iso8601 else 0
    st = lib.s7p_value_text(v, flags, out)
    if out[0] == ffi.NULL:
        raise ArgumentError(st, "no text form")
    try:
        return ffi.string(out[0]).decode("utf-8", "replace")
    finally:
        lib.s7p_text_free(out[0])


def type_name(t: int) -> str:
    """The PLC's name of a type id ("Int", "DTL", ...)."""
    return ffi.string(lib.s7p_type_name(t)).decode()
