# SPDX-License-Identifier: MIT
"""The compiled cffi module: ``ffi`` (types, memory) and ``lib`` (the C functions)."""
from ._s7plus_cffi import ffi, lib  # noqa: F401  (built by s7plus_build.py)

__all__ = ["ffi", "lib", "text"]


def text(p) -> str:
    """A C string (``char *`` or ``char[]``) as str; "" for NULL."""
    if p == ffi.NULL:
        return ""
    return ffi.string(p).decode("utf-8", "replace")
