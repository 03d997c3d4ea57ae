# SPDX-License-Identifier: MIT
"""What Client and AsyncClient share: options, batches of tags and values, structs."""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._ffi import ffi, lib, text
from . import _callbacks  # noqa: F401  (registers the C callbacks)
from .errors import ArgumentError, Status, check, item_error
from .types import Tag
from .values import from_python, release, to_python

Symbol = Union[str, Tag]
_SECURITY = {"tls": lib.S7P_SECURITY_TLS, "legacy": lib.S7P_SECURITY_LEGACY_CHALLENGE,
             "auto": lib.S7P_SECURITY_AUTO}
_LEVELS = {lib.S7P_LOG_ERROR: logging.ERROR, lib.S7P_LOG_WARN: logging.WARNING,
           lib.S7P_LOG_INFO: logging.INFO, lib.S7P_LOG_DEBUG: logging.DEBUG}


def split_endpoint(endpoint: str) -> Tuple[str, int]:
    """"host", "host:port" or "[v6]:port" -> (host, port); port 102 by default."""
    if endpoint.startswith("["):
        host, _, rest = endpoint[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else 102
    if endpoint.count(":") == 1:
        host, port = endpoint.split(":")
        return host, int(port)
    return endpoint, 102


class Options:
    """Builds ``s7p_client_options`` from keyword arguments; keeps the strings alive."""

    def __init__(self, endpoint: str, *, password: Optional[str] = None,
                 username: Optional[str] = None, allow_write: bool = False,
                 timeout: float = 5.0, connect_timeout: Optional[float] = None,
                 browse_timeout: Optional[float] = None, security: str = "tls",
                 tsap: Optional[str] = None, pin_sha256: Optional[str] = None,
                 ca_file: Optional[str] = None, expected_name: Optional[str] = None,
                 known_hosts_file: Optional[str] = None, auto_reconnect: bool = False,
                 max_in_flight: Optional[int] = None,
                 logger: Optional[logging.Logger] = None) -> None:
        self.endpoint = endpoint
        self._keep: List[Any] = []
        o = self.c = ffi.new("s7p_client_options *")
        lib.s7p_client_options_init_size(o, ffi.sizeof("s7p_client_options"))
        host, port = split_endpoint(endpoint)
        o.host = self._s(host)
        o.port = port
        o.allow_write = allow_write
        o.request_timeout_ms = int(timeout * 1000)
        o.connect_timeout_ms = int((connect_timeout or timeout) * 1000)
        if browse_timeout:
            o.browse_timeout_ms = int(browse_timeout * 1000)
        if security not in _SECURITY:
            raise ArgumentError(Status.INVALID_ARG, f"security: {security!r} is not one of "
                                f"{', '.join(_SECURITY)}")
        o.security = _SECURITY[security]
        o.auto_reconnect = auto_reconnect
        if max_in_flight:
            o.max_in_flight = max_in_flight
        if tsap:
            o.remote_tsap = self._s(tsap)
        if password:
            o.password = self._s(password)
        if username:
            o.username = self._s(username)
        if pin_sha256:
            o.verify = lib.S7P_VERIFY_PIN
            o.pin_sha256 = bytes.fromhex(pin_sha256.replace(":", ""))
        elif ca_file:
            o.verify = lib.S7P_VERIFY_CA
            o.ca_file = self._s(ca_file)
            if expected_name:
                o.expected_name = self._s(expected_name)
        elif known_hosts_file:
            o.verify = lib.S7P_VERIFY_TOFU
            o.known_hosts_file = self._s(known_hosts_file)
        if logger is not None:
            def log(level: int, layer, msg) -> None:
                logger.log(_LEVELS.get(level, logging.DEBUG), "%s: %s", text(layer), text(msg))
            h = ffi.new_handle(log)
            self._keep.append(h)
            o.log, o.log_ctx = lib._s7py_log, h
            o.log_level = lib.S7P_LOG_DEBUG if logger.isEnabledFor(logging.DEBUG) \
                else lib.S7P_LOG_INFO

    def _s(self, s: str):
        b = ffi.new("char[]", s.encode("utf-8"))
        self._keep.append(b)
        return b

    def new_client(self):
        """A new ``s7p_client *`` (the caller frees it with s7p_client_free)."""
        out = ffi.new("s7p_client **")
        err = ffi.new("s7p_error *")
        check(lib.s7p_client_new(out, self.c, err), err)
        # The options' strings are copied; the log handle stays needed (self._keep).
        return out[0]


class ReadBatch:
    """The C arrays of one read: tags, values, results; converted by ``values()``."""

    def __init__(self, tags: Sequence[Tag]) -> None:
        n = self.n = len(tags)
        self.tags = tags
        self.ctags = ffi.new("s7p_tag[]", n)
        for k, t in enumerate(tags):
            self.ctags[k] = t._c[0]
        self.cvals = ffi.new("s7p_tag_value[]", n)
        self.res = ffi.new("s7p_item_result[]", n)

    def values(self, endpoint: str, errors: str) -> List[Any]:
        """The values; a failed item raises (errors="raise") or stands as its exception."""
        out: List[Any] = []
        first: Optional[Exception] = None
        try:
            for k in range(self.n):
                r = self.res[k]
                if r.code == 0:
                    out.append(to_python(self.cvals[k]))
                else:
                    e = item_error(r, self.tags[k].symbol, k, endpoint)
                    first = first or e
                    out.append(e)
        finally:
            self.clear()
        if first is not None and errors == "raise":
            raise first
        return out

    def clear(self) -> None:
        for k in range(self.n):
            lib.s7p_tag_value_clear(self.cvals + k)


class WriteBatch:
    """The C arrays of one write, filled from Python values."""

    def __init__(self, tags: Sequence[Tag], values: Sequence[Any]) -> None:
        n = self.n = len(tags)
        self.tags = tags
        self.ctags = ffi.new("s7p_tag[]", n)
        self.cvals = ffi.new("s7p_tag_value[]", n)
        self.res = ffi.new("s7p_item_result[]", n)
        self._keep: List[Any] = []
        self._parsed: List[Any] = []
        try:
            for k, (t, v) in enumerate(zip(tags, values)):
                self.ctags[k] = t._c[0]
                try:
                    from_python(t._c, v, self.cvals + k, self._keep, self._parsed)
                except ArgumentError as e:
                    e.symbol, e.index = t.symbol, k
                    e.args = (f"{t.symbol}: {e.message}",)
                    raise
        except BaseException:
            release(self._parsed)
            raise

    def release(self) -> None:
        """Frees what the library parsed (TIA literals)."""
        release(self._parsed)

    def check(self, endpoint: str) -> None:
        """Raises the first failed item's error."""
        try:
            for k in range(self.n):
                if self.res[k].code != 0:
                    raise item_error(self.res[k], self.tags[k].symbol, k, endpoint)
        finally:
            release(self._parsed)


def split_path(rest: str) -> List[str]:
    """'a."b.c"[1].d' -> ['a', 'b.c[1]', 'd']: the member names of a symbol path (dots
    inside quotes do not split; quotes are dropped)."""
    parts, cur, quoted = [], [], False
    for ch in rest:
        if ch == '"':
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def struct_members(symbol: str, browse: Iterable[Tuple[str, Tag]]) -> List[Tuple[List[str], Tag]]:
    """The members of a struct symbol (from a browse), with their paths below it."""
    prefix = symbol + "."
    return [(split_path(s[len(prefix):]), t) for s, t in browse if s.startswith(prefix)]


def nest(members: List[Tuple[List[str], Tag]], values: List[Any]) -> Dict[str, Any]:
    """The dict of a struct from its members' paths and values."""
    root: Dict[str, Any] = {}
    for (path, _), v in zip(members, values):
        d = root
        for p in path[:-1]:
            d = d.setdefault(p, {})
        d[path[-1]] = v
    return root


def flatten(symbol: str, value: Dict[str, Any]) -> List[Tuple[str, Any]]:
    """A struct's dict as (member symbol, value) pairs, for a write."""
    out: List[Tuple[str, Any]] = []
    for k, v in value.items():
        name = f'"{k}"' if ("." in k or " " in k) and "[" not in k else k
        if isinstance(v, dict):
            out.extend(flatten(f"{symbol}.{name}", v))
        else:
            out.append((f"{symbol}.{name}", v))
    return out


def write_items(items: Union[Dict[Symbol, Any], Iterable[Tuple[Symbol, Any]]]
                ) -> List[Tuple[Symbol, Any]]:
    """The (symbol, value) pairs of a write, structs (dicts) flattened to their members."""
    pairs = list(items.items()) if isinstance(items, dict) else list(items)
    out: List[Tuple[Symbol, Any]] = []
    for s, v in pairs:
        if isinstance(v, dict) and isinstance(s, str):
            out.extend(flatten(s, v))
        else:
            out.append((s, v))
    return out


ValueFn = Callable[[List[Any]], Any]
