"""The chunks of a spread scan: sets of a run's files, claimed and scanned by any worker.

A chunk row is the record; an RQ job only tells an idle worker that a chunk may be waiting.
A chunk is claimed by one atomic update (pending -> running, with the claimer's worker name
and job id), so whoever comes first scans it and a second claimer finds nothing to do. A
chunk scans those of its files that have no status yet: scanning it again (after its worker
died) scans only what was not written. Chunks are of about equal cost, the costliest first
(``batches_by_cost``), so that the last chunks are short and no worker waits long for another
at the end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import ScanChunk, age_seconds, utcnow

PENDING, RUNNING, DONE, FAILED, CANCELED = "pending", "running", "done", "failed", "canceled"
#: The statuses of a chunk that will still change.
OPEN = (PENDING, RUNNING)
#: ScanOptions fields stored on a chunk (``processes`` is each worker's own).
OPTION_FIELDS = ("scanners", "timeout", "max_file_size", "manifests_only", "keep_status", "cache")


class ChunkLost(Exception):
    """The chunk is no longer this claimer's: canceled, or given to another worker."""


def ticket_id(chunk: ScanChunk) -> str:
    """Return the id of the RQ job that announces this attempt of a chunk."""
    return f"scanchunk-{chunk.id}-{chunk.attempt}"


def store_options(options) -> dict:
    """Return the scan options a chunk keeps (JSON)."""
    values = dataclasses.asdict(options)
    return {name: values[name] for name in OPTION_FIELDS}


def plan(
    run_id: int, project_id: int, model: str, options, batches: Iterable[list[int]]
) -> list[ScanChunk]:
    """Replace the run's open chunks of this step by one chunk per batch of file ids.

    Chunks of an earlier execution of the same run (re-queued after its worker died) that
    did not end are dropped first.
    """
    stored = store_options(options)
    with session_scope() as session:
        session.execute(sa.delete(ScanChunk).where(
            ScanChunk.run_id == run_id, ScanChunk.model == model, ScanChunk.status.in_(OPEN)
        ))
        seq = session.execute(
            select(sa.func.count()).select_from(ScanChunk).where(
                ScanChunk.run_id == run_id, ScanChunk.model == model)
        ).scalar_one()
        chunks = [
            ScanChunk(run_id=run_id, project_id=project_id, model=model, seq=seq + number,
                      resource_ids=list(batch), files=len(batch), options=stored)
            for number, batch in enumerate(batches, start=1)
        ]
        session.add_all(chunks)
        session.flush()
        for chunk in chunks:
            session.refresh(chunk)
            session.expunge(chunk)
    return chunks


#: The fewest chunks a spread scan of that many files or more is cut in.
MIN_BATCHES = 8


def batches_by_cost(
    files: Iterable[tuple[int, int]], size: int, min_batches: int = MIN_BATCHES
) -> list[list[int]]:
    """Group (id, cost) files into batches of about equal cost, the costliest first.

    There are as many batches as ``size`` files each would make, of at most ``size`` files,
    and at least ``min_batches`` (as many as files when fewer), so that a few files left to
    scan (a new release of a scanned product) are still shared by several workers; a file
    costing more than a batch's share is a batch of its own, so the slowest files start first
    and the last batches are short. Files of no cost (in the scan cache) come last, ten times
    ``size`` to a batch.
    """
    ordered = sorted(files, key=lambda item: (-item[1], item[0]))
    costly = [item for item in ordered if item[1] > 0]
    free = [resource_id for resource_id, cost in ordered if cost <= 0]
    count = max(-(-len(costly) // size), min(len(costly), min_batches))
    share = sum(cost for _, cost in costly) / max(1, count)
    batches, batch, batch_cost = [], [], 0
    for resource_id, cost in costly:
        batch.append(resource_id)
        batch_cost += cost
        if len(batch) == size or batch_cost >= share:
            batches.append(batch)
            batch, batch_cost = [], 0
    if batch:
        batches.append(batch)
    step = size * 10
    batches.extend(free[start:start + step] for start in range(0, len(free), step))
    return batches


def claim(chunk_id: int, attempt: int, worker_name: str, job_id: str) -> ScanChunk | None:
    """Take this attempt of a pending chunk for a worker; None when it is not pending."""
    now = utcnow()
    with session_scope() as session:
        claimed = session.execute(
            sa.update(ScanChunk)
            .where(ScanChunk.id == chunk_id, ScanChunk.attempt == attempt,
                   ScanChunk.status == PENDING)
            .values(status=RUNNING, worker_name=worker_name, job_id=job_id, start_date=now,
                    heartbeat=now, done=0, cached=0)
        ).rowcount
        return _detached(session, chunk_id) if claimed == 1 else None


def claim_next(run_id: int, model: str, worker_name: str, job_id: str) -> ScanChunk | None:
    """Take the first pending chunk of the run's step; None when none is left."""
    while True:
        with session_scope() as session:
            found = session.execute(
                select(ScanChunk.id, ScanChunk.attempt)
                .where(ScanChunk.run_id == run_id, ScanChunk.model == model,
                       ScanChunk.status == PENDING)
                .order_by(ScanChunk.seq).limit(1)
            ).first()
        if found is None:
            return None
        chunk = claim(found[0], found[1], worker_name, job_id)
        if chunk is not None:
            return chunk


def _detached(session, chunk_id: int) -> ScanChunk:
    chunk = session.get(ScanChunk, chunk_id)
    session.refresh(chunk)
    session.expunge(chunk)
    return chunk


def _owned(chunk: ScanChunk):
    return (ScanChunk.id == chunk.id, ScanChunk.attempt == chunk.attempt,
            ScanChunk.status == RUNNING)


def report(chunk: ScanChunk, done: int, cached: int) -> None:
    """Record a running chunk's progress and heartbeat; raise ChunkLost when not ours."""
    with session_scope() as session:
        updated = session.execute(
            sa.update(ScanChunk).where(*_owned(chunk))
            .values(done=done, cached=cached, heartbeat=utcnow())
        ).rowcount
    if updated != 1:
        raise ChunkLost(f"chunk {chunk.seq} of run {chunk.run_id} is no longer ours")


def beat(chunk: ScanChunk) -> None:
    """Refresh a running chunk's heartbeat (from a thread: never raises ChunkLost)."""
    with session_scope() as session:
        session.execute(sa.update(ScanChunk).where(*_owned(chunk)).values(heartbeat=utcnow()))


def finish(chunk: ScanChunk, stats: dict) -> bool:
    """Mark a running chunk done with its stats; False when it was not ours any more."""
    with session_scope() as session:
        return session.execute(
            sa.update(ScanChunk).where(*_owned(chunk))
            .values(status=DONE, stats=stats, done=stats.get("scanned", 0),
                    cached=stats.get("cached", 0), end_date=utcnow(), heartbeat=utcnow())
        ).rowcount == 1


def fail(chunk: ScanChunk, error: str) -> None:
    """Mark a running chunk failed with the error that ended it."""
    with session_scope() as session:
        session.execute(
            sa.update(ScanChunk).where(*_owned(chunk))
            .values(status=FAILED, error=error, end_date=utcnow())
        )


def chunks_of(run_id: int, model: str | None = None) -> list[ScanChunk]:
    """Return the run's chunks (of one step when ``model`` is given), by step and seq."""
    statement = select(ScanChunk).where(ScanChunk.run_id == run_id)
    if model is not None:
        statement = statement.where(ScanChunk.model == model)
    with session_scope() as session:
        found = list(session.exec(statement.order_by(ScanChunk.id)).all())
        for chunk in found:
            session.expunge(chunk)
    return found


def totals(run_id: int, model: str) -> tuple[int, int, int]:
    """Return (done, total, cached) files across the run's chunks of this step."""
    statement = select(
        sa.func.coalesce(sa.func.sum(ScanChunk.done), 0),
        sa.func.coalesce(sa.func.sum(ScanChunk.files), 0),
        sa.func.coalesce(sa.func.sum(ScanChunk.cached), 0),
    ).where(ScanChunk.run_id == run_id, ScanChunk.model == model,
            ScanChunk.status != CANCELED)
    with session_scope() as session:
        done, total, cached = session.execute(statement).one()
    return int(done), int(total), int(cached)


def release_lost(
    run_id: int, model: str, ttl: float, gone: Callable[[str], bool], grace: float
) -> list[ScanChunk]:
    """Put back to pending the running chunks whose worker stopped beating; return them.

    A chunk is lost when its heartbeat is older than ``ttl`` seconds, or older than
    ``grace`` seconds while ``gone(worker_name)`` says its worker is no longer registered.
    """
    released = []
    for chunk in chunks_of(run_id, model):
        if chunk.status != RUNNING:
            continue
        age = age_seconds(chunk.heartbeat or chunk.start_date) or 0.0
        if age <= grace or (age <= ttl and not gone(chunk.worker_name)):
            continue
        with session_scope() as session:
            moved = session.execute(
                sa.update(ScanChunk).where(*_owned(chunk))
                .values(status=PENDING, attempt=chunk.attempt + 1, worker_name="", job_id="")
            ).rowcount
            if moved == 1:
                released.append(_detached(session, chunk.id))
    return released


def cancel(run_id: int) -> list[ScanChunk]:
    """Cancel every open chunk of a run; return them as they were (for their jobs)."""
    found = [chunk for chunk in chunks_of(run_id) if chunk.status in OPEN]
    if found:
        with session_scope() as session:
            session.execute(
                sa.update(ScanChunk)
                .where(ScanChunk.run_id == run_id, ScanChunk.status.in_(OPEN))
                .values(status=CANCELED, end_date=utcnow())
            )
    return found

