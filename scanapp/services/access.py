"""Who may see and do what on a project, where authentication is on.

A caller of None is the operator (the CLI acting locally, or any caller where authentication
is off): everything. A server administrator likewise. For anyone else a project's role is the
highest of: their organization role (``member``; ``admin`` and ``owner`` count as ``admin``),
their permission on the project (``member`` or ``admin``) and, for a personal project (no
organization), ``admin`` for its creator. A ``blocked`` permission hides the project whatever
the role. A project without a role is hidden: it answers as if it did not exist.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.errors import ForbiddenError, NotFoundError
from scanapp.models import Membership, Project, ProjectPermission, Run
from scanapp.services.lookup import get_project
from scanapp.services.users import Caller

#: What a project needs of its caller, lowest first.
PROJECT_ROLES = ("member", "admin")
#: ``default`` removes a user's permission on a project (their organization role applies).
PERMISSION_LEVELS = ("blocked", "default", "member", "admin")
_GRANTS = ("member", "admin")


def restricted_user_id(caller: Caller | None) -> int | None:
    """Return the id the rules apply to; None for the operator and server administrators."""
    return None if caller is None or caller.is_admin else caller.user_id


def _rank(role: str | None) -> int:
    return -1 if role is None else PROJECT_ROLES.index("admin" if role == "owner" else role)


def project_role(session: Session, project: Project, caller: Caller | None) -> str | None:
    """Return the caller's role on ``project``: ``admin``, ``member`` or None (hidden)."""
    if caller is None or caller.is_admin:
        return "admin"
    permission = session.exec(select(ProjectPermission.level).where(
        ProjectPermission.project_id == project.id,
        ProjectPermission.user_id == caller.user_id)).first()
    if permission == "blocked":
        return None
    roles = [permission if permission in _GRANTS else None]
    if project.organization_id is None:
        roles.append("admin" if project.created_by_id == caller.user_id else None)
    else:
        roles.append(session.exec(select(Membership.role).where(
            Membership.organization_id == project.organization_id,
            Membership.user_id == caller.user_id)).first())
    best = max(roles, key=_rank)
    return None if best is None else PROJECT_ROLES[_rank(best)]


def check_project(session: Session, project: Project, caller: Caller | None, need: str) -> None:
    """Refuse a caller without the role ``need`` on the project.

    NotFoundError when they may not see it, ForbiddenError when their role is lower.
    """
    role = project_role(session, project, caller)
    if role is None:
        raise NotFoundError("Project not found.")
    if _rank(role) < _rank(need):
        raise ForbiddenError(f"This needs the {need} role on the project; yours is {role}.")


def require_project(uuid: str, caller: Caller | None, need: str) -> None:
    """Check the caller has the role ``need`` on the project with this uuid (404 or 403)."""
    if caller is None or caller.is_admin:
        return
    with session_scope() as session:
        check_project(session, get_project(session, uuid), caller, need)


def require_run(uuid: str, caller: Caller | None, need: str) -> None:
    """Check the caller has the role ``need`` on the project of the run (404 or 403)."""
    if caller is None or caller.is_admin:
        return
    with session_scope() as session:
        project = session.exec(
            select(Project).join(Run, Run.project_id == Project.id).where(Run.uuid == str(uuid))
        ).first()
        if project is None:
            raise NotFoundError("Run not found.")
        try:
            check_project(session, project, caller, need)
        except NotFoundError:
            raise NotFoundError("Run not found.") from None


def visible(statement, caller: Caller | None):
    """Keep the projects of ``statement`` the caller may see (one SQL condition)."""
    if caller is None or caller.is_admin:
        return statement
    mine = ProjectPermission.user_id == caller.user_id
    blocked = select(ProjectPermission.project_id).where(mine, ProjectPermission.level == "blocked")
    granted = select(ProjectPermission.project_id).where(
        mine, ProjectPermission.level.in_(_GRANTS))
    organizations = select(Membership.organization_id).where(
        Membership.user_id == caller.user_id)
    return statement.where(
        Project.id.not_in(blocked),
        sa.or_(
            Project.organization_id.in_(organizations),
            Project.id.in_(granted),
            sa.and_(Project.organization_id.is_(None), Project.created_by_id == caller.user_id),
        ),
    )
