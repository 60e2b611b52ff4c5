"""Command-line logins (``scanapp login``): ``/api/authorizations``, jsr's device flow.

Starting a login and exchanging it are open (the command has no key yet); reading, approving
and denying a code need a key in every mode (the approver's: the new key will be theirs).
"""

from __future__ import annotations

from flask import g, request

from scanapp.api.arguments import DeviceExchangeArguments, DeviceLoginArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.fields import base_url
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.users import DeviceLoginDetailsSchema, DeviceLoginSchema, DeviceTokenSchema
from scanapp.services import device_logins as service

blp = Blueprint("device_logins", __name__, url_prefix="/api/authorizations",
                description="Command-line logins")


@blp.route("", methods=["POST"])
@blp.arguments(DeviceLoginArguments, location="body")
@blp.response(200, DeviceLoginSchema)
@blp.alt_response(400, schema=ErrorSchema)
def start_login(data):
    """Start a login: answer the code a user approves at ``verification_url``."""
    login, exchange_token = service.start(
        data["challenge"], data["scope"], data["token_name"], data["expires_in_days"],
        request.remote_addr or "", request.user_agent.string)
    return {"code": login.code, "exchange_token": exchange_token,
            "verification_url": f"{base_url()}{service.PAGE}?code={login.code}",
            "poll_interval": service.POLL_INTERVAL, "expires_date": login.expires_date}


@blp.route("/details/<string:code>", methods=["GET"])
@blp.response(200, DeviceLoginDetailsSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def login_details(code):
    """Show a pending login: the token it asks for and the address it was started from."""
    return service.details(code)


@blp.route("/approve/<string:code>", methods=["POST"])
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def approve_login(code):
    """Approve a pending login: its command gets a new key of the caller's."""
    service.decide(g.caller, code, approve=True)


@blp.route("/deny/<string:code>", methods=["POST"])
@blp.response(204)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def deny_login(code):
    """Deny a pending login: its command is told so and gets no key."""
    service.decide(g.caller, code, approve=False)


@blp.route("/exchange", methods=["POST"])
@blp.arguments(DeviceExchangeArguments, location="body")
@blp.response(200, DeviceTokenSchema)
@blp.alt_response(400, schema=ErrorSchema)
def exchange_login(data):
    """Exchange an approved login for its key, once.

    Until then a 400 whose ``errors.exchange_token`` says why: ``authorization_pending``
    (ask again after ``poll_interval``), ``access_denied``, ``expired_token``, ``invalid_grant``.
    """
    token, key, user = service.exchange(data["exchange_token"], data["verifier"])
    return {"token": key, "token_uuid": token.uuid, "token_name": token.name,
            "scope": token.scope, "expires_date": token.expires_date, "user": user}
