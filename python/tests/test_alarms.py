# SPDX-License-Identifier: MIT
"""Alarm subscriptions: alarms raised through the simulator's control channel arrive through
watch_alarms (iterator, callback, asyncio) with their texts in the requested language; the
snapshot comes first and holds an alarm raised before the subscribe exactly once."""
import asyncio
import threading

import pytest

import s7plus

TANK_EN = "Tank 3 overflows: level 12.2 %"
TANK_DE = "Behälter 3 läuft über: Füllstand 12.2 %"
MOTOR_EN = "Motor M-101: temperature  85 °C (status 16#A5, setpoint 12.50)"


def until(it, pred, limit=20):
    """The items of an iterator up to and including the first that satisfies pred."""
    seen = []
    for x in it:
        seen.append(x)
        if pred(x) or len(seen) >= limit:
            break
    return seen


def test_iterator_delivers_text_in_language(alarm_sim):
    with s7plus.Client(alarm_sim.endpoint) as plc:
        with plc.watch_alarms(lcid=1031) as alarms:
            assert alarms.snapshot is None
            alarm_sim.ctl("alarm raise 1 3 12.25")
            a = next(iter(alarms))
            assert isinstance(a, s7plus.Alarm)
            assert (a.hmi_alarm_id, a.name, a.state, a.acknowledged) == \
                (1, "Tank_Overflow", "coming", False)
            assert a.text == TANK_DE and a.lcid == 1031
            assert a.values == [3, 12.25] and a.additional_texts[0] == "Bereich B"
            assert a.id == 0x8A0E000100010000 and a.coming is not None
            alarm_sim.ctl("alarm ack 1")
            b = next(iter(alarms))
            assert (b.id, b.state, b.acknowledged) == (a.id, "coming", True)
            alarm_sim.ctl("alarm clear 1")
            c = next(iter(alarms))
            assert (c.id, c.state) == (a.id, "going") and c.going is not None
            assert c.sequence_counter > b.sequence_counter > a.sequence_counter


def test_snapshot_first_and_exactly_once(alarm_sim):
    alarm_sim.ctl("alarm raise 2")
    with s7plus.Client(alarm_sim.endpoint) as plc:
        with plc.watch_alarms(lcid=1033, snapshot=True) as alarms:
            assert [a.hmi_alarm_id for a in alarms.snapshot] == [2]
            assert alarms.snapshot[0].text == MOTOR_EN
            it = iter(alarms)
            first = next(it)
            assert first == alarms.snapshot[0]          # the snapshot comes first
            alarm_sim.ctl("alarm raise 1 3 12.25")
            got = [first] + until(it, lambda a: a.hmi_alarm_id == 1)
            assert [a.hmi_alarm_id for a in got] == [2, 1], got
            assert got[1].text == TANK_EN
            # Nothing else is pending: alarm 2 is not reported a second time.
            assert alarms.next(timeout=1.0) is None


def test_callback_gets_snapshot_then_changes(alarm_sim):
    alarm_sim.ctl("alarm raise 2")
    got = []
    came = threading.Event()

    def on_alarm(a: s7plus.Alarm) -> None:
        got.append(a)
        if a.hmi_alarm_id == 1:
            came.set()

    with s7plus.Client(alarm_sim.endpoint) as plc:
        with plc.watch_alarms(lcid=1031, snapshot=True, callback=on_alarm) as alarms:
            assert [a.hmi_alarm_id for a in got] == [2]  # delivered before the return
            assert alarms.snapshot == got
            alarm_sim.ctl("alarm raise 1 3 12.25")
            assert came.wait(10), got
            assert [a.hmi_alarm_id for a in got] == [2, 1]
            assert got[1].text == TANK_DE


def test_pull_form_notifications(alarm_sim):
    with s7plus.Client(alarm_sim.endpoint) as plc:
        with plc.watch_alarms([1033, 1031]) as alarms:
            alarm_sim.ctl("alarm raise 1 3 12.25")
            note = alarms.next(timeout=10)
            assert note is not None and note.event == "data" and not note.changes
            assert [a.text for a in note.alarms] == [TANK_EN]   # the first language's
            assert note.gone_ids == []


def test_bad_language_is_an_argument_error(alarm_sim):
    with s7plus.Client(alarm_sim.endpoint) as plc:
        with pytest.raises(s7plus.ArgumentError):
            plc.watch_alarms(lcid=0x10000)


def test_asyncio_snapshot_then_changes(alarm_sim):
    alarm_sim.ctl("alarm raise 2")

    async def main():
        async with s7plus.AsyncClient(alarm_sim.endpoint) as plc:
            async with plc.watch_alarms(lcid=1031, snapshot=True) as alarms:
                assert [a.hmi_alarm_id for a in alarms.snapshot] == [2]
                got = [await alarms.__anext__()]
                assert got[0] == alarms.snapshot[0]
                alarm_sim.ctl("alarm raise 1 3 12.25")
                async for a in alarms:
                    got.append(a)
                    if a.hmi_alarm_id == 1:
                        break
                assert [a.hmi_alarm_id for a in got] == [2, 1]
                assert got[1].text == TANK_DE and got[1].lcid == 1031
            # Without snapshot: s7p_subscribe_alarms_async.
            async with plc.watch_alarms(lcid=1033) as alarms:
                assert alarms.snapshot is None
                alarm_sim.ctl("alarm ack 1")
                a = await asyncio.wait_for(alarms.__anext__(), 10)
                assert (a.hmi_alarm_id, a.acknowledged, a.text) == (1, True, TANK_EN)
    asyncio.run(asyncio.wait_for(main(), 60))


def test_resync_after_plc_restart(make_sim):
    from conftest import ALARMS
    first = make_sim("--alarms", ALARMS, control=True)
    first.ctl("alarm raise 1 3 12.25")
    first.ctl("alarm raise 2")
    port = int(first.endpoint.rsplit(":", 1)[1])
    with s7plus.Client(first.endpoint, auto_reconnect=True, timeout=2) as plc:
        with plc.watch_alarms(lcid=1033, snapshot=True, events=True) as alarms:
            it = iter(alarms)
            ids = {next(it).id, next(it).id}
            assert len(ids) == 2
            first.stop()
            lost = next(it)
            assert lost.event == "lost" and lost.error is not None
            # The PLC comes back with no active alarm: both went meanwhile.
            second = make_sim("--alarms", ALARMS, control=True, port=port)
            assert next(it).event == "recreated"
            resync = next(it)
            assert isinstance(resync, s7plus.Notification) and resync.event == "resync"
            assert resync.alarms == [] and set(resync.gone_ids) == ids
            second.ctl("alarm raise 1 4 1.5")
            a = next(it)
            assert (a.hmi_alarm_id, a.text) == (1, "Tank 4 overflows: level 1.5 %")
