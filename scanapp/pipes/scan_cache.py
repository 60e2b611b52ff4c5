"""The content-addressed scan cache: a file's per-file scan values stored under a key.

The key is the SHA-256 of the file's content hash, its file name (package handlers match by
name), the sorted scanners, the limits that change the values and the scancode-toolkit
version: the same file scanned the same way in any project gives the same values. The
timeout and the size limit are not in the key: a result with errors (a timeout) or a file
not scanned is never stored.

The values are path-free as ``scan_file`` returns them: the license matches' ``from_file``
is ``None`` there (the codebase-level pass, ``scanapp.pipes.postscan``, sets it) and no other
per-file value holds the file's path; ``storable`` refuses values that would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import select

from scanapp import toolkit_version
from scanapp.db import dialect_insert, session_scope
from scanapp.models import ScanCacheCounter, ScanCacheEntry, utcnow

#: Bump when what ``scan_file`` stores for the same scanners changes.
FORMAT = 1


def file_sha256(location: str) -> str:
    """Return the SHA-256 hex digest of a file, read in chunks.

    hashlib's ``file_digest`` streams; commoncode.hash reads the whole file in memory.
    """
    with open(location, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def cache_key(sha256: str, name: str, scanners: Iterable[str], limits: dict) -> str:
    """Return the cache key of a file's scan (SHA-256 hex)."""
    parts = {
        "format": FORMAT,
        "sha256": sha256,
        "name": name,
        "scanners": sorted(scanners),
        "limits": limits,
        "toolkit": toolkit_version(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def storable(values: dict, location: str) -> bool:
    """Return whether ``values`` may be cached: not empty and without the file's location."""
    return bool(values) and location not in json.dumps(values)


def lookup(keys: Iterable[str]) -> dict[str, dict]:
    """Return the cached values of the ``keys`` found, in one query."""
    keys = list(set(keys))
    if not keys:
        return {}
    statement = select(ScanCacheEntry.key, ScanCacheEntry.values).where(
        ScanCacheEntry.key.in_(keys)
    )
    with session_scope() as session:
        return dict(session.execute(statement).all())


def record(stored: dict[str, dict], hits: dict[str, int], misses: int = 0) -> None:
    """Store new entries (a key already there is left alone), count the hits and misses."""
    now = utcnow()
    with session_scope() as session:
        add_to_counters(session, {"misses": misses})
        if stored:
            rows = [
                {"key": key, "values": values, "size": len(json.dumps(values)),
                 "created_date": now, "last_used_date": now, "hits": 0}
                for key, values in stored.items()
            ]
            session.execute(_insert_ignoring_duplicates(session), rows)
        if hits:
            statement = (
                sa.update(ScanCacheEntry.__table__)
                .where(ScanCacheEntry.__table__.c.key == sa.bindparam("hit_key"))
                .values(hits=ScanCacheEntry.__table__.c.hits + sa.bindparam("count"),
                        last_used_date=now)
            )
            session.execute(
                statement, [{"hit_key": key, "count": count} for key, count in hits.items()]
            )


def add_to_counters(session, counts: dict[str, int]) -> None:
    """Add each count to its ``scancachecounter`` row (created at its first count)."""
    table = ScanCacheCounter.__table__
    statement = dialect_insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["name"], set_={"value": table.c.value + statement.excluded.value}
    )
    rows = [{"name": name, "value": value} for name, value in counts.items() if value]
    if rows:
        session.execute(statement, rows)


def _insert_ignoring_duplicates(session):
    """Return an INSERT that skips keys already stored (by another project or worker)."""
    return dialect_insert(session, ScanCacheEntry.__table__).on_conflict_do_nothing(
        index_elements=["key"])
