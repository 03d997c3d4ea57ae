# SPDX-License-Identifier: MIT
"""s7plus: Siemens S7-1200/S7-1500 PLCs over S7CommPlus from Python, a thin layer over the
C library libs7plus (cffi, API mode).

>>> import s7plus
>>> with s7plus.Client("127.0.0.1:10102") as plc:
...     print(plc.info().plc_name, plc.read('"Motors".pumps[2].speed'))

Blocking: :class:`Client`. asyncio: :class:`AsyncClient` (driven by the library's event
engine from the loop's file-descriptor readers, no thread). Errors: :class:`S7Error` and
its subclasses, one per kind.
"""
from ._ffi import ffi as _ffi, lib as _lib
from .aio import AsyncClient, AsyncSubscription
from .client import Client, Subscription
from .errors import (ArgumentError, AuthError, CertificateChangedError, ClosedError,
                     ConfigError, ConnectError, IntegrityError, LimitError, NoMemoryError,
                     NotFoundError, NotSentError, PLCError, ProgramChangedError, ProtocolError,
                     RequestCancelledError, ResolveError, S7ConnectionError, S7Error,
                     S7TimeoutError, SocketError, StateError, Status, TLSError, TLSVerifyError,
                     TooSmallError, UnsupportedError, WriteDisabledError, error_class)
from .types import (Alarm, BrowseItem, Change, CpuInfo, CpuState, Culture, Notification,
                    Resources, Tag)
from .values import NsDatetime, NsTime, NsTimedelta

__version__ = _ffi.string(_lib.s7p_version()).decode()

__all__ = [
    "Client", "Subscription", "AsyncClient", "AsyncSubscription", "Tag", "BrowseItem",
    "CpuInfo", "CpuState", "Culture", "Resources", "Alarm", "Change", "Notification",
    "NsTimedelta", "NsTime", "NsDatetime", "Status", "S7Error", "error_class",
    "ArgumentError", "AuthError", "CertificateChangedError", "ClosedError", "ConfigError",
    "ConnectError", "IntegrityError", "LimitError", "NoMemoryError", "NotFoundError",
    "NotSentError", "PLCError", "ProgramChangedError", "ProtocolError",
    "RequestCancelledError", "ResolveError", "S7ConnectionError", "S7TimeoutError",
    "SocketError", "StateError", "TLSError", "TLSVerifyError", "TooSmallError",
    "UnsupportedError", "WriteDisabledError",
]
