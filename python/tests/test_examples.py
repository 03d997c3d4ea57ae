# SPDX-License-Identifier: MIT
"""The scripts of examples/python run against the simulator."""
import os
import subprocess
import sys

from conftest import REPO

EX = os.path.join(REPO, "examples", "python")


def run(*args: str, env=None) -> str:
    r = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60,
                       env={**os.environ, **(env or {})})
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_read_tag(sim):
    out = run(os.path.join(EX, "read_tag.py"), sim.endpoint, '"Motors".pumps[2].name',
              '"Nope".x')
    assert "PLC_1" in out and "\"Motors\".pumps[2].name = 'pump 2'" in out
    assert '"Nope".x = NotFoundError' in out


def test_watch_and_async(sim):
    out = run(os.path.join(EX, "watch_tags.py"), sim.endpoint, '"Motors".enable',
              env={"S7PLUS_MAX_CHANGES": "1"})
    assert '"Motors".enable = True' in out
    out = run(os.path.join(EX, "async_many.py"), '"Motors".enable', sim.endpoint, sim.endpoint)
    assert out.count(": True") == 2
