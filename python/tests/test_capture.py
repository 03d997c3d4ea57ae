# SPDX-License-Identifier: MIT
"""decode_capture: the library's capture decoder from Python, message by message as the CLI's
`s7plus decode --json` (the same C decoder) reports them. The captures are the project's
shared reference captures (S7PLUS_CAPTURES); without them only the error case runs."""
import json
import os
import subprocess

import pytest

import s7plus

from conftest import REPO

CAPTURES = os.environ.get("S7PLUS_CAPTURES",
                          os.path.join(os.path.dirname(REPO), "shared", "captures"))
CLI = os.environ.get("S7PLUS_CLI", os.path.join(REPO, "build", "cli", "s7plus"))
HMI = os.path.join(CAPTURES, "s7-1200-hmi.pcap")
ALL_TYPES = os.path.join(CAPTURES, "S7-1511-opc-request-all-types.pcap")
need_captures = pytest.mark.skipif(not os.path.exists(HMI), reason="no reference captures")


@need_captures
@pytest.mark.parametrize("path", [HMI, ALL_TYPES])
def test_messages_as_the_cli_reports_them(path):
    if not os.access(CLI, os.X_OK):
        pytest.skip("no s7plus CLI")
    cap = s7plus.decode_capture(path)
    lines = subprocess.run([CLI, "decode", path, "--json"], capture_output=True, text=True,
                           check=True, timeout=60).stdout.splitlines()
    cli = [json.loads(x) for x in lines]
    assert cap.summary.strip() and cli[-1]["summary"]
    msgs = cli[:-1]
    assert len(cap.messages) == len(msgs) > 0
    for m, j in zip(cap.messages, msgs):
        assert (m.frame, m.connection, m.client, m.server, m.seq) == \
            (j["frame"], j["connection"], j["client"], j["server"], j.get("seq", 0))
        assert m.function_name == j["function"]
        assert m.body.split("\n") == j["body"]
        assert m.time.isoformat().replace("+00:00", "Z") == j["time"]
        if "rtt_us" in j:
            assert m.rtt.total_seconds() * 1e6 == pytest.approx(j["rtt_us"])


@need_captures
def test_bytes_callback_and_fields():
    with open(ALL_TYPES, "rb") as f:
        data = f.read()
    cap = s7plus.decode_capture(ALL_TYPES)
    assert s7plus.decode_capture(data) == cap
    seen = []
    assert s7plus.decode_capture(ALL_TYPES, callback=seen.append).messages == []
    assert seen == cap.messages
    # The read of DB6: its request names the address, its response the value.
    items = [f for m in cap.messages for f in m.fields
             if f.kind == "item" and f.address == "DB6 sub 2550 lid 16 (crc 0x8DB85E63)"]
    assert any(f.value is None for f in items)
    assert any(f.type == "Byte" and f.count == 11 and f.value.startswith("[16#0, ")
               for f in items)
    assert {"object", "attribute", "item"} <= {f.kind for m in cap.messages for f in m.fields}


def test_not_a_capture_raises():
    with pytest.raises(s7plus.S7Error) as e:
        s7plus.decode_capture(b"not a capture")
    assert e.value.code == s7plus.Status.IO and "format" in str(e.value)
    with pytest.raises(s7plus.S7Error):
        s7plus.decode_capture("/nonexistent/capture.pcap")
