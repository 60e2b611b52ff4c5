"""Runs: add a pipeline to a project, start, stop and delete runs, queue them in order."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.engine import append_log, next_run, notify_run_ended, update_run
from scanapp.errors import NotFoundError, RunNotAllowedError, ScanappError
from scanapp.models import Project, Run, RunStatus, utcnow
from scanapp.registry import resolve_spec

#: ``task_exitcode`` of a stopped run (ScanCode.io's value).
STOPPED_EXITCODE = 88


class QueueUnavailableError(ScanappError):
    """The run could not be sent to the queue (Redis unreachable)."""

    http_status = 503


def add_run(session: Session, project: Project, spec: str) -> Run:
    """Add a not_started run of ``spec`` (``"name:G1,G2"``) to the project."""
    pipeline, groups = resolve_spec(spec)
    run = Run(
        project_id=project.id,
        pipeline_name=pipeline.name,
        description=pipeline.description(),
        selected_groups=groups,
    )
    session.add(run)
    session.flush()
    return run


def add_pipeline(project_uuid: str, spec: str, *, execute_now: bool = False) -> Run:
    """Add a run of ``spec`` to a project; with ``execute_now``, start the project's next run."""
    from scanapp.models import InputSource
    from scanapp.services.projects import check_input_count, get_project

    with session_scope() as session:
        get_project(session, project_uuid)
    resolve_spec(spec)
    if execute_now:
        check_queue_reachable()
    with session_scope() as session:
        project = get_project(session, project_uuid)
        inputs = session.exec(
            select(sa.func.count()).select_from(InputSource).where(
                InputSource.project_id == project.id
            )
        ).one()
        check_input_count(spec, inputs)
        run = add_run(session, project, spec)
        project_id = project.id
    if execute_now:
        start_next_run(project_id)
    return run


def check_queue_reachable() -> None:
    """Raise QueueUnavailableError unless Redis answers (call before storing what will queue)."""
    from redis.exceptions import RedisError

    from scanapp import queue

    try:
        queue.get_redis().ping()
    except RedisError as error:
        raise QueueUnavailableError(f"The task queue is not reachable: {error}") from None


def get_run(session: Session, uuid: str) -> Run:
    """Return the run with this uuid or raise NotFoundError."""
    run = session.exec(select(Run).where(Run.uuid == str(uuid))).first()
    if run is None:
        raise NotFoundError("Run not found.")
    return run


def _earlier_runs_ended(session: Session, run: Run) -> bool:
    earlier = session.exec(
        select(Run.id).where(
            Run.project_id == run.project_id,
            Run.id != run.id,
            Run.status.not_in(RunStatus.ENDED),
            sa.or_(
                Run.created_date < run.created_date,
                sa.and_(Run.created_date == run.created_date, Run.id < run.id),
            ),
        )
    ).first()
    return earlier is None


def _refuse_start(run: Run) -> None:
    if run.status in RunStatus.ENDED:
        raise RunNotAllowedError("Pipeline already executed.")
    if run.status == RunStatus.RUNNING:
        raise RunNotAllowedError("Pipeline already started.")
    if run.status == RunStatus.QUEUED:
        raise RunNotAllowedError("Pipeline already queued.")


def start_run(uuid: str) -> Run:
    """Queue a not_started run whose earlier runs all ended; one job even under races."""
    with session_scope() as session:
        run = get_run(session, uuid)
        _refuse_start(run)
        if not _earlier_runs_ended(session, run):
            raise RunNotAllowedError(
                "Cannot start this pipeline before the earlier pipelines of the project have ended."
            )
    if not update_run(
        run.id, expected=(RunStatus.NOT_STARTED,), status=RunStatus.QUEUED, task_id=run.uuid
    ):
        with session_scope() as session:
            _refuse_start(get_run(session, uuid))
        raise RunNotAllowedError("Pipeline already queued.")
    _enqueue_or_revert(run)
    return run


def _enqueue_or_revert(run: Run) -> None:
    from redis.exceptions import RedisError

    from scanapp import queue

    try:
        queue.enqueue_run(run)
    except RedisError as error:
        update_run(
            run.id, expected=(RunStatus.QUEUED,), status=RunStatus.NOT_STARTED, task_id=None
        )
        raise QueueUnavailableError(f"The task queue is not reachable: {error}") from None
    except BaseException:
        update_run(
            run.id, expected=(RunStatus.QUEUED,), status=RunStatus.NOT_STARTED, task_id=None
        )
        raise


def stop_run(uuid: str) -> Run:
    """Mark a running run stopped, kill its job's work horse and fire the run-ended hooks."""
    from scanapp import queue

    with session_scope() as session:
        run = get_run(session, uuid)
    if run.status != RunStatus.RUNNING or not update_run(
        run.id,
        expected=(RunStatus.RUNNING,),
        status=RunStatus.STOPPED,
        task_end_date=utcnow(),
        task_exitcode=STOPPED_EXITCODE,
        current_step="",
    ):
        raise RunNotAllowedError("Pipeline is not running.")
    append_log(run.id, "Pipeline stopped on request")
    try:
        queue.stop_job(run.uuid)
    except Exception as error:  # noqa: BLE001 - the run is stopped; the horse checks between steps
        append_log(run.id, f"Stop command not delivered to the worker: {error}")
    notify_run_ended(run.id)
    return run


def delete_run(uuid: str) -> Run:
    """Delete a not_started or queued run and take its job out of the queue."""
    from redis.exceptions import RedisError

    from scanapp import queue

    with session_scope() as session:
        run = get_run(session, uuid)
        deleted = session.execute(
            sa.delete(Run).where(
                Run.id == run.id, Run.status.in_((RunStatus.NOT_STARTED, RunStatus.QUEUED))
            )
        ).rowcount
    if deleted != 1:
        raise RunNotAllowedError("Only non started or queued pipelines can be deleted.")
    try:
        queue.remove_job(run.uuid)
    except RedisError:
        pass  # a job left behind finds no run and does nothing
    return run


def start_next_run(project_id: int) -> Run | None:
    """Queue the project's next not_started run when no earlier run is still active."""
    with session_scope() as session:
        active = session.exec(
            select(Run.id).where(
                Run.project_id == project_id,
                Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)),
            )
        ).first()
        run = None if active is not None else next_run(session, project_id)
    if run is None:
        return None
    if not update_run(
        run.id, expected=(RunStatus.NOT_STARTED,), status=RunStatus.QUEUED, task_id=run.uuid
    ):
        return None
    _enqueue_or_revert(run)
    return run
