"""Write large JSON documents piece by piece (one list item at a time)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO


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
    target.write(b"\n  " if first else b",\n  ")
    target.write(dumps(key) + b": [")
    empty = True
    for item in items:
        target.write(b"\n    " if empty else b",\n    ")
        target.write(dumps(item))
        empty = False
    target.write(b"]" if empty else b"\n  ]")
