# SPDX-License-Identifier: MIT
"""Every data type of examples/plc round-trips: read, write another value, read back."""
import datetime as dt
import math

import pytest

import s7plus

DBS = ('"AllTypes".', '"AllArrays".')


def other(v):
    """A different value of the same kind (in range for every type of its kind)."""
    if isinstance(v, list):
        return [other(x) for x in v]
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v ^ 1
    if isinstance(v, float):
        return 0.5 if v != 0.5 else 0.25
    if isinstance(v, str):
        return ("a" if v != "a" else "b") if len(v) <= 1 else "ab"
    if isinstance(v, dt.timedelta):
        return dt.timedelta(seconds=1) if v != dt.timedelta(seconds=1) else dt.timedelta(seconds=2)
    if isinstance(v, dt.datetime):
        return dt.datetime(2001, 2, 3, 4, 5, 6)
    if isinstance(v, dt.date):
        return dt.date(2000, 1, 1)
    if isinstance(v, dt.time):
        return dt.time(1, 2, 3)
    return v  # Pointer / Any / Remote bytes: written back as they are


def same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return math.isclose(a, b, rel_tol=1e-6)
    if hasattr(a, "ns") or hasattr(b, "ns"):
        return getattr(a, "ns", None) == getattr(b, "ns", None) or a == b
    return a == b and type(a) is type(b)


PY_TYPES = {"Bool": bool, "Int": int, "UDInt": int, "LWord": int, "Real": float,
            "LReal": float, "Char": str, "WChar": str, "String": str, "WString": str,
            "Time": dt.timedelta, "LTime": dt.timedelta, "S5Time": dt.timedelta,
            "Time_Of_Day": dt.time, "LTime_Of_Day": dt.time, "Date": dt.date,
            "Date_And_Time": dt.datetime, "LDT": dt.datetime, "DTL": dt.datetime}


def test_every_type_round_trips(sim):
    with s7plus.Client(sim.endpoint, allow_write=True) as plc:
        items = [b for b in plc.browse() if b.symbol.startswith(DBS)]
        assert len(items) > 100
        seen = set()
        for b in items:
            seen.add(b.type)
            v = plc.read(b.tag)
            want = PY_TYPES.get(b.type)
            if want is not None:
                x = v[0] if b.count else v
                assert isinstance(x, want), (b.symbol, v)
            new = other(v)
            plc.write({b.tag: new})
            back = plc.read(b.tag)
            assert same(new, back), (b.symbol, new, back)
            plc.write({b.tag: v})  # the start value again
            assert same(v, plc.read(b.tag)), b.symbol
        assert {"LTime", "DTL", "WString", "LTime_Of_Day", "S5Time", "LDT", "WChar",
                "HW_IO", "DB_Any"} <= seen and len(seen) >= 60, seen


def test_nanoseconds_survive(sim):
    with s7plus.Client(sim.endpoint, allow_write=True) as plc:
        dtl = plc.read('"AllTypes".v_dtl')
        assert isinstance(dtl, s7plus.NsDatetime) and dtl.ns % 1000 == 789
        lt = plc.read('"AllTypes".v_ltime')
        assert isinstance(lt, dt.timedelta) and lt.ns == -(3600 * 10**9 + 2003)
        plc.write({'"AllTypes".v_ltime': lt})
        assert plc.read('"AllTypes".v_ltime').ns == lt.ns


def test_literals_structs_and_batches(sim):
    with s7plus.Client(sim.endpoint, allow_write=True) as plc:
        plc.write({'"AllTypes".t_time': "T#1M_5S", '"AllArrays".a_int': "[7, -7]"})
        assert plc.read_many(['"AllTypes".t_time', '"AllArrays".a_int']) == [
            dt.timedelta(minutes=1, seconds=5), [7, -7]]
        pump = plc.read('"Motors".pumps[2]')
        assert pump["name"] == "pump 2" and pump["limits"] == {"min": 0.0, "max": 3000.0}
        plc.write({'"Motors".pumps[3]': {"speed": 123.0, "limits": {"max": 99.0}}})
        p3 = plc.read('"Motors".pumps[3]')
        assert p3["speed"] == 123.0 and p3["limits"]["max"] == 99.0
