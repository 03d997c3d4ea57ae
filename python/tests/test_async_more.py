# SPDX-License-Identifier: MIT
"""The AsyncClient's share of what the blocking client does: struct dicts, resources,
cultures, add/remove on a watch; the same answers as the blocking client's."""
import asyncio

import s7plus

PUMP = '"Motors".pumps[2]'


def test_async_struct_resources_cultures(sim):
    with s7plus.Client(sim.endpoint) as plc:
        want = (plc.read(PUMP), plc.resources(), plc.cultures())

    async def main():
        async with s7plus.AsyncClient(sim.endpoint) as plc:
            pump, speed = await plc.read_many([PUMP, PUMP + ".speed"])
            assert isinstance(pump, dict) and pump["name"] == "pump 2"
            assert pump["speed"] == speed
            got = (await plc.read(PUMP), await plc.resources(), await plc.cultures())
            assert got == want
            res = await plc.read_many(['"Nope".x', PUMP], errors="return")
            assert isinstance(res[0], s7plus.NotFoundError) and res[1] == want[0]
    asyncio.run(asyncio.wait_for(main(), 60))


def test_async_watch_add_remove(sim):
    a, b = '"AllTypes".v_udint', '"AllTypes".v_uint'

    async def main():
        async with s7plus.AsyncClient(sim.endpoint, allow_write=True) as plc:
            base = await plc.read_many([a, b])
            async with plc.watch([a], cycle_ms=100) as sub:
                assert (await sub.__anext__()).symbol == a
                assert await sub.add([b]) == [1]
                await plc.write({b: base[1] ^ 3})
                async for c in sub:
                    if c.symbol == b:
                        assert (c.index, c.value) == (1, base[1] ^ 3)
                        break
                await sub.remove([a])
                await plc.write({a: base[0] ^ 5})
                await plc.write({b: base[1] ^ 6})
                seen = []
                async for c in sub:
                    seen.append(c)
                    if c.symbol == b and c.value == base[1] ^ 6:
                        break
                assert all(c.symbol != a for c in seen), seen
                await sub.set_cycle(200)
            await plc.write({a: base[0], b: base[1]})
    asyncio.run(asyncio.wait_for(main(), 60))
