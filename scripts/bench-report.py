#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs every benchmark of bench/ with --json and prints one table of figures and ratios
(`make bench`). Each benchmark measures its figures and their physical floors in the same
run (medians of several rounds with their min-max spread); this script only assembles them
and adds the machine they ran on.

  scripts/bench-report.py [--build DIR] [--json] [--smoke] [--sessions N] [--seconds S]
                          [--cpus C,S | --no-pin] [--only NAME[,NAME...]]

--json prints the whole report as one JSON object instead of the table. --smoke runs each
benchmark at its tiny size (figures meaningless). --cpus C,S runs the client of the read
and connect benchmarks on CPU C and their servers (simulator, replay server, raw-TLS floor)
on CPU S; the default on a machine with two CPUs or more is the first two this process may
use, --no-pin leaves the scheduler free. --only runs only the named benchmarks (e.g.
bench_subscribe; "python" for the binding's). Exit status 1 when a benchmark failed."""
import argparse
import json
import os
import re
import subprocess
import sys
import time


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "load_before": list(os.getloadavg()),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "kernel": os.uname().release}


def default_cpus():
    """The first two CPUs this process may run on ("0,1"), or None with fewer than two."""
    cpus = sorted(os.sched_getaffinity(0))
    return "%d,%d" % (cpus[0], cpus[1]) if len(cpus) >= 2 else None


def run_bench(exe, args, timeout):
    """Returns (report or None, error text)."""
    if not os.path.exists(exe):
        return None, "not built"
    t0 = time.monotonic()
    try:
        p = subprocess.run([exe, "--json"] + args, capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timed out after %d s" % timeout
    if p.returncode != 0:
        return None, "exit status %d: %s" % (p.returncode, p.stderr.strip()[-400:])
    try:
        rep = json.loads(p.stdout)
    except ValueError:
        # A benchmark without --json (e.g. one added later): its text goes into the report.
        name = os.path.basename(exe)
        return {"bench": name, "rows": [], "text": p.stdout.strip().splitlines()}, ""
    rep["seconds"] = round(time.monotonic() - t0, 1)
    if p.stderr.strip():
        rep["log"] = p.stderr.strip().splitlines()  # e.g. bench_sessions' whole report
    return rep, ""


def run_python_bench(build, smoke):
    """The Python binding's bench (python/bench/bench_python.py) prints text: its rows, the
    binding against the C library through the same module, become rows of the table."""
    script, sim = "python/bench/bench_python.py", os.path.join(build, "sim", "s7plus-sim")
    pydir = os.path.join(build, "python")
    if not (os.path.exists(script) and os.path.isdir(pydir)):
        return None, "not built"
    env = dict(os.environ, PYTHONPATH=pydir)
    try:
        p = subprocess.run([sys.executable, script, sim] + (["--smoke"] if smoke else []),
                           capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    if p.returncode != 0:
        return None, "exit status %d: %s" % (p.returncode, p.stderr.strip()[-400:])
    rows = []
    for line in p.stdout.splitlines():
        m = re.match(r"(\S.*?)\s{2,}.*\(([\d.]+) us vs ([\d.]+) us per call\)", line)
        if m:
            c, py = float(m.group(2)), float(m.group(3))
            one = lambda v: {"median": v, "min": v, "max": v, "n": 1}
            rows.append({"name": "Python vs C: " + m.group(1), "unit": "us", "value": one(py),
                         "floor": one(c), "ratio": one(py / c if c else 0), "target": None,
                         "note": "floor: the C library through the same module"})
    return {"bench": "python", "rows": rows, "log": p.stdout.splitlines()}, ""


def fmt(v):
    if v is None:
        return ""
    a = abs(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def spread(s):
    if not s:
        return ""
    if s.get("n", 1) > 1 and s["min"] != s["max"]:
        return "%s (%s-%s)" % (fmt(s["median"]), fmt(s["min"]), fmt(s["max"]))
    return fmt(s["median"])


def table(report):
    rows = [("figure", "unit", "s7plus: median (min-max)", "floor", "ratio: median (min-max)",
             "target", "met")]
    for b in report["benches"]:
        if b.get("error"):
            rows.append((b["bench"] + ": " + b["error"], "", "", "", "", "", "FAILED"))
            continue
        for r in b["rows"]:
            met = "" if "met" not in r else ("yes" if r["met"] else "NO")
            rows.append((r["name"], r["unit"], spread(r["value"]),
                         spread(r["floor"]) if r["floor"] else "",
                         spread(r["ratio"]) if r["ratio"] else "", r["target"] or "", met))
    width = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for k, row in enumerate(rows):
        out.append("  ".join(c.ljust(width[i]) for i, c in enumerate(row)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in width))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build-release")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--cpus", default=None)
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    only = set(filter(None, a.only.split(",")))
    smoke = ["--smoke"] if a.smoke else []
    cpus = None if a.no_pin else (a.cpus or default_cpus())
    pinned = smoke + (["--cpus", cpus] if cpus else [])
    sessions = smoke if a.smoke else [str(a.sessions), str(a.seconds)]
    # bench_subscribe: 1 000 tags x 10 ms for 10 s in 5 rounds (--smoke: 100 tags, 2 s).
    plan = [("bench_codec", smoke, 300), ("bench_read", pinned, 600),
            ("bench_connect", pinned, 600), ("bench_browse", smoke, 900),
            ("bench_idle_heap", [], 120), ("bench_cli", smoke, 300),
            ("bench_sessions", sessions, 900), ("bench_subscribe", smoke, 300)]
    report = {"machine": machine(), "benches": []}
    report["machine"]["pinning"] = ("read and connect: client CPU %s, servers CPU %s"
                                    % tuple(cpus.split(",")) if cpus else "unpinned")
    failed = False
    for name, args, timeout in plan:
        if only and name not in only:
            continue
        exe = os.path.join(a.build, "bench", name)
        if not a.json:
            print("running %s ..." % name, file=sys.stderr)
        rep, err = run_bench(exe, args, timeout)
        if rep is None:
            failed = True
            rep = {"bench": name, "rows": [], "error": err}
        report["benches"].append(rep)
    rep, err = (None, "not built") if only and "python" not in only else \
        run_python_bench(a.build, a.smoke)
    if rep is not None or err != "not built":
        report["benches"].append(rep or {"bench": "python", "rows": [], "error": err})
        failed = failed or rep is None
    report["machine"]["load_after"] = list(os.getloadavg())
    if a.json:
        json.dump(report, sys.stdout, indent=1)
        print()
    else:
        m = report["machine"]
        print("machine: %s, %d CPUs, load %.2f %.2f %.2f before, %.2f after; %s; %s" % (
            m["cpu"], m["nproc"], *m["load_before"], m["load_after"][0], m["date"],
            m["pinning"]))
        print(table(report))
        for b in report["benches"]:
            if b.get("text"):
                print("\n%s (no --json; its own report):\n%s" % (b["bench"], "\n".join(b["text"])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
