# SPDX-License-Identifier: MIT
"""The asyncio client: 100 PLC sessions in one loop, no thread per client."""
import asyncio
import threading

import s7plus

N = 100


async def one(endpoint: str, k: int) -> int:
    async with s7plus.AsyncClient(endpoint, allow_write=True) as plc:
        sym = f'"Motors".hours[{k % 3 + 1}]'
        info = await plc.info()
        assert info.plc_name
        vals = await plc.read_many([sym, '"AllTypes".v_int'])
        return vals[1]


def test_hundred_sessions_in_one_loop(sim):
    threads = threading.active_count()

    async def main():
        res = await asyncio.wait_for(
            asyncio.gather(*(one(sim.endpoint, k) for k in range(N))), 120)
        assert threading.active_count() == threads  # no thread per client
        return res
    res = asyncio.run(main())
    assert len(res) == N and len(set(res)) == 1


def test_async_write_watch_browse_errors(sim):
    async def main():
        async with s7plus.AsyncClient(sim.endpoint, allow_write=True) as plc:
            await plc.write({'"AllTypes".v_lint': -77})
            assert await plc.read('"AllTypes".v_lint') == -77
            n = 0
            async for item in plc.browse():
                n += 1
            assert n > 200
            try:
                await plc.read('"Nope".x')
            except s7plus.NotFoundError:
                pass
            else:
                raise AssertionError("no NotFoundError")
            async with plc.watch(['"AllTypes".v_lint'], cycle_ms=100) as sub:
                first = await sub.__anext__()
                assert first.value == -77
                await plc.write({'"AllTypes".v_lint': 78})
                async for change in sub:
                    if change.value == 78:
                        break
        async with s7plus.AsyncClient(sim.endpoint) as ro:
            try:
                await ro.write({'"AllTypes".v_lint': 1})
            except s7plus.WriteDisabledError:
                return
            raise AssertionError("no WriteDisabledError")
    asyncio.run(asyncio.wait_for(main(), 60))
