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


def test_add_and_remove_on_a_watch(sim):
    other = '"AllTypes".v_int'
    with s7plus.Client(sim.endpoint, allow_write=True) as plc, \
            s7plus.Client(sim.endpoint, allow_write=True) as writer:
        base = writer.read_many([TAG, other])
        with plc.watch([TAG], cycle_ms=100) as sub:
            it = iter(sub)
            assert next(it).symbol == TAG
            assert sub.add([other]) == [1]
            writer.write({other: (base[1] + 7) % 30000})
            for c in it:  # until the added tag shows, numbered after the first
                if c.symbol == other:
                    assert (c.index, c.value) == (1, (base[1] + 7) % 30000), c
                    break
            sub.remove([TAG])
            # Written first, so without the remove its change would come no later than the
            # other one's.
            writer.write({TAG: base[0] + 5})
            writer.write({other: (base[1] + 9) % 30000})
            seen = []
            for c in it:
                seen.append(c)
                if c.symbol == other and c.value == (base[1] + 9) % 30000:
                    break
            assert all(c.symbol != TAG for c in seen), seen
        writer.write({TAG: base[0], other: base[1]})
