# SPDX-License-Identifier: MIT
"""Fixtures: s7plus-sim serving examples/plc, started as a subprocess on a free port.
S7PLUS_SIM and S7PLUS_PROGRAM (set by the ctest) name the simulator and the program."""
import os
import socket
import subprocess
import sys
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM = os.environ.get("S7PLUS_SIM", os.path.join(REPO, "build", "sim", "s7plus-sim"))
PROGRAM = os.environ.get("S7PLUS_PROGRAM", os.path.join(REPO, "examples", "plc"))


class Sim:
    """One simulator process; ``endpoint`` is "127.0.0.1:PORT"."""

    def __init__(self, *args: str, control: bool = False, port: int = 0) -> None:
        self.dir = tempfile.mkdtemp(prefix="s7py-")
        port_file = os.path.join(self.dir, "port")
        self.control = os.path.join(self.dir, "ctl") if control else None
        if self.control:
            args = args + ("--control", self.control)
        self.proc = subprocess.Popen([SIM, "--port", str(port), "--port-file", port_file,
                                      "--program", PROGRAM, *args],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while not (os.path.exists(port_file) and os.path.getsize(port_file)):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("s7plus-sim did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            self.endpoint = f"127.0.0.1:{int(f.read())}"

    def ctl(self, line: str) -> str:
        """One command on the simulator's control channel (docs/simulator.md); its answer
        must start with "ok"."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            deadline = time.monotonic() + 10
            while True:  # the socket may appear just after the port file
                try:
                    s.connect(self.control)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            s.sendall((line + "\n").encode())
            reply = s.makefile(encoding="utf-8").readline().strip()
        assert reply.startswith("ok"), f"{line}: {reply}"
        return reply

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def sim():
    s = Sim("--max-sessions", "128")
    yield s
    s.stop()


@pytest.fixture
def make_sim():
    """Starts simulators with extra options (faults, protection); stopped after the test."""
    made = []

    def make(*args: str, control: bool = False, port: int = 0) -> Sim:
        s = Sim(*args, control=control, port=port)
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()


ALARMS = os.path.join(PROGRAM, "plant.alarms")


@pytest.fixture
def alarm_sim(make_sim):
    """A simulator with examples/plc/plant.alarms and a control channel (``sim.ctl(line)``)."""
    return make_sim("--alarms", ALARMS, control=True)
