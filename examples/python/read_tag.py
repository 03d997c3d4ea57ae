#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads tags and prints CPU identity: read_tag.py HOST[:PORT] SYMBOL..."""
import sys

import s7plus

endpoint, symbols = sys.argv[1], sys.argv[2:]
try:
    with s7plus.Client(endpoint) as plc:
        info = plc.info()
        print(f"{info.plc_name} {info.order_number} {info.firmware}")
        for sym, value in zip(symbols, plc.read_many(symbols, errors="return")):
            print(f"{sym} = {value!r}")
except s7plus.S7Error as e:
    print(f"error: {e} (transient: {e.transient})", file=sys.stderr)
    sys.exit(2 if e.transient else 1)
