# SPDX-License-Identifier: MIT
"""The blocking client. Every call releases the GIL while the library works (cffi does so
for each C call), so other Python threads run meanwhile; one Client may be shared by
threads (the library serialises the calls)."""
from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, \
    Union

from ._common import Options, ReadBatch, Symbol, WriteBatch, nest, struct_members, write_items
from ._ffi import ffi, lib, text
from .errors import NotFoundError, S7Error, S7TimeoutError, Status, check, from_c
from .types import (Alarm, BrowseItem, Change, CpuInfo, CpuState, Culture, Notification,
                    Resources, Tag, alarms_from_c, cultures_from_c)

_MODES = {"cyclic": lib.S7P_SUB_CYCLIC, "changes": lib.S7P_SUB_CHANGES_ONLY}


class Client:
    """A connection to one PLC.

    >>> with s7plus.Client("127.0.0.1:10102") as plc:
    ...     plc.read('"Motors".pumps[2].speed')

    Keyword arguments: password, username (legitimation at every connect), allow_write
    (default False: writes raise WriteDisabledError, nothing is sent), timeout (seconds, each
    request; also the connect unless connect_timeout), browse_timeout, security ("tls",
    "legacy", "auto"), tsap, pin_sha256 / ca_file (+ expected_name) / known_hosts_file
    (certificate checks; default: any certificate), auto_reconnect, max_in_flight, logger
    (a logging.Logger for the library's log lines), connect (default True: connect now).
    """

    def __init__(self, endpoint: str, *, connect: bool = True, **options: Any) -> None:
        self.endpoint = endpoint
        self._opts = Options(endpoint, **options)
        self._c = self._opts.new_client()
        self._tags: Dict[str, Tag] = {}
        self._browsed: Optional[List[Tuple[str, Tag]]] = None
        self._io_thread = False
        self._subs: List["Subscription"] = []
        if connect:
            self.connect()

    # ---- life cycle ----

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _err(self):
        return ffi.new("s7p_error *")

    def _cl(self):
        if self._c is None:
            raise S7Error(Status.STATE, "the client is closed")
        return self._c

    def connect(self) -> None:
        """Connects (TCP, TLS, session, legitimation with the password given)."""
        err = self._err()
        check(lib.s7p_connect(self._cl(), err), err)

    def disconnect(self) -> None:
        """Ends the session; the client may connect again."""
        err = self._err()
        check(lib.s7p_disconnect(self._cl(), err), err)

    def close(self) -> None:
        """Disconnects and frees the client (and its subscriptions). Idempotent."""
        c, self._c = getattr(self, "_c", None), None
        if c is not None:
            for s in list(self._subs):
                s._forget()
            lib.s7p_client_free(c)

    @property
    def state(self) -> str:
        """"disconnected", "connecting", "connected", "faulted" or "disconnecting"."""
        return text(lib.s7p_state_name(lib.s7p_get_state(self._cl())))

    @property
    def connected(self) -> bool:
        """Whether a session is established."""
        return bool(lib.s7p_is_connected(self._cl()))

    # ---- CPU ----

    def info(self) -> CpuInfo:
        """The CPU's identity (order number, firmware, name, TLS details ...)."""
        out, err = ffi.new("s7p_cpu_info *"), self._err()
        check(lib.s7p_get_cpu_info(self._cl(), out, err), err)
        return CpuInfo._from_c(out)

    def cpu_state(self) -> CpuState:
        """The operating state (RUN, STOP ...)."""
        out, err = ffi.new("s7p_cpu_state_info *"), self._err()
        check(lib.s7p_get_cpu_state(self._cl(), out, err), err)
        return CpuState._from_c(out)

    def resources(self) -> Resources:
        """The PLC's communication resources (tags per request, subscriptions ...)."""
        out, err = ffi.new("s7p_comm_resources *"), self._err()
        check(lib.s7p_get_communication_resources(self._cl(), out, err), err)
        return Resources._from_c(out)

    def cultures(self) -> List[Culture]:
        """The languages of the PLC's texts, the primary one first."""
        out, err = ffi.new("s7p_cpu_culture_info *"), self._err()
        check(lib.s7p_get_cpu_culture_info(self._cl(), out, err), err)
        return cultures_from_c(out)

    def legitimate(self, password: str, username: Optional[str] = None) -> None:
        """Logs in to a protected PLC (kept for reconnects); AuthError when refused."""
        err = self._err()
        check(lib.s7p_legitimate(self._cl(), password.encode(),
                                 username.encode() if username else ffi.NULL, err), err)

    def active_alarms(self, lcid: int = 0) -> List[Alarm]:
        """The alarms active now, texts in language lcid (0: the PLC's first)."""
        out, err = ffi.new("s7p_alarm_list **"), self._err()
        check(lib.s7p_get_active_alarms(self._cl(), lcid, out, err), err)
        return alarms_from_c(out[0])

    # ---- variables ----

    def tag(self, symbol: Symbol) -> Tag:
        """Resolves a symbol (cached per client)."""
        if isinstance(symbol, Tag):
            return symbol
        t = self._tags.get(symbol)
        if t is None:
            out, err = ffi.new("s7p_tag *"), self._err()
            check(lib.s7p_tag_by_symbol(self._cl(), symbol.encode("utf-8"), out, err), err)
            t = self._tags[symbol] = Tag(symbol, out[0])
        return t

    def browse(self) -> Iterator[BrowseItem]:
        """Every variable of the PLC program, streamed as the library finds them (the
        browse runs on a helper thread while the caller iterates; stopping early stops it)."""
        q: "queue.Queue[Any]" = queue.Queue(maxsize=1024)
        stop = threading.Event()
        done = object()

        def on_item(item) -> bool:
            if stop.is_set():
                return False
            q.put(BrowseItem._from_c(item))
            return not stop.is_set()

        h = ffi.new_handle(on_item)
        c = self._cl()

        def run() -> None:
            err = ffi.new("s7p_error *")
            st = lib.s7p_browse(c, lib._s7py_browse, h, err)
            q.put(from_c(err, st) if st != 0 else done)

        th = threading.Thread(target=run, name="s7plus-browse", daemon=True)
        th.start()
        try:
            while True:
                x = q.get()
                if x is done:
                    return
                if isinstance(x, S7Error):
                    raise x
                yield x
        finally:
            stop.set()
            while th.is_alive():  # drain, so the browsing thread never blocks on put()
                try:
                    q.get(timeout=0.05)
                except queue.Empty:
                    pass
            th.join()

    def _browse_cache(self) -> List[Tuple[str, Tag]]:
        if self._browsed is None:
            self._browsed = [(b.symbol, b.tag) for b in self.browse()]
        return self._browsed

    def _resolve(self, symbols: Sequence[Symbol], errors: str = "raise"
                 ) -> Tuple[List[Tag], List[Any]]:
        """Tags for symbols; a struct symbol becomes its members, noted in the plan."""
        tags: List[Tag] = []
        plan: List[Any] = []  # per symbol: None (one tag), the struct's members, or an error
        for s in symbols:
            try:
                try:
                    tags.append(self.tag(s))
                    plan.append(None)
                except NotFoundError:
                    members = struct_members(s, self._browse_cache()) \
                        if isinstance(s, str) else []
                    if not members:
                        raise
                    tags.extend(t for _, t in members)
                    plan.append(members)
            except S7Error as e:
                if errors == "raise" or e.code != Status.NOT_FOUND:
                    raise
                plan.append(e)
        return tags, plan

    def read(self, symbol: Symbol) -> Any:
        """The value of one variable (a dict for a struct). Raises the item's error."""
        return self.read_many([symbol])[0]

    def read_many(self, symbols: Sequence[Symbol], errors: str = "raise") -> List[Any]:
        """The values of many variables in one batch (split by the PLC's limits). A failed
        item raises its error (with .symbol and .index); errors="return" puts the exception
        in its place instead."""
        tags, plan = self._resolve(symbols, errors)
        b = ReadBatch(tags)
        err = self._err()
        st = lib.s7p_read(self._cl(), b.ctags, b.n, b.cvals, b.res, err)
        if st != 0:
            b.clear()
            check(st, err)
        flat = b.values(self.endpoint, errors)
        return _regroup(flat, plan)

    def write(self, items: Union[Dict[Symbol, Any], Iterable[Tuple[Symbol, Any]]]) -> None:
        """Writes {symbol: value} in one batch (a dict value writes a struct's members; a
        str for a non-text tag is a TIA literal such as "T#1s"). Needs allow_write=True."""
        pairs = write_items(items)
        tags = [self.tag(s) for s, _ in pairs]
        b = WriteBatch(tags, [v for _, v in pairs])
        err = self._err()
        st = lib.s7p_write(self._cl(), b.ctags, b.n, b.cvals, b.res, err)
        if st != 0:
            b.release()
            check(st, err)
        b.check(self.endpoint)

    # ---- subscriptions ----

    def watch(self, symbols: Sequence[Symbol], cycle_ms: int = 1000, *, mode: str = "cyclic",
              callback: Optional[Callable[[Change], None]] = None,
              on_event: Optional[Callable[[Notification], None]] = None,
              events: bool = False, queue_size: int = 1024) -> "Subscription":
        """Subscribes to variables: the PLC sends their values every cycle_ms (mode
        "cyclic") or when they change ("changes"). Without callback, iterate over the
        result (``for change in plc.watch(...)``); with one, it is called with each Change
        on the client's I/O thread (started for it). Close the subscription (or use it as a
        context manager) to end it."""
        tags = [self.tag(s) for s in symbols]
        if callback is not None and not self._io_thread:
            check(lib.s7p_client_start_io_thread(self._cl()), ffi.new("s7p_error *"))
            self._io_thread = True
        return Subscription(self, tags, cycle_ms, _MODES[mode], callback, on_event, events,
                            queue_size)


def _regroup(flat: List[Any], plan: List[Any]) -> List[Any]:
    out, k = [], 0
    for p in plan:
        if isinstance(p, S7Error):
            out.append(p)
        elif p is None:
            out.append(flat[k])
            k += 1
        else:
            out.append(nest(p, flat[k:k + len(p)]))
            k += len(p)
    return out


class Subscription:
    """A subscription of a Client: iterate for its Changes (or get whole Notifications with
    ``next()``), or receive them through the callback; ``close()`` ends it."""

    def __init__(self, client: Client, tags: List[Tag], cycle_ms: int, mode: int,
                 callback: Optional[Callable[[Change], None]],
                 on_event: Optional[Callable[[Notification], None]], events: bool,
                 queue_size: int) -> None:
        self._client, self.symbols = client, [t.symbol for t in tags]
        self._events = events
        arr = ffi.new("s7p_tag[]", len(tags))
        for k, t in enumerate(tags):
            arr[k] = t._c[0]
        o = ffi.new("s7p_subscription_options *")
        lib.s7p_subscription_options_init_size(o, ffi.sizeof("s7p_subscription_options"))
        o.cycle_ms, o.mode, o.queue_size = cycle_ms, mode, queue_size
        self._h = None
        fn, ctx = ffi.NULL, ffi.NULL
        if callback is not None:
            def on_note(n) -> None:
                note = Notification._from_c(n, self.symbols)
                if note.event == "data":
                    for ch in note.changes:
                        callback(ch)
                elif on_event is not None:
                    on_event(note)
            self._h = ffi.new_handle(on_note)
            fn, ctx = lib._s7py_sub, self._h
        out, err = ffi.new("s7p_subscription **"), ffi.new("s7p_error *")
        check(lib.s7p_subscribe(client._cl(), arr, len(tags), o, fn, ctx, out, err), err)
        self._s = out[0]
        client._subs.append(self)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def next(self, timeout: Optional[float] = None) -> Optional[Notification]:
        """The next notification or event (pull form); None when timeout (seconds) passed."""
        out, err = ffi.new("s7p_sub_notification **"), ffi.new("s7p_error *")
        while True:
            if self._s is None:
                raise S7Error(Status.STATE, "the subscription is closed")
            # Waits of at most 0.5 s, so that Ctrl-C is seen between them.
            ms = 500 if timeout is None else max(0, min(500, int(timeout * 1000)))
            st = lib.s7p_subscription_next(self._s, out, ms, err)
            if st == 0:
                try:
                    return Notification._from_c(out[0], self.symbols)
                finally:
                    lib.s7p_sub_notification_free(out[0])
            if st != Status.TIMEOUT:
                raise from_c(err, st)
            if timeout is not None:
                timeout -= ms / 1000
                if timeout <= 0:
                    return None

    def __iter__(self) -> Iterator[Any]:
        while True:
            note = self.next()
            assert note is not None
            if note.event == "faulted":
                raise note.error or S7Error(Status.STATE, "subscription faulted")
            if note.event == "data":
                yield from note.changes
            elif self._events:
                yield note

    def set_cycle(self, cycle_ms: int) -> None:
        """Changes the cycle time on the PLC."""
        err = ffi.new("s7p_error *")
        check(lib.s7p_subscription_set_cycle(self._s, cycle_ms, err), err)

    def close(self) -> None:
        """Ends the subscription (deletes it on the PLC). Idempotent."""
        s, self._s = self._s, None
        if s is not None:
            self._client._subs.remove(self)
            lib.s7p_unsubscribe(s, ffi.NULL)

    def _forget(self) -> None:  # the client frees it
        self._s = None
        self._client._subs.remove(self)
