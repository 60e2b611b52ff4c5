"""Spread scans: the queue side of ``scanapp.pipes.scan_spread``, and the chunk jobs' work."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from scanapp import queue
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import Project, Run, ScanChunk
from scanapp.pipes import scan_chunks, scan_spread
from scanapp.workdir import workdir_for

log = logging.getLogger("scanapp.worker")


class RunChunkQueue:
    """Announce a run's chunks as RQ jobs on the run queue (``scan_spread.ChunkQueue``)."""

    def __init__(self, run_uuid: str, worker_name: str):
        """Queue the chunks of the run executed by the job ``run_uuid`` on ``worker_name``."""
        self.job_id, self.worker_name = run_uuid, worker_name

    def send(self, chunk: ScanChunk) -> None:  # noqa: D102 - see ChunkQueue
        queue.enqueue_chunk(chunk.id, chunk.attempt, scan_chunks.ticket_id(chunk))

    def withdraw(self, chunk: ScanChunk) -> None:  # noqa: D102
        queue.remove_job(scan_chunks.ticket_id(chunk))

    def gone(self, worker_name: str) -> bool:  # noqa: D102
        return bool(worker_name) and not queue.worker_registered(worker_name)


def execute_chunk(chunk_id: int, attempt: int, worker_name: str, job_id: str) -> str:
    """Scan one announced chunk in this worker (``scan_spread.execute_chunk``)."""
    settings = get_settings()
    with session_scope() as session:
        chunk = session.get(ScanChunk, chunk_id)
        project = session.get(Project, chunk.project_id) if chunk is not None else None
    if chunk is None or project is None:
        return "gone"
    outcome = scan_spread.execute_chunk(
        chunk_id, attempt, worker_name=worker_name, job_id=job_id,
        codebase=workdir_for(project.slug).codebase, processes=settings.processes,
        heartbeat_interval=settings.run_heartbeat_interval,
        withdraw=RunChunkQueue(job_id, worker_name).withdraw,
    )
    log.info("Scan chunk %s (%s files) of project %s, then the chunks left: %s", chunk.seq,
             chunk.files, project.name, outcome)
    return outcome


def cancel_chunks(run: Run) -> int:
    """Cancel a run's open chunks: unannounce the pending, stop the running; return how many."""
    found = scan_chunks.cancel(run.id)
    for chunk in found:
        try:
            if chunk.status == scan_chunks.PENDING:
                queue.remove_job(scan_chunks.ticket_id(chunk))
            elif chunk.job_id and chunk.job_id != run.uuid:
                queue.stop_job(chunk.job_id)
        except RedisError as error:  # the chunk's job finds it canceled at its next report
            log.warning("Chunk %s of run %s: %s", chunk.seq, run.uuid, error)
    return len(found)
