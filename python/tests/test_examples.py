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


def test_watch_alarms(alarm_sim):
    alarm_sim.ctl("alarm raise 2")
    for mode in ("0", "1"):
        p = subprocess.Popen([sys.executable, os.path.join(EX, "watch_alarms.py"),
                              alarm_sim.endpoint, "1031"], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "S7PLUS_MAX_CHANGES": "2",
                                  "S7PLUS_ASYNC": mode})
        try:
            assert p.stdout.readline() == "1 active alarm(s)\n"
            assert p.stdout.readline().startswith(
                "active   #2 Motor_Overtemp: coming, not acknowledged: Motor M-101: Temperatur")
            alarm_sim.ctl("alarm raise 1 3 12.25")
            alarm_sim.ctl("alarm clear 1")
            out, _ = p.communicate(timeout=30)
        finally:
            p.kill()
            p.wait()
        assert p.returncode == 0
        assert out.splitlines() == [
            "change   #1 Tank_Overflow: coming, not acknowledged: "
            "Behälter 3 läuft über: Füllstand 12.2 %  (2 active)",
            "change   #1 Tank_Overflow: going, not acknowledged: "
            "Behälter 3 läuft über: Füllstand 12.2 %  (2 active)"], out
        alarm_sim.ctl("alarm ack 1")  # alarm 1 leaves the active alarms for the next round
