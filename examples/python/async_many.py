#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads one tag from many PLCs at once from one asyncio loop (no thread per PLC):
async_many.py SYMBOL HOST[:PORT]..."""
import asyncio
import sys

import s7plus


async def read_one(endpoint: str, symbol: str) -> str:
    try:
        async with s7plus.AsyncClient(endpoint, timeout=3) as plc:
            return f"{endpoint}: {await plc.read(symbol)!r}"
    except s7plus.S7Error as e:
        return f"{endpoint}: error: {e}"


async def main() -> None:
    symbol, endpoints = sys.argv[1], sys.argv[2:]
    for line in await asyncio.gather(*(read_one(ep, symbol) for ep in endpoints)):
        print(line)

asyncio.run(main())
