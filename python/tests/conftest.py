# SPDX-License-Identifier: MIT
"""Fixtures: s7plus-sim serving examples/plc, started as a subprocess on a free port.
S7PLUS_SIM and S7PLUS_PROGRAM (set by the ctest) name the simulator and the program."""
import os
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

    def __init__(self, *args: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="s7py-")
        port_file = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen([SIM, "--port", "0", "--port-file", port_file,
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

    def make(*args: str) -> Sim:
        s = Sim(*args)
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()
