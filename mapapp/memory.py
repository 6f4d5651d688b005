"""Giving freed memory back to the system after a large import, so a long-running app's server
does not keep the peak of its largest upload."""

import contextlib
import ctypes
import ctypes.util
import functools


@functools.lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None elsewhere (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(name).malloc_trim
    return None


def release():
    """Return memory that is free but still held by the allocators: pyarrow's pool, and the C
    heap (freed Python objects of a plan)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
