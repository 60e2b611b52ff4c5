"""What ``/metrics`` reports about the stored state: runs by status, queue, scan throughput.

Read from the database and Redis at each scrape, so every web worker reports the same.
"""

from __future__ import annotations

from redis.exceptions import RedisError
from sqlmodel import func, select

from scanapp import queue
from scanapp.db import session_scope
from scanapp.models import Run, RunStatus


def runs_by_status() -> dict[str, int]:
    """Return how many runs there are in each status (every status named)."""
    with session_scope() as session:
        rows = session.exec(select(Run.status, func.count()).group_by(Run.status)).all()
    counts = dict.fromkeys(RunStatus.ALL, 0)
    counts.update({status: count for status, count in rows})
    return counts


def queued_jobs() -> int | None:
    """Return the length of the runs queue, None when Redis does not answer."""
    try:
        return queue.get_queue().count
    except RedisError:
        return None


def scan_rate() -> float:
    """Return the files scanned per second, summed over the running runs."""
    with session_scope() as session:
        progress = session.exec(
            select(Run.progress).where(Run.status == RunStatus.RUNNING)
        ).all()
    return round(sum(float((item or {}).get("rate") or 0) for item in progress), 2)
