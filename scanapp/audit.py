"""Audit events: who did what, from where, written in the transaction of the change.

The API sets the request's ``Origin`` (username, address, user agent, referer, query string)
for the time of the request; elsewhere (the CLI, the operator) the origin is ``cli``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from sqlmodel import Session

from scanapp.models import AuditEvent, Organization, Project

#: Longest values kept of what a client sends (the columns' sizes).
_LIMITS = {"user_agent": 512, "referer": 1024, "variables": 2048, "origin_address": 45}


@dataclass(frozen=True)
class Origin:
    """Where a request came from."""

    username: str = ""
    origin_address: str = ""
    user_agent: str = "scanapp-cli"
    referer: str = ""
    variables: str = ""


_CLI = Origin()
_origin: ContextVar[Origin] = ContextVar("scanapp_audit_origin", default=_CLI)  # noqa: B039 - frozen


def set_origin(origin: Origin | None) -> None:
    """Make ``origin`` the one of the events recorded from now on (None: the CLI's)."""
    _origin.set(origin or _CLI)


def current_origin() -> Origin:
    """Return the origin events are recorded with."""
    return _origin.get()


def record(session: Session, type: str, *, project: Project | None = None,
           project_id: int | None = None, organization_id: int | None = None,
           username: str | None = None, **details) -> None:
    """Add an event to ``session`` (committed, or rolled back, with the change it records).

    The project (or its id) gives the organization unless ``organization_id`` is given;
    ``username`` replaces the origin's (a failed authentication has none).
    """
    if project is None and project_id is not None:
        project = session.get(Project, project_id)
    if organization_id is None and project is not None:
        organization_id = project.organization_id
    organization = session.get(Organization, organization_id) if organization_id else None
    origin = current_origin()
    values = {key: getattr(origin, key)[:limit] for key, limit in _LIMITS.items()}
    session.add(AuditEvent(
        type=type, organization_id=organization_id,
        organization=organization.name if organization else "",
        project_uuid=project.uuid if project else "", project=project.name if project else "",
        username=origin.username if username is None else username,
        details={key: value for key, value in details.items() if value is not None}, **values))
