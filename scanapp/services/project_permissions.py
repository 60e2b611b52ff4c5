"""A project's permissions (Scarf's package permissions) and moving it between organizations.

The caller's role on the project is checked by the API before these run (``admin``).
"""

from __future__ import annotations

from sqlmodel import Session, select

from scanapp import audit
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError
from scanapp.models import Project, ProjectPermission, User, utcnow
from scanapp.services.access import restricted_user_id
from scanapp.services.lookup import get_project
from scanapp.services.organizations import organization_for_projects
from scanapp.services.users import Caller


def list_permissions(uuid: str) -> list[dict]:
    """Return ``{username, permission_level}`` of each user with a permission, by name."""
    with session_scope() as session:
        project = get_project(session, uuid)
        rows = session.execute(
            select(User.username, ProjectPermission.level)
            .join(User, User.id == ProjectPermission.user_id)
            .where(ProjectPermission.project_id == project.id).order_by(User.username)
        ).all()
    return [{"username": username, "permission_level": level} for username, level in rows]


def _find_user(session: Session, query: str, index: int) -> User:
    """Return the user named ``query``, else the one user with that e-mail (400 otherwise)."""
    field = f"{index}.user_query"
    user = session.exec(select(User).where(User.username == query)).first()
    if user is not None:
        return user
    matches = session.exec(select(User).where(User.email == query)).all() if query else []
    if len(matches) == 1:
        return matches[0]
    problem = "Several users have this e-mail: give a username." if matches else (
        f"No user named or with the e-mail {query!r}.")
    raise InvalidInputError.for_field(field, problem)


def set_permissions(uuid: str, items: list[dict], caller: Caller | None) -> list[dict]:
    """Give each ``{user_query, permission_level}``, all or none; ``default`` removes one.

    Your own permission is not yours to change (a slip would lock you out), nor is a server
    administrator's (they see everything whatever it says).
    """
    now = utcnow()
    with session_scope() as session:
        project = get_project(session, uuid)
        for index, item in enumerate(items):
            level = item["permission_level"]  # one of access.PERMISSION_LEVELS (the API checks)
            user = _find_user(session, item["user_query"].strip(), index)
            if caller is not None and user.id == caller.user_id:
                raise InvalidInputError.for_field(
                    f"{index}.user_query", "Your own permission is not yours to change.")
            if user.is_admin:
                raise InvalidInputError.for_field(
                    f"{index}.user_query",
                    f"{user.username} is a server administrator: a permission has no effect.")
            _set(session, project.id, user.id, level, now)
            audit.record(session, "project.permission", project=project,
                         member=user.username, permission_level=level)
    return list_permissions(uuid)


def _set(session: Session, project_id: int, user_id: int, level: str, now) -> None:
    found = session.exec(select(ProjectPermission).where(
        ProjectPermission.project_id == project_id, ProjectPermission.user_id == user_id)).first()
    if level == "default":
        if found is not None:
            session.delete(found)
        return
    if found is None:
        found = ProjectPermission(project_id=project_id, user_id=user_id, level=level)
    found.level, found.updated_date = level, now
    session.add(found)
    session.flush()


def move_project(uuid: str, organization: str | None, caller: Caller | None) -> None:
    """Put the project in ``organization`` (the caller an admin there).

    None makes it the caller's personal project (the operator's: nobody's).
    """
    with session_scope() as session:
        project: Project = get_project(session, uuid)
        previous = project.organization_id
        if organization:
            project.organization_id = organization_for_projects(
                session, organization, restricted_user_id(caller), "admin")
        else:
            project.organization_id = None
            project.created_by_id = caller.user_id if caller else None
        session.add(project)
        # Recorded for both organizations: each one's export shows the project leaving or coming.
        for organization_id in {previous, project.organization_id} - {None}:
            audit.record(session, "project.move", project=project,
                         organization_id=organization_id, to=organization or None)
        if previous is None and project.organization_id is None:
            audit.record(session, "project.move", project=project)
