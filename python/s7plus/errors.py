# SPDX-License-Identifier: MIT
"""Exceptions: one class per kind of failure, each carrying every field of ``s7p_error``."""
from __future__ import annotations

import enum
from typing import Dict, Optional, Type

from ._ffi import ffi, lib, text


class Status(enum.IntEnum):
    """The library's ``s7p_status`` codes (docs/errors.md)."""
    OK = lib.S7P_OK
    INVALID_ARG = lib.S7P_E_INVALID_ARG
    NOMEM = lib.S7P_E_NOMEM
    STATE = lib.S7P_E_STATE
    RESOLVE = lib.S7P_E_RESOLVE
    CONNECT = lib.S7P_E_CONNECT
    TIMEOUT = lib.S7P_E_TIMEOUT
    CLOSED = lib.S7P_E_CLOSED
    IO = lib.S7P_E_IO
    TLS = lib.S7P_E_TLS
    TLS_VERIFY = lib.S7P_E_TLS_VERIFY
    PROTOCOL = lib.S7P_E_PROTOCOL
    UNSUPPORTED = lib.S7P_E_UNSUPPORTED
    AUTH = lib.S7P_E_AUTH
    PLC = lib.S7P_E_PLC
    NOT_FOUND = lib.S7P_E_NOT_FOUND
    TOO_SMALL = lib.S7P_E_TOO_SMALL
    LIMIT = lib.S7P_E_LIMIT
    WRITE_DISABLED = lib.S7P_E_WRITE_DISABLED
    CONFIG = lib.S7P_E_CONFIG
    CERT_CHANGED = lib.S7P_E_CERT_CHANGED
    NOT_SENT = lib.S7P_E_NOT_SENT
    PROGRAM_CHANGED = lib.S7P_E_PROGRAM_CHANGED
    CANCELLED = lib.S7P_E_CANCELLED
    INTEGRITY = lib.S7P_E_INTEGRITY


class S7Error(Exception):
    """A failure reported by libs7plus. Attributes (the fields of ``s7p_error``):

    code (Status), op, endpoint, plc_return, plc_code, sys_errno, tls_err, transient, message;
    plus plc_code_name / plc_code_text (the library's names of plc_code) and, for one item
    of a batch, ``symbol`` and ``index``.
    """

    def __init__(self, code: int, message: str = "", *, op: str = "", endpoint: str = "",
                 plc_return: int = 0, plc_code: int = 0, sys_errno: int = 0, tls_err: int = 0,
                 transient: bool = False, symbol: Optional[str] = None,
                 index: Optional[int] = None) -> None:
        try:
            self.code: Status = Status(code)
        except ValueError:  # a code newer than this binding
            self.code = code  # type: ignore[assignment]
        self.status = text(lib.s7p_strerror(code))
        self.message = message or self.status
        self.op, self.endpoint = op, endpoint
        self.plc_return, self.plc_code = plc_return, plc_code
        self.sys_errno, self.tls_err, self.transient = sys_errno, tls_err, transient
        self.symbol, self.index = symbol, index
        super().__init__(self.message if symbol is None else f"{symbol}: {self.message}")

    @property
    def plc_code_name(self) -> Optional[str]:
        """The PLC firmware's name of plc_code ("InvalidCRC"), or None."""
        p = lib.s7p_plc_code_name(self.plc_code)
        return None if p == ffi.NULL else text(p)

    @property
    def plc_code_text(self) -> str:
        """What plc_code means for the caller, one line."""
        return text(lib.s7p_plc_code_text(self.plc_code))


class ArgumentError(S7Error, ValueError):
    """S7P_E_INVALID_ARG: an argument (or a value for a tag) out of its range."""


class NoMemoryError(S7Error, MemoryError):
    """S7P_E_NOMEM."""


class StateError(S7Error):
    """S7P_E_STATE: not connected (or already), or a faulted subscription."""


class S7ConnectionError(S7Error, ConnectionError):
    """The network failed: base of ResolveError, ConnectError, ClosedError, SocketError and
    the TLS errors."""


class ResolveError(S7ConnectionError):
    """S7P_E_RESOLVE: the host name does not resolve."""


class ConnectError(S7ConnectionError):
    """S7P_E_CONNECT: TCP or COTP connection refused or unreachable."""


class ClosedError(S7ConnectionError):
    """S7P_E_CLOSED: the PLC closed the connection."""


class SocketError(S7ConnectionError):
    """S7P_E_IO: an operating-system I/O error (sys_errno)."""


class TLSError(S7ConnectionError):
    """S7P_E_TLS: TLS handshake or record failure (tls_err)."""


class TLSVerifyError(TLSError):
    """S7P_E_TLS_VERIFY: the PLC certificate did not verify."""


class CertificateChangedError(TLSError):
    """S7P_E_CERT_CHANGED: trust on first use found another certificate."""


class S7TimeoutError(S7Error, TimeoutError):
    """S7P_E_TIMEOUT: a deadline passed before the PLC answered."""


class ProtocolError(S7Error):
    """S7P_E_PROTOCOL: the peer broke the protocol."""


class IntegrityError(ProtocolError):
    """S7P_E_INTEGRITY: a legacy-security frame failed its integrity check."""


class UnsupportedError(S7Error):
    """S7P_E_UNSUPPORTED: a feature this build or the PLC does not support."""


class AuthError(S7Error, PermissionError):
    """S7P_E_AUTH: the PLC refused the password (or user)."""


class PLCError(S7Error):
    """S7P_E_PLC: the PLC answered with an error (plc_code, plc_code_name)."""


class NotFoundError(S7Error, LookupError):
    """S7P_E_NOT_FOUND: no such symbol, object or attribute."""


class TooSmallError(S7Error):
    """S7P_E_TOO_SMALL."""


class LimitError(S7Error):
    """S7P_E_LIMIT: a size, count or nesting limit (e.g. no free subscription)."""


class WriteDisabledError(S7Error, PermissionError):
    """S7P_E_WRITE_DISABLED: a write on a client made without allow_write (nothing sent)."""


class ConfigError(S7Error):
    """S7P_E_CONFIG: the local configuration does not fit the PLC (TSAP, files, mode)."""


class NotSentError(S7Error):
    """S7P_E_NOT_SENT: a batch item not sent because an earlier request failed."""


class ProgramChangedError(S7Error):
    """S7P_E_PROGRAM_CHANGED: the PLC's program changed since the tag was resolved."""


class RequestCancelledError(S7Error):
    """S7P_E_CANCELLED: the request was cancelled."""


_BY_CODE: Dict[int, Type[S7Error]] = {
    Status.INVALID_ARG: ArgumentError, Status.NOMEM: NoMemoryError, Status.STATE: StateError,
    Status.RESOLVE: ResolveError, Status.CONNECT: ConnectError,
    Status.TIMEOUT: S7TimeoutError, Status.CLOSED: ClosedError, Status.IO: SocketError,
    Status.TLS: TLSError, Status.TLS_VERIFY: TLSVerifyError, Status.PROTOCOL: ProtocolError,
    Status.UNSUPPORTED: UnsupportedError, Status.AUTH: AuthError, Status.PLC: PLCError,
    Status.NOT_FOUND: NotFoundError, Status.TOO_SMALL: TooSmallError,
    Status.LIMIT: LimitError, Status.WRITE_DISABLED: WriteDisabledError,
    Status.CONFIG: ConfigError, Status.CERT_CHANGED: CertificateChangedError,
    Status.NOT_SENT: NotSentError, Status.PROGRAM_CHANGED: ProgramChangedError,
    Status.CANCELLED: RequestCancelledError, Status.INTEGRITY: IntegrityError,
}


def error_class(code: int) -> Type[S7Error]:
    """The exception class of a status code."""
    return _BY_CODE.get(code, S7Error)


def from_c(err, code: Optional[int] = None, **extra) -> S7Error:
    """An exception from a filled ``s7p_error *`` (``code`` overrides err.code, for calls
    that fail without filling it)."""
    c = int(err.code)
    if c == 0:  # the call failed without filling err (e.g. a NULL argument)
        c = int(code or 0)
        return error_class(c)(c, **extra)
    return error_class(c)(
        c, text(err.message), op=text(err.op), endpoint=text(err.endpoint),
        plc_return=int(err.plc_return), plc_code=int(err.plc_code),
        sys_errno=int(err.sys_errno), tls_err=int(err.tls_err),
        transient=bool(err.transient), **extra)


def check(st: int, err) -> None:
    """Raises the exception of a failed call (``err`` is its ``s7p_error *``)."""
    if st != 0:
        raise from_c(err, st)


def item_error(res, symbol: Optional[str], index: int, endpoint: str = "") -> S7Error:
    """An exception for one failed item of a batch (an ``s7p_item_result``)."""
    code = int(res.code)
    msg = text(lib.s7p_strerror(code))
    if code == Status.PLC:
        name = lib.s7p_plc_code_name(res.plc_code)
        msg = "the PLC refused the item: " + (text(name) + ": " if name != ffi.NULL else "") \
            + text(lib.s7p_plc_code_text(res.plc_code))
    return error_class(code)(code, msg, op="item", endpoint=endpoint,
                             plc_return=int(res.plc_return), plc_code=int(res.plc_code),
                             symbol=symbol, index=index)
