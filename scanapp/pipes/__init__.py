"""Reusable pipeline functions ("pipes"): fetch, extract, collect, scan, assemble, summarize.

Pipes know nothing of HTTP or the queue; they work on a project's work directory and rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice


def chunked(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
