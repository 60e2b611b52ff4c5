"""Runs: add a pipeline to a project, start, stop, delete and execute runs."""

from __future__ import annotations

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlmodel import Session, select

from scanapp import audit, engine, lifecycle, queue
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError, RunNotAllowedError
from scanapp.models import InputSource, Project, Run, RunStatus
from scanapp.registry import get_registry, resolve_spec
from scanapp.schemas.fields import View
from scanapp.services.lookup import get_project, get_run
from scanapp.services.queueing import check_queue_reachable, enqueue, start_next_run
from scanapp.services.run_end import finish_run
from scanapp.services.scan_chunks import RunChunkQueue, cancel_chunks
from scanapp.services.views import run_detail_view


def list_pipelines() -> list[dict]:
    """Describe every pipeline: name, summary, description, steps and optional groups."""
    return [pipeline.info() for pipeline in get_registry().values()]


def run_detail(uuid: str) -> View:
    """Return a run with its project's uuid, or raise NotFoundError."""
    with session_scope() as session:
        return run_detail_view(session, get_run(session, uuid))


def project_runs(project_id: int) -> list[Run]:
    """Return a project's runs in the order they execute."""
    with session_scope() as session:
        return list(session.exec(
            select(Run).where(Run.project_id == project_id).order_by(Run.created_date, Run.id)
        ).all())


def load_run(run_id: int) -> Run:
    """Return the run with this id, as stored now."""
    with session_scope() as session:
        return session.get(Run, run_id)


def check_input_count(spec: str, count: int, *, final: bool) -> None:
    """Refuse a pipeline whose input-count rule ``count`` inputs break (see Pipeline)."""
    pipeline, _ = resolve_spec(spec)
    problem = pipeline.input_count_problem(count, final=final)
    if problem:
        raise InvalidInputError.for_field("pipeline", problem)


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


def count_inputs(session: Session, project_id: int) -> int:
    """Return how many inputs a project has."""
    return session.exec(
        select(sa.func.count()).select_from(InputSource).where(
            InputSource.project_id == project_id
        )
    ).one()


def add_pipeline(project_uuid: str, spec: str, *, execute_now: bool = False) -> Run:
    """Add a run of ``spec`` to a project; with ``execute_now``, start the project's next run."""
    with session_scope() as session:
        project = get_project(session, project_uuid)
        check_input_count(spec, count_inputs(session, project.id), final=execute_now)
    if execute_now:
        check_queue_reachable()
    with session_scope() as session:
        project = get_project(session, project_uuid)
        run = add_run(session, project, spec)
        session.flush()
        audit.record(session, "run.add", project=project, run=run.uuid, pipeline=spec)
        project_id = project.id
    if execute_now:
        start_next_run(project_id)
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
    if not enqueue(run, "run.start"):
        with session_scope() as session:
            _refuse_start(get_run(session, uuid))
        raise RunNotAllowedError("Pipeline already queued.")
    return run


def stop_run(uuid: str) -> Run:
    """Mark a running run stopped, kill its job's work horse, then finish the run."""
    with session_scope() as session:
        run = get_run(session, uuid)
    if run.status != RunStatus.RUNNING or not lifecycle.stop(run.id, "run.stop"):
        raise RunNotAllowedError("Pipeline is not running.")
    try:
        queue.stop_job(run.uuid)
    except Exception as error:  # noqa: BLE001 - the run is stopped; the horse checks between steps
        lifecycle.append_log(run.id, f"Stop command not delivered to the worker: {error}")
    cancel_chunks(run)
    finish_run(run.id)
    return run


def delete_run(uuid: str) -> Run:
    """Delete a not_started or queued run and take its job out of the queue."""
    with session_scope() as session:
        run = get_run(session, uuid)
        deleted = session.execute(
            sa.delete(Run).where(
                Run.id == run.id, Run.status.in_((RunStatus.NOT_STARTED, RunStatus.QUEUED))
            )
        ).rowcount
        if deleted == 1:
            audit.record(session, "run.delete", project_id=run.project_id, run=run.uuid,
                         pipeline=run.pipeline_name)
    if deleted != 1:
        raise RunNotAllowedError("Only non started or queued pipelines can be deleted.")
    try:
        queue.remove_job(run.uuid)
    except RedisError:
        pass  # a job left behind finds no run and does nothing
    return run


def execute_queued(run_id: int, worker_name: str = "") -> int:
    """Execute a queued run in this worker, then finish it (alerts, webhooks, next run).

    Its scan steps spread their files over the workers of the run queue.
    """
    run = load_run(run_id)
    chunk_queue = RunChunkQueue(run.uuid, worker_name) if run is not None else None
    exitcode = engine.execute_run(run_id, worker_name=worker_name, chunk_queue=chunk_queue)
    if exitcode != lifecycle.NOT_OWNED:
        finish_run(run_id)
    return exitcode


def execute_in_process(run_id: int) -> int:
    """Execute a run in this process, no queue, then finish it; the caller starts the next run."""
    exitcode = engine.execute_run(run_id)
    if exitcode != lifecycle.NOT_OWNED:
        finish_run(run_id, start_next=False)
    return exitcode
