"""The scan cache's figures and clean-up (the cache itself: ``scanapp.pipes.scan_cache``)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import ScanCacheCounter, ScanCacheEntry, utcnow


def cache_stats() -> dict:
    """Return the cache's entries, the total size of their values in bytes, hits and misses.

    A miss is a file looked up and not found (then scanned); the count restarts at a full clear.
    """
    statement = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(ScanCacheEntry.size), 0),
        sa.func.coalesce(sa.func.sum(ScanCacheEntry.hits), 0),
    )
    with session_scope() as session:
        entries, size, hits = session.execute(statement).one()
        misses = session.get(ScanCacheCounter, "misses")
    return {"entries": entries, "size": int(size), "hits": int(hits),
            "misses": misses.value if misses else 0}


def clear_cache(older_than_days: int | None = None) -> int:
    """Delete the entries (only those unused for ``older_than_days`` days); return how many."""
    statement = sa.delete(ScanCacheEntry)
    if older_than_days is not None:
        cutoff = utcnow() - timedelta(days=older_than_days)
        statement = statement.where(ScanCacheEntry.last_used_date < cutoff)
    with session_scope() as session:
        if older_than_days is None:
            session.execute(sa.delete(ScanCacheCounter))
        return session.execute(statement).rowcount
