"""Write large JSON documents piece by piece (one list item at a time)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

#: Bytes gathered into one piece of a streamed response.
PIECE_SIZE = 64 * 1024


def dumps(value) -> bytes:
    """Return ``value`` as compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, default=str).encode()


def write_fields(target: BinaryIO, fields: dict, *, first: bool) -> None:
    """Write ``"key": value`` members of an open object (``first``: no leading comma)."""
    for key, value in fields.items():
        target.write(b"\n  " if first else b",\n  ")
        target.write(dumps(key) + b": " + dumps(value))
        first = False


def write_list(target: BinaryIO, key: str, items: Iterable, *, first: bool = False) -> None:
    """Write ``"key": [...]`` into an open object, one item at a time."""
    for piece in iter_list(key, items, first=first):
        target.write(piece)


def iter_list(key: str, items: Iterable, *, first: bool = False) -> Iterator[bytes]:
    """Yield the bytes of ``"key": [...]`` in an open object, one item at a time."""
    yield (b"\n  " if first else b",\n  ") + dumps(key) + b": ["
    empty = True
    for item in items:
        yield (b"\n    " if empty else b",\n    ") + dumps(item)
        empty = False
    yield b"]" if empty else b"\n  ]"


def pieces(parts: Iterable[bytes], size: int = PIECE_SIZE) -> Iterator[bytes]:
    """Yield ``parts`` joined into pieces of about ``size`` bytes (for a streamed response)."""
    gathered, length = [], 0
    for part in parts:
        gathered.append(part)
        length += len(part)
        if length >= size:
            yield b"".join(gathered)
            gathered, length = [], 0
    if gathered:
        yield b"".join(gathered)
