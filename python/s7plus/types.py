# SPDX-License-Identifier: MIT
"""The plain data the client returns (dataclasses, built from the library's structs)."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple

from ._ffi import ffi, lib, text
from .errors import S7Error, from_c
from .values import to_python, type_name


class Tag:
    """A resolved variable (``s7p_tag``): from Client.tag() or a browse. Reusing a Tag
    skips the symbol lookup."""
    __slots__ = ("symbol", "_c")

    def __init__(self, symbol: str, ctag) -> None:
        self.symbol = symbol
        self._c = ffi.new("s7p_tag *")
        self._c[0] = ctag  # a copy: s7p_tag is a plain value

    @property
    def type(self) -> str:
        """The PLC's name of the (element) type, e.g. "Int"."""
        return type_name(self._c.type)

    @property
    def count(self) -> int:
        """0 for a scalar, else the number of array elements."""
        return self._c.count

    def __repr__(self) -> str:
        arr = f"[{self.count}]" if self.count else ""
        return f"Tag({self.symbol!r}, {self.type}{arr})"


@dataclass(frozen=True)
class CpuInfo:
    """What the CPU tells about itself (``s7p_cpu_info``)."""
    order_number: str
    serial_number: str
    firmware: str
    hardware_revision: str
    plc_name: str
    project_name: str
    tia_version: str
    paom: str
    protection_level: int
    tls_cipher: str
    cert_sha256: str
    security: str
    legacy_key: str

    @classmethod
    def _from_c(cls, i) -> "CpuInfo":
        return cls(text(i.order_number), text(i.serial_number), text(i.firmware),
                   text(i.hardware_revision), text(i.plc_name), text(i.project_name),
                   text(i.tia_version), text(i.paom), int(i.protection_level),
                   text(i.tls_cipher), text(i.cert_sha256), text(i.security),
                   text(i.legacy_key))


@dataclass(frozen=True)
class CpuState:
    """The operating state: ``state`` is "run", "stop", "startup", ... (``s7p_cpu_state``)."""
    state: str
    raw: int
    source: int

    @classmethod
    def _from_c(cls, s) -> "CpuState":
        return cls(text(lib.s7p_cpu_state_name(s.state)), int(s.raw), int(s.source))


@dataclass(frozen=True)
class Resources:
    """The PLC's communication resources (``s7p_comm_resources``); ``reported`` holds the
    S7P_RES_* bits of the values the PLC sent."""
    tags_per_read_max: int
    tags_per_write_max: int
    subscriptions_max: int
    attributes_max: int
    subscription_memory_max: int
    subscriptions_free: int
    attributes_free: int
    subscription_memory_free: int
    reported: int

    @classmethod
    def _from_c(cls, r) -> "Resources":
        return cls(r.tags_per_read_max, r.tags_per_write_max, r.subscriptions_max,
                   r.attributes_max, r.subscription_memory_max, r.subscriptions_free,
                   r.attributes_free, r.subscription_memory_free, r.reported)


@dataclass(frozen=True)
class Culture:
    """A language of the PLC's texts: Windows LCID and culture name ("en-US", or None)."""
    lcid: int
    name: Optional[str]


def cultures_from_c(ci) -> List[Culture]:
    return [Culture(ci.languages[k].lcid,
                    None if ci.languages[k].name == ffi.NULL else text(ci.languages[k].name))
            for k in range(ci.count)]


@dataclass(frozen=True)
class BrowseItem:
    """One variable of the PLC program: its symbol, type and (for arrays) dimensions as
    (lower bound, count) pairs; ``tag`` reads it without a lookup."""
    symbol: str
    type: str
    count: int
    dims: Tuple[Tuple[int, int], ...]
    block: str
    tag: Tag = field(repr=False, compare=False)

    @classmethod
    def _from_c(cls, it) -> "BrowseItem":
        sym = text(it.symbol)
        dims = tuple((it.lower[k], it.dim_count[k]) for k in range(it.ndims))
        return cls(sym, type_name(it.tag.type), it.tag.count, dims, text(it.block),
                   Tag(sym, it.tag))


def _ns_utc(ns: int) -> Optional[_dt.datetime]:
    if not ns:
        return None
    return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(
        microseconds=ns // 1000)


@dataclass(frozen=True)
class Alarm:
    """An active alarm (``s7p_alarm``): texts with the associated values formatted in;
    times are UTC datetimes (None: not known)."""
    id: int
    name: str
    state: str
    acknowledged: bool
    coming: Optional[_dt.datetime]
    going: Optional[_dt.datetime]
    acknowledged_at: Optional[_dt.datetime]
    priority: int
    alarm_class: int
    hmi_alarm_id: int
    message_type: str
    domain: int
    sequence_counter: int
    values: List[Any]
    lcid: int
    text: str
    info_text: str
    additional_texts: List[str]
    state_bits: int
    change_state_bits: int

    @classmethod
    def _from_c(cls, a) -> "Alarm":
        vals = [None if a.values[k].type == lib.S7P_T_VOID else to_python(a.values[k])
                for k in range(a.nvalues)]
        return cls(a.id, text(a.name), "coming" if a.state == lib.S7P_ALARM_COMING else "going",
                   bool(a.acknowledged), _ns_utc(a.coming_ns), _ns_utc(a.going_ns),
                   _ns_utc(a.ack_ns), a.priority, a.alarm_class, a.hmi_alarm_id,
                   text(lib.s7p_alarm_message_type_name(a.message_type)), a.domain,
                   a.sequence_counter, vals, a.lcid, text(a.text), text(a.info_text),
                   [text(a.additional_texts[k]) for k in range(lib.S7P_ALARM_ADDITIONAL_TEXTS)],
                   a.state_bits, a.change_state_bits)


def alarms_from_c(lst) -> List[Alarm]:
    try:
        return [Alarm._from_c(lst.items[k]) for k in range(lst.count)]
    finally:
        lib.s7p_alarm_list_free(lst)


@dataclass(frozen=True)
class Change:
    """One tag's value in a subscription notification. ``error`` is set (and ``value``
    None) when the PLC could not deliver the tag."""
    symbol: str
    value: Any
    timestamp: Optional[_dt.datetime]
    sequence: int
    index: int
    error: Optional[S7Error] = None


_EVENTS = {lib.S7P_SUB_DATA: "data", lib.S7P_SUB_LOST: "lost",
           lib.S7P_SUB_RECREATED: "recreated", lib.S7P_SUB_FAULTED: "faulted"}


@dataclass(frozen=True)
class Notification:
    """A subscription's notification or event: ``event`` is "data", "lost" (the session
    broke), "recreated" (after ``gap_ms``) or "faulted" (the end: ``error`` says why)."""
    event: str
    sequence: int
    missed: int
    dropped: int
    timestamp: Optional[_dt.datetime]
    changes: List[Change]
    gap_ms: int
    error: Optional[S7Error]

    @classmethod
    def _from_c(cls, n, symbols: List[str]) -> "Notification":
        ts = _ns_utc(n.timestamp_ns) if n.has_timestamp else None
        changes = []
        for k in range(n.count):
            sv = n.values[k]
            sym = symbols[sv.tag] if sv.tag < len(symbols) else f"#{sv.tag}"
            if sv.status == 0:
                changes.append(Change(sym, to_python(sv.value), ts, n.sequence, sv.tag))
            else:
                from .errors import error_class
                e = error_class(sv.status)(sv.status, f"item code 0x{sv.plc_item_code:02X}",
                                           op="notification", symbol=sym, index=sv.tag)
                changes.append(Change(sym, None, ts, n.sequence, sv.tag, e))
        err = from_c(n.error) if n.error.code != 0 else None
        return cls(_EVENTS.get(n.event, str(n.event)), n.sequence, n.missed, n.dropped, ts,
                   changes, n.gap_ms, err)
