#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Keeps a table of the PLC's active alarms: watch_alarms.py HOST[:PORT] [LCID]
(texts in language LCID, e.g. 1033 English or 1031 German; default the PLC's first).
Prints the alarms active now, then every change as it comes. Ctrl-C stops;
S7PLUS_MAX_CHANGES=N stops after the snapshot and N changes; S7PLUS_ASYNC=1 does the same
with the AsyncClient."""
import asyncio
import os
import sys

import s7plus

endpoint = sys.argv[1]
lcid = int(sys.argv[2]) if len(sys.argv) > 2 else 0
left = int(os.environ.get("S7PLUS_MAX_CHANGES", "0"))
active = {}  # CPU alarm id -> its latest record


def show(alarm: s7plus.Alarm, what: str) -> None:
    """Prints one record and keeps the table: an alarm leaves it when it went and needs no
    (more) acknowledgement."""
    if alarm.state == "going" and alarm.acknowledged:
        active.pop(alarm.id, None)
    else:
        active[alarm.id] = alarm
    ack = "acknowledged" if alarm.acknowledged else "not acknowledged"
    print(f"{what:8} #{alarm.hmi_alarm_id} {alarm.name}: {alarm.state}, {ack}: {alarm.text}"
          f"  ({len(active)} active)", flush=True)


def handle(alarm: s7plus.Alarm, k: int, snapshot: list) -> bool:
    """Shows the k-th record (the snapshot's come first); False once enough changes came."""
    global left
    if k < len(snapshot):
        show(alarm, "active")
        return True
    show(alarm, "change")
    left -= 1
    return left != 0


def blocking() -> None:
    with s7plus.Client(endpoint) as plc:
        with plc.watch_alarms(lcid=lcid, snapshot=True) as alarms:
            print(f"{len(alarms.snapshot)} active alarm(s)", flush=True)
            for k, alarm in enumerate(alarms):
                if not handle(alarm, k, alarms.snapshot):
                    break


async def with_asyncio() -> None:
    async with s7plus.AsyncClient(endpoint) as plc:
        async with plc.watch_alarms(lcid=lcid, snapshot=True) as alarms:
            print(f"{len(alarms.snapshot)} active alarm(s)", flush=True)
            k = 0
            async for alarm in alarms:
                if not handle(alarm, k, alarms.snapshot):
                    break
                k += 1


try:
    asyncio.run(with_asyncio()) if os.environ.get("S7PLUS_ASYNC") == "1" else blocking()
except KeyboardInterrupt:
    pass
