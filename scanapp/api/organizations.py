"""``/api/organizations/``: the caller's organizations, their members and invitations.

Every route needs a key (whatever ``SCANAPP_REQUIRE_AUTHENTICATION`` says): an organization
is its members'. One the caller is not a member of answers 404.
"""

from __future__ import annotations

from flask import g

from scanapp.api.arguments import (
    InvitationArguments,
    MemberArguments,
    OrganizationArguments,
    OrganizationUpdateArguments,
)
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.organizations import (
    InvitationSchema,
    MemberRoleSchema,
    MemberSchema,
    OrganizationSchema,
    invitation_data,
    organization_data,
)
from scanapp.services import organizations as service

blp = Blueprint("organizations", __name__, url_prefix="/api/organizations",
                description="Organizations, members and invitations")

NAME = "/<string:name>/"


@blp.route("/", methods=["GET"])
@blp.response(200, OrganizationSchema(many=True))
@blp.alt_response(401, schema=ErrorSchema)
def list_organizations():
    """List the caller's organizations, with their role in each."""
    return [organization_data(*found) for found in service.list_organizations(g.caller.user_id)]


@blp.route("/", methods=["POST"])
@blp.arguments(OrganizationArguments, location="body")
@blp.response(201, OrganizationSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
def create_organization(data):
    """Create an organization; the caller is its owner."""
    return organization_data(*service.create_organization(g.caller.user_id, data))


@blp.route(NAME, methods=["GET"])
@blp.response(200, OrganizationSchema)
@blp.alt_response(404, schema=ErrorSchema)
def get_organization(name):
    """Return one of the caller's organizations."""
    return organization_data(*service.get_organization(g.caller.user_id, name))


@blp.route(NAME, methods=["PATCH"])
@blp.arguments(OrganizationUpdateArguments, location="body")
@blp.response(200, OrganizationSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def update_organization(data, name):
    """Change its description, website or billing e-mail (admins and owners)."""
    return organization_data(*service.update_organization(g.caller.user_id, name, data))


@blp.route(NAME, methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def delete_organization(name):
    """Delete the organization (owners)."""
    service.delete_organization(g.caller.user_id, name)


@blp.route(NAME + "members/", methods=["GET"])
@blp.response(200, MemberSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema)
def list_members(name):
    """List the members and their roles, owners first."""
    return [{"username": username, "role": role, "created_date": since}
            for username, role, since in service.list_members(g.caller.user_id, name)]


@blp.route(NAME + "members/", methods=["POST"])
@blp.arguments(MemberArguments, location="body")
@blp.response(200, MemberRoleSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def set_member_role(data, name):
    """Change a member's role (admins; owners to make or unmake an owner)."""
    username, role = service.set_member_role(g.caller.user_id, name, data["username"],
                                             data["role"])
    return {"username": username, "role": role}


@blp.route(NAME + "members/<string:username>/", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def remove_member(name, username):
    """Remove a member (admins; owners for an owner), or leave (for yourself)."""
    service.remove_member(g.caller.user_id, name, username)


@blp.route(NAME + "invitations/", methods=["GET"])
@blp.response(200, InvitationSchema(many=True))
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def list_invitations(name):
    """List the pending invitations (admins)."""
    return [invitation_data(item, name)
            for item in service.list_invitations(g.caller.user_id, name)]


@blp.route(NAME + "invitations/", methods=["POST"])
@blp.arguments(InvitationArguments, location="body")
@blp.response(201, InvitationSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def invite(data, name):
    """Invite a username or an e-mail address with a role; they accept or decline."""
    invitation = service.invite(g.caller.user_id, name, data["invitee"], data["role"],
                                g.caller.username)
    return invitation_data(invitation, name)


@blp.route(NAME + "invitations/<uuid:invitation_uuid>/", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def withdraw_invitation(name, invitation_uuid):
    """Withdraw a pending invitation (admins)."""
    service.withdraw_invitation(g.caller.user_id, name, str(invitation_uuid))
