# SPDX-License-Identifier: MIT
"""The blocking client. Every call releases the GIL while the library works (cffi does so
for each C call), so other Python threads run meanwhile; one Client may be shared by
threads (the library serialises the calls)."""
from __future__ import annotations

import collections
import queue
import threading
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, \
    Union

from ._common import (Options, ReadBatch, Symbol, WriteBatch, build_plan, lcid_array,
                      needs_browse, regroup, sub_items, sub_options, tag_array, write_items)
from ._ffi import ffi, lib, text
from .errors import S7Error, Status, check, from_c
from .types import (Alarm, BrowseItem, Change, CpuInfo, CpuState, Culture, Notification,
                    Resources, Tag, alarms_from_c, cultures_from_c)


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
        lookups: List[Any] = []
        for s in symbols:
            try:
                lookups.append(self.tag(s))
            except S7Error as e:
                # Without its traceback: it would hold this frame, and so a cycle.
                lookups.append(e.with_traceback(None))
        browsed = self._browse_cache() if needs_browse(symbols, lookups) else None
        return build_plan(symbols, lookups, browsed, errors)

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
        return regroup(flat, plan)

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
        if callback is not None:
            self._start_io_thread()
        return Subscription(self, tags, sub_options(queue_size, cycle_ms, mode), callback,
                            on_event, events)

    def watch_alarms(self, lcid: Union[int, Sequence[int], None] = 0, *, snapshot: bool = False,
                     callback: Optional[Callable[[Alarm], None]] = None,
                     on_event: Optional[Callable[[Notification], None]] = None,
                     events: bool = False, queue_size: int = 1024,
                     snapshot_client: Optional["Client"] = None) -> "AlarmSubscription":
        """Subscribes to alarms: every state change (came, went, acknowledged) arrives as an
        :class:`Alarm` record with its texts formatted in language ``lcid`` (a Windows LCID
        such as 1033, or a list of them, the first for the records; 0: the PLC's languages).

        ``snapshot=True`` also reads the alarms active now (on a second connection:
        ``snapshot_client`` or a temporary one) and merges: they come first, then the
        changes, and an alarm that came meanwhile is reported exactly once. The snapshot is
        also kept in ``.snapshot``.

        Without callback, iterate over the result (``for alarm in plc.watch_alarms()``);
        with one, it is called with each Alarm (the snapshot's on the calling thread before
        this returns, the changes on the client's I/O thread). ``events=True`` (iterator) or
        ``on_event`` (callback) also gets the Notifications "lost", "recreated" and "resync"
        (after a reconnect: ``alarms`` new or changed meanwhile and ``gone_ids`` gone
        meanwhile); without, a resync's alarms come as records and its gone ids are not
        told. Close the subscription (or use it as a context manager) to end it."""
        if callback is not None:
            self._start_io_thread()
        return AlarmSubscription(self, lcid, sub_options(queue_size), snapshot,
                                 snapshot_client, callback, on_event, events)

    def _start_io_thread(self) -> None:
        # Callbacks need a thread that drives the client while the caller does not.
        if not self._io_thread:
            check(lib.s7p_client_start_io_thread(self._cl()), ffi.new("s7p_error *"))
            self._io_thread = True


class _SubscriptionBase:
    """What tag and alarm subscriptions of a Client share: the pull form (``next()``,
    iteration), the callback form, ``close()``."""
    _alarms = False

    def __init__(self, client: Client, callback: Optional[Callable[[Any], None]],
                 on_event: Optional[Callable[[Notification], None]], events: bool) -> None:
        self._client, self._events, self._s = client, events, None
        self.symbols: List[str] = []
        self._backlog: "collections.deque[Any]" = collections.deque()
        self._h = None
        # Callback form: notifications wait in _held until the snapshot was delivered.
        self._held: Optional[List[Notification]] = None
        self._lock = threading.Lock()
        if callback is not None:
            def deliver(note: Notification) -> None:
                if note.event in ("lost", "recreated", "faulted") or \
                        (note.event == "resync" and on_event is not None):
                    if on_event is not None:
                        on_event(note)
                    return
                for item in (note.alarms if self._alarms else note.changes):
                    callback(item)
            self._deliver = deliver
            self._h = ffi.new_handle(self._on_note)

    def _on_note(self, n) -> None:
        note = Notification._from_c(n, self.symbols)
        with self._lock:
            if self._held is not None:
                self._held.append(note)
                return
        self._deliver(note)

    def _c_callback(self) -> Tuple[Any, Any]:
        return (lib._s7py_sub, self._h) if self._h is not None else (ffi.NULL, ffi.NULL)

    def __enter__(self) -> Any:
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
            while self._backlog:
                yield self._backlog.popleft()
            note = self.next()
            assert note is not None
            self._backlog.extend(sub_items(note, self._events, self._alarms))

    def close(self) -> None:
        """Ends the subscription (deletes it on the PLC). Idempotent."""
        s, self._s = self._s, None
        if s is not None:
            self._client._subs.remove(self)
            lib.s7p_unsubscribe(s, ffi.NULL)

    def _forget(self) -> None:  # the client frees it
        self._s = None
        self._client._subs.remove(self)


class Subscription(_SubscriptionBase):
    """A tag subscription of a Client: iterate for its Changes (or get whole Notifications
    with ``next()``), or receive them through the callback; ``add()``, ``remove()`` and
    ``set_cycle()`` change it on the PLC; ``close()`` ends it. ``symbols[k]`` is the symbol
    of tag number k (``Change.index``)."""

    def __init__(self, client: Client, tags: List[Tag], opts,
                 callback: Optional[Callable[[Change], None]],
                 on_event: Optional[Callable[[Notification], None]], events: bool) -> None:
        super().__init__(client, callback, on_event, events)
        self.symbols = [t.symbol for t in tags]
        fn, ctx = self._c_callback()
        out, err = ffi.new("s7p_subscription **"), ffi.new("s7p_error *")
        check(lib.s7p_subscribe(client._cl(), tag_array(tags), len(tags), opts, fn, ctx, out,
                                err), err)
        self._s = out[0]
        client._subs.append(self)

    def _live(self):
        if self._s is None:
            raise S7Error(Status.STATE, "the subscription is closed")
        return self._s

    def set_cycle(self, cycle_ms: int) -> None:
        """Changes the cycle time on the PLC."""
        err = ffi.new("s7p_error *")
        check(lib.s7p_subscription_set_cycle(self._live(), cycle_ms, err), err)

    def add(self, symbols: Sequence[Symbol]) -> List[int]:
        """Adds variables without re-creating the subscription; returns their tag numbers
        (``Change.index``), which continue the subscription's numbering."""
        tags = [self._client.tag(s) for s in symbols]
        first, err = ffi.new("uint32_t *"), ffi.new("s7p_error *")
        check(lib.s7p_subscription_add(self._live(), tag_array(tags), len(tags), first, err),
              err)
        with self._lock:  # the I/O thread names changes by this list
            names = self.symbols + [f"#{k}" for k in range(len(self.symbols), first[0])]
            self.symbols = names + [t.symbol for t in tags]
        return list(range(first[0], first[0] + len(tags)))

    def remove(self, items: Sequence[Union[int, Symbol]]) -> None:
        """Removes variables (by tag number or symbol) without re-creating the subscription;
        unknown ones are ignored."""
        numbers = [k for x in items for k in self._numbers(x)]
        err = ffi.new("s7p_error *")
        arr = ffi.new("uint32_t[]", numbers) if numbers else ffi.NULL
        check(lib.s7p_subscription_remove(self._live(), arr, len(numbers), err), err)

    def _numbers(self, x: Union[int, Symbol]) -> List[int]:
        if isinstance(x, int):
            return [x]
        sym = x.symbol if isinstance(x, Tag) else x
        return [k for k, s in enumerate(self.symbols) if s == sym]


class AlarmSubscription(_SubscriptionBase):
    """An alarm subscription of a Client (:meth:`Client.watch_alarms`): iterate for Alarm
    records (the snapshot's first), get whole Notifications with ``next()``, or receive them
    through the callback; ``snapshot`` holds the alarms active at the subscribe (snapshot=True;
    else None); ``close()`` ends it."""
    _alarms = True

    def __init__(self, client: Client, lcid: Union[int, Sequence[int], None], opts,
                 snapshot: bool, snapshot_client: Optional[Client],
                 callback: Optional[Callable[[Alarm], None]],
                 on_event: Optional[Callable[[Notification], None]], events: bool) -> None:
        super().__init__(client, callback, on_event, events)
        self.snapshot: Optional[List[Alarm]] = None
        lcids, n = lcid_array(lcid)
        fn, ctx = self._c_callback()
        out, err = ffi.new("s7p_subscription **"), ffi.new("s7p_error *")
        if not snapshot:
            check(lib.s7p_subscribe_alarms(client._cl(), lcids, n, opts, fn, ctx, out, err),
                  err)
            self._s = out[0]
            client._subs.append(self)
            return
        other = snapshot_client._cl() if snapshot_client is not None else ffi.NULL
        snap = ffi.new("s7p_alarm_list **")
        if callback is not None:
            self._held = []
        check(lib.s7p_subscribe_alarms_with_snapshot(client._cl(), other, lcids, n, opts, fn,
                                                     ctx, snap, out, err), err)
        self._s = out[0]
        client._subs.append(self)
        self.snapshot = alarms_from_c(snap[0])
        if callback is None:
            self._backlog.extend(self.snapshot)
            return
        try:
            for a in self.snapshot:
                callback(a)
            self._release_held()
        except BaseException:
            self.close()
            raise

    def _release_held(self) -> None:
        # Delivers what came during the snapshot, in order, outside the lock (a callback may
        # call into the client, whose I/O thread may wait for the lock meanwhile).
        while True:
            with self._lock:
                assert self._held is not None
                if not self._held:
                    self._held = None
                    return
                note = self._held.pop(0)
            self._deliver(note)
