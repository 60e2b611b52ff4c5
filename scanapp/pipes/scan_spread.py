"""One project's file scan spread over every worker: chunks claimed by whoever is idle.

The run's own job splits the files to scan into chunks (``scanapp.pipes.scan_chunks``),
announces each chunk to the other workers through the queue (a ``ChunkQueue``: the layer
that knows the queue gives it), then scans chunks itself until none is pending, so no
worker waits idle. It then waits for the chunks other workers hold, puts back the chunks
whose worker stopped beating (scanned again by whoever is free, this job included), and
returns the counts of every chunk once all are done; a failed chunk fails the step with a
message, a canceled one (the run was stopped) ends it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from scanapp import lifecycle
from scanapp.db import session_scope
from scanapp.models import CodebaseResource, ScanChunk
from scanapp.pipes import chunked, scan_cache, scan_chunks
from scanapp.pipes.scancode import (
    FLUSH_SIZE,
    FileScanner,
    ScanOptions,
    ScanStats,
    Writer,
    iter_to_scan,
)

#: The counts of ``ScanStats`` summed over the chunks.
COUNTERS = tuple(item.name for item in dataclasses.fields(ScanStats) if item.type == "int")

#: The most bytes a file's size counts for in its estimated cost.
COST_CAP = 64 * 1024

#: Seconds between the run job's looks at the chunks others hold.
POLL_SECONDS = 0.2


class ChunkQueue(Protocol):
    """How a spread scan reaches the other workers."""

    #: This job's worker and job id, recorded on the chunks it scans.
    worker_name: str
    job_id: str

    def send(self, chunk: ScanChunk) -> None:
        """Announce a pending chunk to the workers."""

    def withdraw(self, chunk: ScanChunk) -> None:
        """Take back the announcement of a chunk claimed here."""

    def gone(self, worker_name: str) -> bool:
        """Tell whether a worker is no longer registered."""


@dataclasses.dataclass(frozen=True)
class Spread:
    """How to spread a scan: the queue, the chunk size, the heartbeat interval and TTL."""

    queue: ChunkQueue
    chunk_size: int
    heartbeat_interval: float = 10
    heartbeat_ttl: float = 60
    #: The fewest chunks the files to scan are cut in (as many as files when fewer).
    min_chunks: int = scan_chunks.MIN_BATCHES


class ChunkFailed(Exception):
    """A chunk of the scan failed on its worker."""


def scan_chunk(
    chunk: ScanChunk, scanner: FileScanner, heartbeat_interval: float,
    progress: Callable[[], None] | None = None,
) -> ScanStats:
    """Scan a claimed chunk's files that have no status yet; return its counts.

    Raise ``ChunkLost`` as soon as a progress report finds the chunk canceled or given away.
    """
    def report(done: int, cached: int) -> None:
        scan_chunks.report(chunk, done, cached)
        if progress is not None:
            progress()

    writer = Writer(chunk.project_id, chunk.model, report)
    where = (CodebaseResource.id.in_(chunk.resource_ids),)
    beating = lifecycle.Beating(lambda: scan_chunks.beat(chunk), heartbeat_interval,
                                name=f"chunk-{chunk.id}")
    with beating:
        scanner.scan(iter_to_scan(chunk.project_id, scanner.options, where), writer)
    writer.stats.scanned = writer.done
    return writer.stats


def scan_spread(
    project_id: int,
    run_id: int,
    codebase: Path,
    options: ScanOptions,
    spread: Spread,
    *,
    model: str,
    progress: Callable[[int, int, int], None],
    log: Callable[[str], None],
) -> ScanStats:
    """Scan the project's files with no status in chunks any worker may take; return counts.

    ``progress`` gets (done, total, cached) across every chunk.
    """
    batches = scan_chunks.batches_by_cost(
        estimated_costs(project_id, codebase, options), spread.chunk_size, spread.min_chunks)
    chunks = scan_chunks.plan(run_id, project_id, model, options, batches)
    for chunk in chunks:
        _announce(spread.queue, chunk, log)
    log(f"Scanning {sum(chunk.files for chunk in chunks)} files in {len(chunks)} chunks "
        f"of at most {spread.chunk_size}")

    def report_totals() -> None:
        progress(*scan_chunks.totals(run_id, model))

    queue = spread.queue
    with FileScanner(codebase, options) as scanner:
        while True:
            chunk = _claim_next(run_id, model, queue.worker_name, queue.job_id, queue.withdraw)
            if chunk is not None:
                stats = scan_chunk(chunk, scanner, spread.heartbeat_interval, report_totals)
                scan_chunks.finish(chunk, dataclasses.asdict(stats))
                continue
            found = scan_chunks.chunks_of(run_id, model)
            _raise_for_ended(found, project_id, model)
            if all(item.status == scan_chunks.DONE for item in found):
                break
            for lost in scan_chunks.release_lost(
                run_id, model, spread.heartbeat_ttl, queue.gone,
                grace=3 * spread.heartbeat_interval,
            ):
                log(f"Chunk {lost.seq} lost its worker: queued again (attempt {lost.attempt})")
                _announce(queue, lost, log)
            report_totals()
            time.sleep(POLL_SECONDS)
    report_totals()
    _log_workers(found, log)
    return merge_stats(found)


def estimated_costs(project_id: int, codebase: Path, options: ScanOptions) -> list[tuple]:
    """Return (id, cost) of the files to scan: their size, 0 when the scan cache has them.

    Files are hashed and looked up as the scan will (in batches of one query each). A size
    counts up to ``COST_CAP`` bytes: a large file is most often an archive or another binary,
    detected in its strings, and a large text costs less than its size says (its long runs
    of code are ranked once each).
    """
    costs = []
    for batch in chunked(iter_to_scan(project_id, options), FLUSH_SIZE):
        keys = {resource_id: options.file_key(str(codebase / path), path)
                for resource_id, path, size in batch if (size or 0) <= options.max_file_size}
        found = scan_cache.lookup(key for key in keys.values() if key)
        costs.extend((resource_id, 0 if keys.get(resource_id) in found
                      else min(max(size or 0, 1), COST_CAP))
                     for resource_id, _, size in batch)
    return costs


def _raise_for_ended(found: list[ScanChunk], project_id: int, model: str) -> None:
    failed = [item for item in found if item.status == scan_chunks.FAILED]
    if failed:
        chunk = failed[0]
        description = (f"Scan chunk {chunk.seq} ({chunk.files} files) failed on worker "
                       f"{chunk.worker_name or '?'}: {chunk.error}")
        lifecycle.add_message(project_id, description, model=model,
                              details={"chunk": chunk.seq, "worker_name": chunk.worker_name,
                                       "error": chunk.error})
        raise ChunkFailed(description)
    if any(item.status == scan_chunks.CANCELED for item in found):
        raise scan_chunks.ChunkLost("the scan's chunks were canceled: the run was stopped")


def _announce(queue: ChunkQueue, chunk: ScanChunk, log: Callable[[str], None]) -> None:
    try:
        queue.send(chunk)
    except Exception as error:  # noqa: BLE001 - this job scans the chunk itself then
        log(f"Chunk {chunk.seq} not announced to other workers: {error}")


def _claim_next(run_id: int, model: str, worker_name: str, job_id: str,
                withdraw: Callable[[ScanChunk], None] | None) -> ScanChunk | None:
    """Claim the next pending chunk of a run's step and take back its announcement."""
    chunk = scan_chunks.claim_next(run_id, model, worker_name, job_id)
    if chunk is not None and withdraw is not None:
        try:
            withdraw(chunk)
        except Exception:  # noqa: BLE001, S110 - a left announcement finds the chunk taken
            pass
    return chunk


def _log_workers(found: list[ScanChunk], log: Callable[[str], None]) -> None:
    by_worker: dict[str, list[int]] = {}
    for chunk in found:
        by_worker.setdefault(chunk.worker_name or "?", []).append(chunk.files)
    parts = [f"{name} {len(files)} chunk(s), {sum(files)} files"
             for name, files in sorted(by_worker.items())]
    log(f"Chunks scanned by {len(by_worker)} worker(s): " + "; ".join(parts))


def merge_stats(found: list[ScanChunk]) -> ScanStats:
    """Return the sum of the chunks' counts."""
    total = ScanStats()
    for chunk in found:
        stats = chunk.stats or {}
        for counter in COUNTERS:
            setattr(total, counter, getattr(total, counter) + stats.get(counter, 0))
        for status, count in (stats.get("statuses") or {}).items():
            total.statuses[status] = total.statuses.get(status, 0) + count
    return total


def execute_chunk(
    chunk_id: int, attempt: int, *, worker_name: str, job_id: str, codebase: Path,
    processes: int, heartbeat_interval: float,
    withdraw: Callable[[ScanChunk], None] | None = None,
) -> str:
    """Claim and scan one chunk announced to this worker, then any still pending of its step.

    Return "taken" when it was no longer pending (scanned by the run's job, or canceled),
    "lost" when a chunk was canceled or given away while scanning, "done" once none is left
    to claim. The chunks claimed after the first are scanned with the same scan processes
    (no new fork; what they ranked stays in memory), and ``withdraw`` takes back their
    announcements. Any other error marks the chunk failed (the run fails with it) and is
    raised.
    """
    chunk = scan_chunks.claim(chunk_id, attempt, worker_name, job_id)
    if chunk is None:
        return "taken"
    with contextlib.ExitStack() as stack:
        scanner = None
        while chunk is not None:
            try:
                if scanner is None:
                    stored = dict(chunk.options)
                    options = ScanOptions(**{**stored, "scanners": tuple(stored["scanners"])},
                                          processes=processes)
                    scanner = stack.enter_context(FileScanner(codebase, options))
                stats = scan_chunk(chunk, scanner, heartbeat_interval)
            except scan_chunks.ChunkLost:
                return _lost(chunk)
            except Exception as error:
                scan_chunks.fail(chunk, f"{type(error).__name__}: {error}")
                raise
            if not scan_chunks.finish(chunk, dataclasses.asdict(stats)):
                return _lost(chunk)
            chunk = _claim_next(chunk.run_id, chunk.model, worker_name, job_id, withdraw)
    return "done"


def _lost(chunk: ScanChunk) -> str:
    """Make the project's stored counts stale: this job may have written after its run ended."""
    with session_scope() as session:
        lifecycle.invalidate_counts(session, chunk.project_id)
    return "lost"
