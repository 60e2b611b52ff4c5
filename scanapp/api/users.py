"""The caller and their tokens: ``/api/user``, ``/api/user/tokens/``, ``/api/users/{name}``."""

from __future__ import annotations

from flask import g

from scanapp.api.arguments import TokenArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.organizations import (
    InvitationSchema,
    OrganizationSchema,
    invitation_data,
    organization_data,
)
from scanapp.schemas.users import NewTokenSchema, PublicUserSchema, TokenSchema, UserSchema
from scanapp.services import organizations
from scanapp.services import users as service

blp = Blueprint("users", __name__, url_prefix="/api", description="Users and tokens")


@blp.route("/user", methods=["GET"])
@blp.response(200, UserSchema)
@blp.alt_response(401, schema=ErrorSchema)
def current_user():
    """Return the caller: the user owning the key sent (a key is needed in every mode)."""
    return service.get_user(g.caller.user_id)


@blp.route("/users/<string:username>", methods=["GET"])
@blp.response(200, PublicUserSchema)
@blp.alt_response(404, schema=ErrorSchema)
def public_user(username):
    """Return what anyone may see of a user: their name and since when they exist."""
    return service.user_by_name(username)


@blp.route("/user/tokens/", methods=["GET"])
@blp.response(200, TokenSchema(many=True))
@blp.alt_response(401, schema=ErrorSchema)
def list_tokens():
    """List the caller's tokens (names, scopes, expiry, last use; never the keys)."""
    return service.list_tokens(g.caller.user_id)


@blp.route("/user/tokens/", methods=["POST"])
@blp.arguments(TokenArguments, location="body")
@blp.response(201, NewTokenSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
def create_token(data):
    """Create a named token for the caller; the answer holds its key, shown this once."""
    token, key = service.create_token(g.caller.user_id, **data)
    return {**token.model_dump(), "key": key}  # the schema dumps its fields only


@blp.route("/user/tokens/<uuid:token_uuid>/", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def revoke_token(token_uuid):
    """Revoke one of the caller's tokens: its key stops working at once."""
    service.revoke_token(g.caller.user_id, str(token_uuid))


@blp.route("/user/invites", methods=["GET"])
@blp.response(200, InvitationSchema(many=True))
@blp.alt_response(401, schema=ErrorSchema)
def my_invitations():
    """List the invitations waiting for the caller (by username or e-mail address)."""
    return [invitation_data(invitation, organization)
            for invitation, organization in organizations.my_invitations(g.caller.user_id)]


@blp.route("/user/invites/<string:name>", methods=["POST"])
@blp.response(200, OrganizationSchema)
@blp.alt_response(404, schema=ErrorSchema)
def accept_invitation(name):
    """Accept the invitation of an organization: the caller joins it with the role invited."""
    return organization_data(*organizations.accept_invitation(g.caller.user_id, name))


@blp.route("/user/invites/<string:name>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, schema=ErrorSchema)
def decline_invitation(name):
    """Decline the invitation of an organization."""
    organizations.decline_invitation(g.caller.user_id, name)
