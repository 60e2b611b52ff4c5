"""Send runs to the task queue: one reachability check, project order, reverted on failure."""

from __future__ import annotations

from redis.exceptions import RedisError
from sqlmodel import select

from scanapp import lifecycle, queue
from scanapp.db import session_scope
from scanapp.errors import QueueUnavailableError
from scanapp.models import Run, RunStatus


def check_queue_reachable() -> None:
    """Raise QueueUnavailableError unless Redis answers; call it before storing what will queue."""
    try:
        queue.get_redis().ping()
    except RedisError as error:
        raise QueueUnavailableError(f"The task queue is not reachable: {error}") from None


def enqueue(run: Run, event: str | None = None) -> bool:
    """Mark a not_started run queued and send its job; False when it was not not_started.

    ``event``: the audit event recorded with the change (a user's start; not a chain's).

    When the job cannot be sent the run goes back to not_started and the error is raised
    (QueueUnavailableError when Redis is unreachable).
    """
    if not lifecycle.mark_queued(run.id, run.uuid, event):
        return False
    try:
        queue.enqueue_run(run)
    except RedisError as error:
        lifecycle.unqueue(run.id)
        raise QueueUnavailableError(f"The task queue is not reachable: {error}") from None
    except BaseException:
        lifecycle.unqueue(run.id)
        raise
    return True


def start_next_run(project_id: int) -> Run | None:
    """Queue the project's next not_started run when no earlier run is still active."""
    with session_scope() as session:
        active = session.exec(
            select(Run.id).where(
                Run.project_id == project_id,
                Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
            )
        ).first()
        run = None if active is not None else lifecycle.next_run(session, project_id)
    if run is None or not enqueue(run):
        return None
    return run
