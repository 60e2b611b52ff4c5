"""Find stored objects by their public identifiers, or raise NotFoundError."""

from __future__ import annotations

from sqlmodel import Session, or_, select

from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import Project, Run


def get_project(session: Session, uuid: str) -> Project:
    """Return the project with this uuid or raise NotFoundError."""
    project = session.exec(select(Project).where(Project.uuid == str(uuid))).first()
    if project is None:
        raise NotFoundError("Project not found.")
    return project


def get_run(session: Session, uuid: str) -> Run:
    """Return the run with this uuid or raise NotFoundError."""
    run = session.exec(select(Run).where(Run.uuid == str(uuid))).first()
    if run is None:
        raise NotFoundError("Run not found.")
    return run


def load_project(uuid: str) -> Project:
    """Return the project with this uuid, detached from any session, or raise NotFoundError."""
    with session_scope() as session:
        project = get_project(session, uuid)
        session.expunge(project)
        return project


def find_project_uuid(reference: str) -> str:
    """Return the uuid of the project named ``reference`` or with that uuid (the CLI's way)."""
    with session_scope() as session:
        found = session.exec(
            select(Project.uuid).where(or_(Project.uuid == reference, Project.name == reference))
        ).first()
    if found is None:
        raise NotFoundError(f"No project named or with uuid '{reference}'.")
    return found
