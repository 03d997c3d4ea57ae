# SPDX-License-Identifier: MIT
"""asyncio client, driven by the library's event engine: the loop watches each client's
socket (``s7p_client_fd`` / ``s7p_client_want``) with add_reader / add_writer and its next
deadline (``s7p_client_next_timeout``) with call_later, and runs ``s7p_client_process`` when
either fires. Requests are the library's ``s7p_*_async`` calls, completing futures from
their callbacks. No thread per client: 100 PLC sessions in one loop are 100 sockets."""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ._common import Options, ReadBatch, Symbol, WriteBatch, write_items
from ._ffi import ffi, lib
from .errors import S7Error, Status, error_class, from_c
from .types import (Alarm, BrowseItem, Change, CpuInfo, CpuState, Notification, Tag,
                    alarms_from_c)

_MODES = {"cyclic": lib.S7P_SUB_CYCLIC, "changes": lib.S7P_SUB_CHANGES_ONLY}


class _Engine:
    """Drives one s7p_client from an asyncio loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, c) -> None:
        self.loop, self.c = loop, c
        self.thread = threading.get_ident()
        self.fd, self.reading, self.writing = -1, False, False
        self.timer: Optional[asyncio.TimerHandle] = None
        self.pending: Dict[Any, Tuple[Any, ...]] = {}

    def call(self, fn: Callable[[], None]) -> None:
        """Runs fn in the loop's thread (callbacks come from whoever drives the client)."""
        if threading.get_ident() == self.thread:
            fn()
        else:
            self.loop.call_soon_threadsafe(fn)

    def process(self) -> None:
        if self.c is not None:
            lib.s7p_client_process(self.c)
            self.kick()

    def kick(self) -> None:
        """Registers what the client waits for now: socket events and its next deadline."""
        if self.c is None:
            return
        fd, want = lib.s7p_client_fd(self.c), lib.s7p_client_want(self.c)
        if fd != self.fd:
            self._unwatch()
            self.fd = fd
        r = fd >= 0 and bool(want & lib.S7P_WANT_READ)
        w = fd >= 0 and bool(want & lib.S7P_WANT_WRITE)
        if r != self.reading:
            self.loop.add_reader(fd, self.process) if r else self.loop.remove_reader(fd)
            self.reading = r
        if w != self.writing:
            self.loop.add_writer(fd, self.process) if w else self.loop.remove_writer(fd)
            self.writing = w
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        t = lib.s7p_client_next_timeout(self.c)
        if t >= 0:
            self.timer = self.loop.call_later(t / 1000, self.process)

    def _unwatch(self) -> None:
        if self.reading:
            self.loop.remove_reader(self.fd)
        if self.writing:
            self.loop.remove_writer(self.fd)
        self.reading = self.writing = False

    def stop(self) -> None:
        self._unwatch()
        if self.timer is not None:
            self.timer.cancel()
        self.c = None

    def submit(self, fn, *args: Any, keep: Tuple[Any, ...] = (),
               finish: Optional[Callable[[], Any]] = None,
               on_fail: Optional[Callable[[], None]] = None) -> "asyncio.Future[Any]":
        """Submits fn(c, *args, done, ctx, &id); the future completes from done with
        finish() (the outputs converted), or the error."""
        fut: "asyncio.Future[Any]" = self.loop.create_future()
        rid = ffi.new("s7p_request_id *")

        def done(_rid, st, err) -> None:
            e = from_c(err, st) if st != 0 else None
            self.pending.pop(key, None)

            def settle() -> None:
                if e is not None and on_fail is not None:
                    on_fail()
                if fut.done():
                    return
                if e is not None:
                    fut.set_exception(e)
                    return
                try:
                    fut.set_result(finish() if finish is not None else None)
                except BaseException as x:  # an item error raised by the conversion
                    fut.set_exception(x)
            self.call(settle)

        key = ffi.new_handle(done)
        self.pending[key] = (keep, rid)
        st = fn(self.c, *args, lib._s7py_done, key, rid)
        if st != 0:
            self.pending.pop(key, None)
            raise error_class(st)(st, op="submit")

        def cancelled(f: "asyncio.Future[Any]") -> None:
            if f.cancelled() and self.c is not None and key in self.pending:
                lib.s7p_cancel(self.c, rid[0])
        fut.add_done_callback(cancelled)
        self.kick()
        return fut


class AsyncClient:
    """The asyncio form of :class:`s7plus.Client` (same keyword arguments).

    >>> async with s7plus.AsyncClient("127.0.0.1:10102") as plc:
    ...     speed = await plc.read('"Motors".pumps[2].speed')
    """

    def __init__(self, endpoint: str, **options: Any) -> None:
        self.endpoint = endpoint
        self._opts = Options(endpoint, **options)
        self._c = self._opts.new_client()
        self._eng: Optional[_Engine] = None
        self._tags: Dict[str, Tag] = {}
        self._subs: List["AsyncSubscription"] = []

    async def __aenter__(self) -> "AsyncClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    def _engine(self) -> _Engine:
        if self._c is None:
            raise S7Error(Status.STATE, "the client is closed")
        if self._eng is None:
            self._eng = _Engine(asyncio.get_running_loop(), self._c)
        return self._eng

    async def connect(self) -> None:
        """Connects (TCP, TLS, session, legitimation)."""
        await self._engine().submit(lib.s7p_connect_async)

    async def close(self) -> None:
        """Ends the session and frees the client (and its subscriptions)."""
        if self._c is None:
            return
        for s in list(self._subs):
            await s.close()
        if lib.s7p_is_connected(self._c):
            try:
                await self._engine().submit(lib.s7p_disconnect_async)
            except S7Error:
                pass
        if self._eng is not None:
            self._eng.stop()
        c, self._c = self._c, None
        lib.s7p_client_free(c)

    @property
    def connected(self) -> bool:
        """Whether a session is established."""
        return self._c is not None and bool(lib.s7p_is_connected(self._c))

    async def info(self) -> CpuInfo:
        """The CPU's identity."""
        out = ffi.new("s7p_cpu_info *")
        return await self._engine().submit(lib.s7p_get_cpu_info_async, out, keep=(out,),
                                           finish=lambda: CpuInfo._from_c(out))

    async def cpu_state(self) -> CpuState:
        """The operating state."""
        out = ffi.new("s7p_cpu_state_info *")
        return await self._engine().submit(lib.s7p_get_cpu_state_async, out, keep=(out,),
                                           finish=lambda: CpuState._from_c(out))

    async def active_alarms(self, lcid: int = 0) -> List[Alarm]:
        """The alarms active now."""
        out = ffi.new("s7p_alarm_list **")
        return await self._engine().submit(lib.s7p_get_active_alarms_async, lcid, out,
                                           keep=(out,), finish=lambda: alarms_from_c(out[0]))

    async def legitimate(self, password: str, username: Optional[str] = None) -> None:
        """Logs in to a protected PLC."""
        await self._engine().submit(lib.s7p_legitimate_async, password.encode(),
                                    username.encode() if username else ffi.NULL)

    async def tag(self, symbol: Symbol) -> Tag:
        """Resolves a symbol (cached)."""
        if isinstance(symbol, Tag):
            return symbol
        t = self._tags.get(symbol)
        if t is None:
            out = ffi.new("s7p_tag *")
            await self._engine().submit(lib.s7p_tag_by_symbol_async, symbol.encode("utf-8"),
                                        out, keep=(out,))
            t = self._tags[symbol] = Tag(symbol, out[0])
        return t

    async def _tags_of(self, symbols: Sequence[Symbol]) -> List[Tag]:
        missing = {s for s in symbols if isinstance(s, str) and s not in self._tags}
        if missing:
            await asyncio.gather(*(self.tag(s) for s in missing))
        return [s if isinstance(s, Tag) else self._tags[s] for s in symbols]

    async def read(self, symbol: Symbol) -> Any:
        """The value of one variable."""
        return (await self.read_many([symbol]))[0]

    async def read_many(self, symbols: Sequence[Symbol], errors: str = "raise") -> List[Any]:
        """The values of many variables in one batch (see Client.read_many)."""
        b = ReadBatch(await self._tags_of(symbols))
        return await self._engine().submit(
            lib.s7p_read_async, b.ctags, b.n, b.cvals, b.res, keep=(b,),
            finish=lambda: b.values(self.endpoint, errors), on_fail=b.clear)

    async def write(self, items: Union[Dict[Symbol, Any], Iterable[Tuple[Symbol, Any]]]
                    ) -> None:
        """Writes {symbol: value} in one batch (see Client.write)."""
        pairs = write_items(items)
        tags = await self._tags_of([s for s, _ in pairs])
        b = WriteBatch(tags, [v for _, v in pairs])
        await self._engine().submit(lib.s7p_write_async, b.ctags, b.n, b.cvals, b.res,
                                    keep=(b,), finish=lambda: b.check(self.endpoint),
                                    on_fail=b.release)

    async def browse(self):
        """Every variable of the PLC program, as an async iterator of BrowseItem."""
        eng = self._engine()
        q: "asyncio.Queue[Any]" = asyncio.Queue()
        stop = [False]
        end = object()

        def on_item(item) -> bool:
            x = BrowseItem._from_c(item)
            eng.call(lambda: q.put_nowait(x))
            return not stop[0]

        h = ffi.new_handle(on_item)
        fut = eng.submit(lib.s7p_browse_async, lib._s7py_browse, h, keep=(h,))
        fut.add_done_callback(lambda f: q.put_nowait(end))
        try:
            while True:
                x = await q.get()
                if x is end:
                    fut.result()
                    return
                yield x
        finally:
            stop[0] = True
            if not fut.done():
                await asyncio.wait([fut])
            elif not fut.cancelled():
                fut.exception()

    def watch(self, symbols: Sequence[Symbol], cycle_ms: int = 1000, *, mode: str = "cyclic",
              events: bool = False, queue_size: int = 1024) -> "AsyncSubscription":
        """A subscription: ``async for change in plc.watch([...], cycle_ms=100)``, best inside
        ``async with`` so that it ends with the block."""
        return AsyncSubscription(self, symbols, cycle_ms, _MODES[mode], events, queue_size)


class AsyncSubscription:
    """An asyncio subscription: an async iterator of Change (and Notification events with
    events=True) and an async context manager. Created lazily on first use."""

    def __init__(self, client: AsyncClient, symbols: Sequence[Symbol], cycle_ms: int,
                 mode: int, events: bool, queue_size: int) -> None:
        self._client, self._symbols_in = client, list(symbols)
        self._cycle, self._mode, self._events, self._qsize = cycle_ms, mode, events, queue_size
        self._q: "asyncio.Queue[Notification]" = asyncio.Queue()
        self._ready: List[Any] = []
        self._s = None
        self._h = None
        self.symbols: List[str] = []

    async def start(self) -> None:
        """Creates the subscription on the PLC (done by the first iteration anyway)."""
        if self._s is not None:
            return
        c = self._client
        tags = await c._tags_of(self._symbols_in)
        self.symbols = [t.symbol for t in tags]
        arr = ffi.new("s7p_tag[]", len(tags))
        for k, t in enumerate(tags):
            arr[k] = t._c[0]
        o = ffi.new("s7p_subscription_options *")
        lib.s7p_subscription_options_init_size(o, ffi.sizeof("s7p_subscription_options"))
        o.cycle_ms, o.mode, o.queue_size = self._cycle, self._mode, self._qsize
        eng = c._engine()

        def on_note(n) -> None:
            note = Notification._from_c(n, self.symbols)
            eng.call(lambda: self._q.put_nowait(note))

        self._h = ffi.new_handle(on_note)
        out = ffi.new("s7p_subscription **")
        fut = eng.submit(lib.s7p_subscribe_async, arr, len(tags), o, lib._s7py_sub, self._h,
                         out, keep=(arr, o))
        self._s = out[0]
        c._subs.append(self)
        await fut

    def __aiter__(self) -> "AsyncSubscription":
        return self

    async def __anext__(self) -> Any:
        await self.start()
        while not self._ready:
            note = await self._q.get()
            if note.event == "faulted":
                raise note.error or S7Error(Status.STATE, "subscription faulted")
            if note.event == "data":
                self._ready.extend(note.changes)
            elif self._events:
                return note
        return self._ready.pop(0)

    async def __aenter__(self) -> "AsyncSubscription":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Ends the subscription (the delete on the PLC runs on a worker thread so the loop
        goes on meanwhile)."""
        s, self._s = self._s, None
        if s is not None:
            self._client._subs.remove(self)
            await asyncio.get_running_loop().run_in_executor(None, lib.s7p_unsubscribe, s,
                                                             ffi.NULL)
            if self._client._eng is not None:
                self._client._eng.kick()  # the worker drove the client meanwhile
