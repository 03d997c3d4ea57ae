# SPDX-License-Identifier: MIT
"""Failures map to the right exception class, with the s7p_error fields filled."""
import socket

import pytest

import s7plus


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_write_disabled_sends_nothing(sim):
    with s7plus.Client(sim.endpoint) as plc:
        before = plc.read('"AllTypes".v_int')
        with pytest.raises(s7plus.WriteDisabledError) as e:
            plc.write({'"AllTypes".v_int': before + 1})
        assert e.value.code == s7plus.Status.WRITE_DISABLED
        assert isinstance(e.value, PermissionError)
        assert plc.read('"AllTypes".v_int') == before


def test_not_found_and_argument(sim):
    with s7plus.Client(sim.endpoint, allow_write=True) as plc:
        with pytest.raises(s7plus.NotFoundError) as e:
            plc.read('"Nope".x')
        assert e.value.endpoint == sim.endpoint and e.value.op and "Nope" in e.value.message
        with pytest.raises(s7plus.ArgumentError) as e:   # the library's range check
            plc.write({'"AllTypes".v_usint': 300})
        assert e.value.symbol == '"AllTypes".v_usint' and e.value.index == 0
        with pytest.raises(s7plus.ArgumentError) as e:   # the library's literal parser
            plc.write({'"AllTypes".v_int': "abc"})
        assert isinstance(e.value, ValueError)
        with pytest.raises(s7plus.ArgumentError):
            plc.write({'"AllTypes".v_time': 5})           # a Time wants a timedelta


def test_connect_refused():
    with pytest.raises(s7plus.ConnectError) as e:
        s7plus.Client(f"127.0.0.1:{free_port()}", timeout=2)
    assert isinstance(e.value, ConnectionError) and e.value.transient
    assert e.value.op == "connect"


def test_timeout(make_sim):
    # The connect makes GetMultiVariables requests of its own: stall a later one.
    s = make_sim("--fault", "stall:GetMultiVariables:4")
    with s7plus.Client(s.endpoint, timeout=0.5) as plc:
        with pytest.raises(s7plus.S7TimeoutError) as e:
            for _ in range(4):
                plc.read('"AllTypes".v_int')
        assert isinstance(e.value, TimeoutError) and e.value.code == s7plus.Status.TIMEOUT


def test_plc_error(make_sim):
    s = make_sim("--fault", "plc-error:GetMultiVariables", "--plc-code", "-17")
    with s7plus.Client(s.endpoint) as plc:
        with pytest.raises(s7plus.PLCError) as e:
            plc.read('"AllTypes".v_int')
        assert e.value.plc_code == -17 and e.value.plc_code_name == "InvalidCRC"
        assert e.value.plc_return != 0


def test_auth(make_sim):
    s = make_sim("--protection", "none", "--password", "full=secret")
    with pytest.raises(s7plus.AuthError) as e:
        s7plus.Client(s.endpoint, password="wrong")
    assert e.value.code == s7plus.Status.AUTH
    with s7plus.Client(s.endpoint, password="secret") as plc:
        assert plc.info().protection_level == 1
