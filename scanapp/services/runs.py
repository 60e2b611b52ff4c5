"""Runs: add a pipeline to a project and send runs to the queue in order."""

from __future__ import annotations

from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.engine import next_run, update_run
from scanapp.models import Project, Run, RunStatus
from scanapp.registry import resolve_spec


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


def start_next_run(project_id: int) -> Run | None:
    """Queue the project's next not_started run when no earlier run is still active."""
    from scanapp import queue

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
    if not update_run(run.id, expected=(RunStatus.NOT_STARTED,), status=RunStatus.QUEUED):
        return None
    try:
        queue.enqueue_run(run)
    except Exception:
        update_run(run.id, expected=(RunStatus.QUEUED,), status=RunStatus.NOT_STARTED)
        raise
    return run
