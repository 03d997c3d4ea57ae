# SPDX-License-Identifier: MIT
"""The C callbacks of the binding. Each C ``ctx`` is a cffi handle of a Python callable,
kept alive by the object that registered it; cffi takes the GIL for every call, so they are
safe on the library's threads (I/O thread, heartbeat) too."""
import sys
import traceback

from ._ffi import ffi


def _report(exc_type, exc, tb) -> None:
    # An exception must not unwind into C: print it like an unraisable exception.
    sys.stderr.write("s7plus: exception in a callback:\n")
    traceback.print_exception(exc_type, exc, tb)


@ffi.def_extern(onerror=_report)
def _s7py_log(ctx, level, layer, msg):
    ffi.from_handle(ctx)(level, layer, msg)


@ffi.def_extern(onerror=_report)
def _s7py_browse(ctx, item):
    return bool(ffi.from_handle(ctx)(item))


@ffi.def_extern(onerror=_report)
def _s7py_done(ctx, rid, st, err):
    ffi.from_handle(ctx)(rid, st, err)


@ffi.def_extern(onerror=_report)
def _s7py_sub(ctx, sub, n):
    ffi.from_handle(ctx)(n)
