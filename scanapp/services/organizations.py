"""Organizations, their members' roles and invitations (who may do what: ``ROLES``).

Roles, each with what the one before it may do: ``member`` (see the organization and its
members; read, create and run its projects), ``admin`` (update it, manage members
below owner, invite, withdraw invitations), ``owner`` (make and unmake owners, delete the
organization). The last owner can neither leave nor be demoted. Nobody becomes a member
without accepting an invitation. An organization the caller is not a member of answers as if
it did not exist (404).
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import select

from scanapp import audit
from scanapp.db import session_scope
from scanapp.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from scanapp.models import Invitation, Membership, Organization, Project, User, utcnow

ROLES = ("member", "admin", "owner")
NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
#: The fields an admin may change.
EDITABLE = ("description", "website", "billing_email")
#: What each role may do: (right, the lowest role having it); each role has its lower's.
RIGHTS = (
    ("See the organization and its members; leave it", "member"),
    ("See, create and run its projects (the member role on them)", "member"),
    ("Delete, archive, reset, move its projects and set their permissions", "admin"),
    ("Change its description, website and billing e-mail", "admin"),
    ("Invite members and admins; list and withdraw invitations", "admin"),
    ("Change roles below owner; remove members who are not owners", "admin"),
    ("Make and unmake owners, invite and remove owners", "owner"),
    ("Delete the organization (when it holds no project)", "owner"),
)


def _rank(role: str | None) -> int:
    return ROLES.index(role) if role in ROLES else -1


def rights_table() -> list[tuple[str, dict[str, bool]]]:
    """Return each right of ``RIGHTS`` with, for each role, whether it has it."""
    return [(right, {role: _rank(role) >= _rank(lowest) for role in ROLES})
            for right, lowest in RIGHTS]


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInputError.for_field("role", f"Choose one of: {', '.join(ROLES)}.")
    return role


def _membership(session, name: str, user_id: int) -> tuple[Organization, Membership]:
    """Return the organization and the caller's membership; NotFoundError when not a member."""
    found = session.execute(
        select(Organization, Membership)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Organization.name == name, Membership.user_id == user_id)
    ).first()
    if found is None:
        raise NotFoundError("Organization not found.")
    return found


def _member(session, organization_id: int, username: str) -> Membership | None:
    """Return the membership of ``username`` in the organization, None when not a member."""
    return session.execute(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == organization_id, User.username == username)
    ).scalar_one_or_none()


def _require(membership: Membership, role: str, action: str) -> None:
    if _rank(membership.role) < _rank(role):
        raise ForbiddenError(f"Only an {role} of the organization may {action}.")


def _owners(session, organization_id: int) -> int:
    return session.scalar(select(sa.func.count()).select_from(Membership).where(
        Membership.organization_id == organization_id, Membership.role == "owner"))


def create_organization(user_id: int, values: dict) -> tuple[Organization, str]:
    """Create an organization whose owner is the caller; return it and the caller's role."""
    name = values["name"]
    if not NAME.match(name):
        raise InvalidInputError.for_field(
            "name", "Use lowercase letters, digits and single hyphens, starting with a letter.")
    with session_scope() as session:
        if session.exec(select(Organization).where(Organization.name == name)).first():
            raise ConflictError(f"Organization {name!r} already exists.")
        organization = Organization(name=name, **{key: values.get(key, "") for key in EDITABLE})
        session.add(organization)
        session.flush()
        session.add(Membership(organization_id=organization.id, user_id=user_id, role="owner"))
        audit.record(session, "organization.create", organization_id=organization.id)
    return organization, "owner"


def list_organizations(user_id: int) -> list[tuple[Organization, str]]:
    """Return the caller's organizations with their role in each, by name."""
    with session_scope() as session:
        return [tuple(row) for row in session.execute(
            select(Organization, Membership.role)
            .join(Membership, Membership.organization_id == Organization.id)
            .where(Membership.user_id == user_id).order_by(Organization.name)
        ).all()]


def get_organization(user_id: int, name: str) -> tuple[Organization, str]:
    """Return an organization of the caller's and their role in it."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
    return organization, membership.role


def update_organization(user_id: int, name: str, values: dict) -> tuple[Organization, str]:
    """Change the description, website or billing e-mail (admins and owners)."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "admin", "change it")
        for key in EDITABLE:
            if key in values:
                setattr(organization, key, values[key])
        organization.updated_date = utcnow()
        session.add(organization)
        audit.record(session, "organization.update", organization_id=organization.id,
                     fields=sorted(key for key in EDITABLE if key in values))
    return organization, membership.role


def delete_organization(user_id: int, name: str) -> None:
    """Delete an organization (owners only) that holds no project."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "owner", "delete it")
        held = session.scalar(select(sa.func.count()).select_from(Project).where(
            Project.organization_id == organization.id))
        if held:
            raise ConflictError(
                f"The organization holds {held} project(s): delete or move them first.")
        audit.record(session, "organization.delete", organization_id=organization.id)
        session.delete(organization)


def _with_role(session, name: str, user_id: int | None, role: str, action: str) -> int:
    """Return the id of the organization ``name`` if the caller has ``role`` in it.

    NotFoundError for a non-member, ForbiddenError for a lower role; ``user_id`` None (a
    server administrator, the operator) may act on any organization.
    """
    if user_id is None:
        found = session.exec(select(Organization.id).where(Organization.name == name)).first()
        if found is None:
            raise NotFoundError("Organization not found.")
        return found
    organization, membership = _membership(session, name, user_id)
    _require(membership, role, action)
    return organization.id


def require_role(user_id: int | None, name: str, role: str, action: str) -> int:
    """Return the id of the organization ``name`` if the caller has ``role`` in it (404, 403)."""
    with session_scope() as session:
        return _with_role(session, name, user_id, role, action)


def organization_for_projects(session, name: str, user_id: int | None, role: str) -> int:
    """Return the id of the organization ``name`` where the caller may hold projects.

    As ``require_role``, but not being a member (or no such organization) is a 400 on the
    ``organization`` field (nothing told about an organization of others).
    """
    try:
        return _with_role(session, name, user_id, role, "put a project there")
    except NotFoundError:
        problem = (f"No organization named {name!r}." if user_id is None
                   else f"You are not a member of an organization named {name!r}.")
        raise InvalidInputError.for_field("organization", problem) from None


def list_members(user_id: int, name: str) -> list[tuple[str, str, object]]:
    """Return (username, role, since) of every member, owners first, then by name."""
    with session_scope() as session:
        organization, _ = _membership(session, name, user_id)
        rows = session.execute(
            select(User.username, Membership.role, Membership.created_date)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization.id)
        ).all()
    return sorted((tuple(row) for row in rows), key=lambda row: (-_rank(row[1]), row[0]))


def set_member_role(user_id: int, name: str, username: str, role: str) -> tuple[str, str]:
    """Change a member's role; return (username, role).

    Admins change the roles below owner; owners any role. The last owner stays one. A user
    who is not a member is invited instead (``invite``): nobody joins without accepting.
    """
    _check_role(role)
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "admin", "change roles")
        target = _member(session, organization.id, username)
        if target is None:
            raise InvalidInputError.for_field(
                "username", f"{username} is not a member: invite them first "
                f"(POST /api/organizations/{name}/invitations/).")
        if "owner" in (role, target.role) and membership.role != "owner":
            raise ForbiddenError("Only an owner of the organization may make or unmake owners.")
        if target.role == "owner" and role != "owner" and _owners(session, organization.id) == 1:
            raise ConflictError("The last owner cannot be demoted: make another owner first.")
        audit.record(session, "member.role", organization_id=organization.id, member=username,
                     role=role, previous=target.role)
        target.role = role
        session.add(target)
    return username, role


def remove_member(user_id: int, name: str, username: str) -> None:
    """Remove a member (admins; owners for an owner), or leave (anyone, for themselves)."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        target = _member(session, organization.id, username)
        if target is None:
            raise NotFoundError("Member not found.")
        if target.id != membership.id:
            _require(membership, "owner" if target.role == "owner" else "admin",
                     "remove this member")
        if target.role == "owner" and _owners(session, organization.id) == 1:
            raise ConflictError("The last owner cannot leave: make another owner first.")
        audit.record(session, "member.remove", organization_id=organization.id, member=username)
        session.delete(target)


def invite(user_id: int, name: str, invitee: str, role: str, inviter: str) -> Invitation:
    """Invite a username or an e-mail address with a role (admins; owners for owner)."""
    _check_role(role)
    invitee = invitee.strip()
    if not invitee:
        raise InvalidInputError.for_field("username", "Give a username or an e-mail address.")
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "admin", "invite")
        if role == "owner" and membership.role != "owner":
            raise ForbiddenError("Only an owner of the organization may invite an owner.")
        member = session.execute(
            select(Membership.id).join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == organization.id,
                   sa.or_(User.username == invitee, User.email == invitee))
        ).first()
        if member is not None:
            raise ConflictError(f"{invitee} is already a member.")
        found = session.exec(select(Invitation).where(
            Invitation.organization_id == organization.id, Invitation.invitee == invitee)).first()
        invitation = found or Invitation(organization_id=organization.id, invitee=invitee)
        invitation.role, invitation.invited_by = role, inviter
        session.add(invitation)
        audit.record(session, "invitation.create", organization_id=organization.id,
                     invitee=invitee, role=role)
    return invitation


def list_invitations(user_id: int, name: str) -> list[Invitation]:
    """Return the organization's pending invitations (admins)."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "admin", "see its invitations")
        return list(session.exec(select(Invitation).where(
            Invitation.organization_id == organization.id).order_by(Invitation.id)).all())


def withdraw_invitation(user_id: int, name: str, invitation_uuid: str) -> None:
    """Withdraw a pending invitation (admins)."""
    with session_scope() as session:
        organization, membership = _membership(session, name, user_id)
        _require(membership, "admin", "withdraw invitations")
        deleted = session.execute(sa.delete(Invitation).where(
            Invitation.organization_id == organization.id,
            Invitation.uuid == invitation_uuid)).rowcount
        if deleted:
            audit.record(session, "invitation.withdraw", organization_id=organization.id,
                         invitation=invitation_uuid)
    if not deleted:
        raise NotFoundError("Invitation not found.")


def _my_invitations(session, user_id: int, name: str | None = None):
    user = session.get(User, user_id)
    names = [user.username] + ([user.email] if user.email else [])
    statement = (select(Invitation, Organization.name)
                 .join(Organization, Organization.id == Invitation.organization_id)
                 .where(Invitation.invitee.in_(names)))
    if name is not None:
        statement = statement.where(Organization.name == name)
    return session.execute(statement.order_by(Organization.name)).all()


def my_invitations(user_id: int) -> list[tuple[Invitation, str]]:
    """Return the caller's pending invitations (by username or e-mail) and their organization."""
    with session_scope() as session:
        return [tuple(row) for row in _my_invitations(session, user_id)]


def accept_invitation(user_id: int, name: str) -> tuple[Organization, str]:
    """Join the organization with the invited role; the invitation ends."""
    with session_scope() as session:
        found = _my_invitations(session, user_id, name)
        if not found:
            raise NotFoundError("Invitation not found.")
        invitation = found[0][0]
        role = max((row[0].role for row in found), key=_rank)
        for row in found:
            session.delete(row[0])
        joined = session.exec(select(Membership).where(
            Membership.organization_id == invitation.organization_id,
            Membership.user_id == user_id)).first()
        if joined is None:
            session.add(Membership(organization_id=invitation.organization_id,
                                   user_id=user_id, role=role))
        elif _rank(role) > _rank(joined.role):
            joined.role = role
            session.add(joined)
        else:
            role = joined.role
        organization = session.get(Organization, invitation.organization_id)
        audit.record(session, "invitation.accept", organization_id=organization.id, role=role)
    return organization, role


def decline_invitation(user_id: int, name: str) -> None:
    """Decline the invitation: it ends, nobody joins."""
    with session_scope() as session:
        found = _my_invitations(session, user_id, name)
        if not found:
            raise NotFoundError("Invitation not found.")
        for row in found:
            session.delete(row[0])
        audit.record(session, "invitation.decline", organization_id=found[0][0].organization_id)
