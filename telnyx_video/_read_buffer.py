"""Keep asyncio's socket reads off fresh memory mappings (glibc's malloc).

asyncio's selector transport reads with ``recv(256 KiB)``. glibc serves a block that large
with a fresh ``mmap`` until its adaptive mmap threshold (128 KiB at first) has moved above
it, which happens the first time the process frees a mapped block larger than the
threshold. Until then every read of every response costs an ``mmap``, two page faults, an
``mremap`` (the bytes object shrunk to what arrived) and an ``munmap``: 13-28 us of CPU on a
220 us ``retrieve`` on the benchmark machine. Whether a process has moved the threshold
already is the luck of its allocation history (see docs/performance.md).

`raise_mmap_threshold()` takes the luck out: it frees one 512 KiB block, which moves the
threshold above asyncio's read size (and glibc's heap-trim threshold to twice that) the way
any such free would. No ``mallopt``: glibc goes on adapting as it always does, and other
allocators ignore the block like any other.
"""

from __future__ import annotations

from typing import Final

__all__ = ["raise_mmap_threshold"]

#: Larger than asyncio's 256 KiB read, with room for the bytes object's header.
_BLOCK: Final = 512 * 1024


def raise_mmap_threshold() -> None:
    """Allocate and free one block above asyncio's read size (once per process will do)."""
    block = bytearray(_BLOCK)
    del block
