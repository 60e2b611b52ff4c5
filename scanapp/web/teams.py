"""``/organizations/``: the signed-in user's organizations, members, roles and invitations.

The services of ``/api/organizations/`` and ``/api/user/invites`` act for the user signed in
(:mod:`scanapp.web.account`); an organization the user is not a member of answers 404.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from scanapp.schemas.organizations import (
    InvitationSchema,
    MemberSchema,
    OrganizationSchema,
    invitation_data,
    organization_data,
)
from scanapp.services import organizations as service
from scanapp.web.account import act, needs_user
from scanapp.web.blueprint import web

#: The roles that manage members and invitations.
MANAGERS = ("admin", "owner")


def _back(name: str | None = None):
    target = url_for("web.organization", name=name) if name else url_for("web.organizations")
    return redirect(target, code=303)


@web.route("/organizations/", methods=["GET"])
@needs_user
def organizations(caller):
    """List the user's organizations and role, their pending invitations, the roles' rights."""
    mine = [organization_data(*found) for found in service.list_organizations(caller.user_id)]
    invitations = [invitation_data(*found) for found in service.my_invitations(caller.user_id)]
    return render_template(
        "organizations.html", organizations=OrganizationSchema(many=True).dump(mine),
        invitations=InvitationSchema(many=True).dump(invitations), roles=service.ROLES,
        rights=service.rights_table())


@web.route("/organizations/", methods=["POST"])
@needs_user
def create_organization(caller):
    """Create an organization owned by the user; show it."""
    values = {key: request.form.get(key, "").strip() for key in ("name", "description")}
    made = []
    if act(lambda: made.append(service.create_organization(caller.user_id, values))):
        return _back(made[0][0].name)
    return _back()


@web.route("/organizations/<string:name>/", methods=["GET"])
@needs_user
def organization(caller, name):
    """Show an organization: members and roles, invitations (admins), the roles' rights."""
    found = organization_data(*service.get_organization(caller.user_id, name))
    members = [{"username": username, "role": role, "created_date": since}
               for username, role, since in service.list_members(caller.user_id, name)]
    manages = found["role"] in MANAGERS
    invitations = ([invitation_data(item, name)
                    for item in service.list_invitations(caller.user_id, name)]
                   if manages else [])
    return render_template(
        "organization.html", organization=OrganizationSchema().dump(found),
        members=MemberSchema(many=True).dump(members), manages=manages, me=caller.username,
        invitations=InvitationSchema(many=True).dump(invitations), roles=service.ROLES,
        rights=service.rights_table())


@web.route("/organizations/<string:name>/members", methods=["POST"])
@needs_user
def set_member_role(caller, name):
    """Change a member's role."""
    act(lambda: service.set_member_role(caller.user_id, name, request.form.get("username", ""),
                                        request.form.get("role", "")))
    return _back(name)


@web.route("/organizations/<string:name>/members/<string:username>/remove", methods=["POST"])
@needs_user
def remove_member(caller, name, username):
    """Remove a member, or leave (oneself: then back to the list)."""
    if act(lambda: service.remove_member(caller.user_id, name, username)) and (
            username == caller.username):
        flash(f"You left {name}.", "info")
        return _back()
    return _back(name)


@web.route("/organizations/<string:name>/invitations", methods=["POST"])
@needs_user
def invite(caller, name):
    """Invite a username or an e-mail address with a role."""
    act(lambda: service.invite(caller.user_id, name, request.form.get("invitee", ""),
                               request.form.get("role", "member"), caller.username))
    return _back(name)


@web.route("/organizations/<string:name>/invitations/<uuid:invitation>/withdraw",
           methods=["POST"])
@needs_user
def withdraw_invitation(caller, name, invitation):
    """Withdraw a pending invitation."""
    act(lambda: service.withdraw_invitation(caller.user_id, name, str(invitation)))
    return _back(name)


@web.route("/invitations/<string:name>/<any(accept, decline):answer>", methods=["POST"])
@needs_user
def answer_invitation(caller, name, answer):
    """Accept an invitation (join with the role invited, then show it) or decline it."""
    if answer == "decline":
        service.decline_invitation(caller.user_id, name)
        return _back()
    service.accept_invitation(caller.user_id, name)
    return _back(name)
