# SPDX-License-Identifier: MIT
"""No leaks over 10 000 reads: Python heap (tracemalloc) and process RSS stay bounded."""
import tracemalloc

import s7plus

SYMS = ['"AllTypes".v_wstring', '"AllArrays".a_real', '"AllTypes".v_dtl', '"Motors".pumps[2]']


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_no_leak_over_10000_reads(sim):
    with s7plus.Client(sim.endpoint) as plc:
        for _ in range(1000):  # warm-up: caches, allocator pools
            plc.read_many(SYMS)
        tracemalloc.start()
        rss0 = rss_kib()
        snap0 = tracemalloc.take_snapshot()
        for _ in range(10_000):
            plc.read_many(SYMS)
        grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(snap0, "filename"))
        tracemalloc.stop()
        rss1 = rss_kib()
    assert grown < 256 * 1024, grown          # a leak of one object per read would be ~MiB
    assert rss1 - rss0 < 8 * 1024, (rss0, rss1)  # C-side leaks (values not cleared) too
