# SPDX-License-Identifier: MIT
"""Capture decoding: the library's decoder of pcap/pcapng captures (``s7plus decode``), with
each message as a :class:`DecodedMessage` built from ``s7p_decoded_pdu``."""
from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Union

from ._ffi import ffi, lib, text
from . import _callbacks  # noqa: F401  (registers the C callbacks)
from .errors import error_class

_KINDS = {lib.S7P_DECODED_PDU: "pdu", lib.S7P_DECODED_SYSTEM_EVENT: "system-event",
          lib.S7P_DECODED_KEEPALIVE: "keepalive", lib.S7P_DECODED_COTP: "cotp",
          lib.S7P_DECODED_UNDECODABLE: "undecodable"}
_FIELD_KINDS = {lib.S7P_FIELD_OBJECT: "object", lib.S7P_FIELD_ATTRIBUTE: "attribute",
                lib.S7P_FIELD_ITEM: "item", lib.S7P_FIELD_ITEM_ERROR: "item-error"}


def _opt(p) -> Optional[str]:
    return None if p == ffi.NULL else text(p)


@dataclass(frozen=True)
class DecodedField:
    """An object, attribute or item of a message's body (``s7p_decoded_field``): ``kind`` is
    "object", "attribute", "item" or "item-error"; ``value`` is the value as the body text
    shows it (None: no value); ``address`` the item's address text."""
    kind: str
    depth: int
    item: int
    id: int
    id_name: Optional[str]
    class_id: int
    class_name: Optional[str]
    address: Optional[str]
    symbol: Optional[str]
    type: Optional[str]
    count: int
    sparse: bool
    value: Optional[str]
    code: int
    code_name: Optional[str]

    @classmethod
    def _from_c(cls, f) -> "DecodedField":
        return cls(_FIELD_KINDS.get(f.kind, str(f.kind)), f.depth, f.item, f.id,
                   _opt(f.id_name), f.class_id, _opt(f.class_name),
                   _opt(f.address_text) if f.has_address else None, _opt(f.symbol),
                   _opt(f.type), f.count, bool(f.sparse), _opt(f.value), f.code,
                   _opt(f.code_name))


@dataclass(frozen=True)
class DecodedMessage:
    """One message of a capture (``s7p_decoded_pdu``): ``kind`` is "pdu", "system-event",
    "keepalive", "cotp" or "undecodable" (``error`` says why); ``time`` the frame's capture
    time (UTC); ``body`` the readable body; ``fields`` its parts. ``integrity_id``,
    ``return_code`` and ``rtt`` are None when the message has none."""
    kind: str
    frame: int
    time: _dt.datetime
    connection: int
    client: str
    server: str
    from_client: bool
    tls: bool
    version: int
    opcode: int
    function: int
    function_name: str
    seq: int
    session_id: int
    integrity_id: Optional[int]
    return_code: Optional[int]
    return_name: Optional[str]
    rtt: Optional[_dt.timedelta]
    body: str
    error: Optional[str]
    fields: List[DecodedField] = field(repr=False)

    @classmethod
    def _from_c(cls, p) -> "DecodedMessage":
        t = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + \
            _dt.timedelta(microseconds=p.time_us)
        return cls(_KINDS.get(p.kind, str(p.kind)), p.frame, t, p.connection, text(p.client),
                   text(p.server), bool(p.from_client), bool(p.tls), p.version, p.opcode,
                   p.function, text(p.function_name), p.seq, p.session_id,
                   p.integrity_id if p.has_integrity_id else None,
                   p.return_code if p.has_return_value else None, _opt(p.return_name),
                   _dt.timedelta(microseconds=p.rtt_us) if p.rtt_us >= 0 else None,
                   text(p.body), _opt(p.error),
                   [DecodedField._from_c(p.fields[k]) for k in range(p.field_count)])


@dataclass(frozen=True)
class Capture:
    """What decode_capture() found: the messages (empty when a callback took them) and the
    summary text (functions per connection, errors, sequence gaps, round-trip times)."""
    messages: List[DecodedMessage]
    summary: str


def decode_capture(source: Union[str, "os.PathLike[str]", bytes], *,
                   keylog_file: Optional[str] = None, port: int = 102,
                   callback: Optional[Callable[[DecodedMessage], Any]] = None) -> Capture:
    """Decodes every S7CommPlus message of a pcap or pcapng capture (a path, or the bytes of
    one) with the library's decoder: TCP reassembly, TPKT/COTP, TLS 1.3 decrypted with
    ``keylog_file`` (SSLKEYLOGFILE format), fragments, PDUs. ``port`` is the PLC's port.
    With ``callback`` each message goes to it (in capture order) instead of the result's
    list. Raises the S7Error of the library's status (e.g. SocketError: not a capture)."""
    msgs: List[DecodedMessage] = []
    sink = callback if callback is not None else msgs.append

    def on_pdu(p) -> None:
        sink(DecodedMessage._from_c(p))

    h = ffi.new_handle(on_pdu)
    o = ffi.new("s7p_decode_options *")
    o.port, o.on_pdu, o.user = port, lib._s7py_pdu, h
    keylog = ffi.new("char[]", os.fsencode(keylog_file)) if keylog_file else ffi.NULL
    o.keylog_file = keylog
    summary = ffi.new("char **")
    why = ffi.new("char[]", 256)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = ffi.from_buffer(source)
        st = lib.s7p_capture_decode_mem(data, len(data), o, summary, why, len(why))
    else:
        st = lib.s7p_capture_decode_file(os.fsencode(source), o, summary, why, len(why))
    try:
        if st != 0:
            raise error_class(st)(st, text(why), op="decode_capture")
        return Capture(msgs, text(summary[0]))
    finally:
        if summary[0] != ffi.NULL:
            lib.s7p_text_free(summary[0])
