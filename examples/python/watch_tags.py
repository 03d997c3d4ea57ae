#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Prints the changes of tags as the PLC sends them: watch_tags.py HOST[:PORT] SYMBOL...
(Ctrl-C stops; S7PLUS_MAX_CHANGES=N stops after N changes)."""
import os
import sys

import s7plus

endpoint, symbols = sys.argv[1], sys.argv[2:]
left = int(os.environ.get("S7PLUS_MAX_CHANGES", "0"))
with s7plus.Client(endpoint) as plc:
    with plc.watch(symbols, cycle_ms=100) as changes:
        for change in changes:
            print(f"{change.timestamp:%H:%M:%S.%f} {change.symbol} = {change.value!r}")
            left -= 1
            if left == 0:
                break
