# SPDX-License-Identifier: MIT
"""Subscriptions deliver, as an iterator and through a callback."""
import threading

import s7plus

TAG = '"AllTypes".v_dint'


def test_iterator_delivers_changes(sim):
    with s7plus.Client(sim.endpoint, allow_write=True) as plc, \
            s7plus.Client(sim.endpoint, allow_write=True) as writer:
        with plc.watch([TAG], cycle_ms=100) as sub:
            first = next(iter(sub))          # the first notification has every value
            assert first.symbol == TAG and first.error is None
            writer.write({TAG: first.value + 1000})
            for change in sub:
                if change.value == first.value + 1000:
                    break
            assert change.timestamp is not None and change.sequence > first.sequence


def test_callback_delivers(sim):
    got = []
    seen = threading.Event()

    def on_change(change: s7plus.Change) -> None:
        got.append(change.value)
        if change.value == 4242:
            seen.set()

    with s7plus.Client(sim.endpoint, allow_write=True) as plc:
        with plc.watch([TAG], cycle_ms=100, callback=on_change):
            plc.write({TAG: 4242})
            assert seen.wait(10), got
