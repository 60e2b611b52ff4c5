"""Reconcile runs with RQ jobs: a lost running run becomes stale, a lost queued run is re-queued.

Workers call :func:`reconcile` at start and every ``SCANAPP_WORKER_RECONCILE_INTERVAL``
seconds. A running run is stale when its RQ job ended without the run recording it (the work
horse died or was killed) or when its heartbeat (refreshed every
``SCANAPP_RUN_HEARTBEAT_INTERVAL`` by the process executing it) is older than
``SCANAPP_RUN_HEARTBEAT_TTL``, sooner when its RQ worker is no longer registered in Redis.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from redis import Redis
from sqlmodel import select

from scanapp import lifecycle, queue
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import Run, RunStatus, age_seconds
from scanapp.services.run_end import finish_run
from scanapp.services.scan_chunks import cancel_chunks

log = logging.getLogger(__name__)

LOCK_KEY = "scanapp:reconcile:lock"
#: Seconds a queued run's job must stay missing before the run is re-queued (enqueue race).
REQUEUE_GRACE = 1.0


@dataclass
class Report:
    """What one reconciliation did: uuids of the runs marked stale and re-queued."""

    stale: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    skipped: bool = False


def reconcile() -> Report:
    """Reconcile every running and queued run with Redis; one worker at a time."""
    connection = queue.get_redis()
    interval = get_settings().worker_reconcile_interval
    if not connection.set(LOCK_KEY, "1", nx=True, ex=max(interval, 10)):
        return Report(skipped=True)
    try:
        report = Report()
        for run in _runs(RunStatus.RUNNING):
            reason = stale_reason(run, connection)
            if reason and mark_stale(run, reason):
                report.stale.append(run.uuid)
        report.requeued = _requeue_lost(connection)
        return report
    finally:
        connection.delete(LOCK_KEY)


def _runs(status: str) -> list[Run]:
    with session_scope() as session:
        return list(session.exec(select(Run).where(Run.status == status).order_by(Run.id)).all())


def stale_reason(run: Run, connection: Redis) -> str:
    """Return why a running run is lost, or "" while it looks alive."""
    settings = get_settings()
    job = queue.fetch_job(run.uuid, connection)
    if job is not None:
        status = queue.job_status(job)
        if status in queue.ENDED_JOB_STATUSES:
            detail = queue.job_error(job)
            suffix = f": {detail}" if detail else ""
            return f"Its RQ job ended ({status}) without the run recording an outcome{suffix}."
    age = age_seconds(run.heartbeat or run.task_start_date)
    if age is None:
        return "It has no heartbeat and no start date."
    worker = run.worker_name
    gone = bool(worker) and not queue.worker_registered(worker, connection)
    if age > settings.run_heartbeat_ttl:
        where = f" from worker {worker}" if worker else ""
        extra = "; the worker is no longer registered in Redis" if gone else ""
        extra += "; its job no longer exists in Redis" if job is None and worker else ""
        return f"No heartbeat{where} for {age:.0f} seconds{extra}."
    if gone and age > 3 * settings.run_heartbeat_interval:
        return (
            f"Its worker {worker} is no longer registered in Redis "
            f"(no heartbeat for {age:.0f} seconds)."
        )
    return ""


def mark_stale(run: Run, reason: str) -> bool:
    """Mark a running run stale with a message saying why, stop its job, then finish the run.

    Return False (and change nothing) when the run is no longer running.
    """
    if not lifecycle.mark_stale(run, reason):
        return False
    log.warning("Pipeline %s run %s marked stale: %s", run.pipeline_name, run.uuid, reason)
    try:
        queue.stop_job(run.uuid)  # a hung horse must not write a late outcome
    except Exception:  # noqa: BLE001 - best effort; the outcome is discarded anyway
        log.debug("No stop command sent for %s", run.uuid)
    cancel_chunks(run)
    finish_run(run.id)
    return True


def _requeue_lost(connection: Redis) -> list[str]:
    """Re-queue queued runs whose job is missing; fail those whose job ended before starting."""
    candidates = [run.id for run in _runs(RunStatus.QUEUED) if _job_lost(run, connection)]
    if not candidates:
        return []
    time.sleep(REQUEUE_GRACE)  # a run is marked queued just before its job is sent
    requeued = []
    for run in _runs(RunStatus.QUEUED):
        if run.id in candidates and _job_lost(run, connection):
            queue.enqueue_run(run)
            lifecycle.append_log(run.id, "Re-queued: its job was missing from Redis")
            requeued.append(run.uuid)
    return requeued


def _job_lost(run: Run, connection: Redis) -> bool:
    """Return True when the job is missing; fail the run when its job ended unstarted."""
    job = queue.fetch_job(run.uuid, connection)
    if job is None:
        return True
    status = queue.job_status(job)
    if status in queue.ENDED_JOB_STATUSES:
        reason = queue.job_error(job) or f"Its job ended ({status}) before the run started."
        _fail_unstarted(run, reason)
    return False


def _fail_unstarted(run: Run, output: str) -> None:
    if lifecycle.fail_unstarted(run.id, output):
        finish_run(run.id)
