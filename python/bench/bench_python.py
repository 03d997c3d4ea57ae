# SPDX-License-Identifier: MIT
"""Reads per second from Python against s7plus-sim, beside the C library doing the same
reads through the same cffi module without any conversion (lib.s7p_read on prepared
arrays): the ratio is the binding's overhead. The program is generated like bench_read's
(10 DBs x 1000 mixed scalar members = 10 000 tags).

usage: PYTHONPATH=build/python python3 python/bench/bench_python.py SIM [--smoke]"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import s7plus
from s7plus._common import ReadBatch
from s7plus._ffi import ffi, lib

TYPES = ["DInt", "Real", "Int", "Bool", "UDInt", "LReal", "Word", "String[16]"]


def gen_program(dbs: int, members: int) -> str:
    d = tempfile.mkdtemp(prefix="s7py-bench-")
    for n in range(1, dbs + 1):
        with open(os.path.join(d, f"DB{n}_Bench.db"), "w") as f:
            f.write(f'DATA_BLOCK "DB{n}_Bench"\n{{ S7_Optimized_Access := \'TRUE\' }}\n'
                    "VERSION : 0.1\nNON_RETAIN\n   STRUCT\n")
            for m in range(members):
                f.write(f"      v{m} : {TYPES[m % len(TYPES)]};\n")
            f.write("   END_STRUCT;\nBEGIN\nEND_DATA_BLOCK\n")
    return d


def median_time(fn, rounds: int) -> float:
    ts = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]


def main() -> int:
    sim, smoke = sys.argv[1], "--smoke" in sys.argv
    dbs, members = (1, 200) if smoke else (10, 1000)
    single_rounds, batch_rounds = (50, 3) if smoke else (3000, 15)
    prog = gen_program(dbs, members)
    port_file = os.path.join(prog, "port")
    p = subprocess.Popen([sim, "--port", "0", "--port-file", port_file, "--program", prog],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not (os.path.exists(port_file) and os.path.getsize(port_file)):
            time.sleep(0.05)
        ep = f"127.0.0.1:{int(open(port_file).read())}"
        with s7plus.Client(ep) as plc:
            tags = [b.tag for b in plc.browse() if not b.count]
            one = tags[0]
            c, b1, bn = plc._c, ReadBatch([one]), ReadBatch(tags)

            def c_read(b):
                lib.s7p_read(c, b.ctags, b.n, b.cvals, b.res, ffi.NULL)
                b.clear()
            rows = [
                ("single-tag read", 1, single_rounds, lambda: c_read(b1),
                 lambda: plc.read(one)),
                (f"{len(tags)}-tag batch read", len(tags), batch_rounds, lambda: c_read(bn),
                 lambda: plc.read_many(tags)),
            ]
            print(f"{'loopback, medians':32} {'C (libs7plus)':>16} {'Python':>16} {'ratio':>7}")
            for name, n, rounds, cfn, pyfn in rows:
                cfn(), pyfn()  # warm-up
                tc, tp = median_time(cfn, rounds), median_time(pyfn, rounds)
                print(f"{name:32} {n / tc:10.0f} tags/s {n / tp:10.0f} tags/s {tp / tc:7.2f}"
                      f"   ({tc * 1e6:.0f} us vs {tp * 1e6:.0f} us per call)")
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(prog, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
