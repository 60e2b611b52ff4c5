"""The scan caches' figures and clean-up.

The caches themselves: ``scanapp.pipes.scan_cache`` (a file's values) and
``scanapp.pipes.match_cache`` (the license rule ranking of a query run).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import MatchCacheEntry, ScanCacheCounter, ScanCacheEntry, utcnow
from scanapp.pipes import match_cache


def cache_stats() -> dict:
    """Return the scan cache's entries, size of their values in bytes, hits and misses.

    A miss is a file looked up and not found (then scanned). ``match_entries``,
    ``match_hits`` and ``match_misses`` are the license-match cache's: query runs whose rule
    ranking was stored, taken from it, or computed. Counts restart at a full clear.
    """
    statement = sa.select(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(ScanCacheEntry.size), 0),
        sa.func.coalesce(sa.func.sum(ScanCacheEntry.hits), 0),
    )
    with session_scope() as session:
        entries, size, hits = session.execute(statement).one()
        matches = session.execute(sa.select(sa.func.count()).select_from(MatchCacheEntry))
        counters = dict(
            session.execute(sa.select(ScanCacheCounter.name, ScanCacheCounter.value)).all()
        )
    return {"entries": entries, "size": int(size), "hits": int(hits),
            "misses": counters.get("misses", 0), "match_entries": matches.scalar_one(),
            "match_hits": counters.get(match_cache.HITS, 0),
            "match_misses": counters.get(match_cache.MISSES, 0)}


def clear_cache(older_than_days: int | None = None) -> tuple[int, int]:
    """Delete the entries (only those unused for ``older_than_days`` days).

    Return how many scan cache entries and license-match entries were deleted.
    """
    removed = []
    with session_scope() as session:
        for model in (ScanCacheEntry, MatchCacheEntry):
            statement = sa.delete(model)
            if older_than_days is not None:
                cutoff = utcnow() - timedelta(days=older_than_days)
                statement = statement.where(model.last_used_date < cutoff)
            removed.append(session.execute(statement).rowcount)
        if older_than_days is None:
            session.execute(sa.delete(ScanCacheCounter))
    return removed[0], removed[1]
