"""API key authentication: ``SCANAPP_REQUIRE_AUTHENTICATION`` (``/metrics``: its own setting).

A key is sent as ``Authorization: Token <key>`` or ``Bearer <key>``. With authentication on,
every /api/ call but the open ones needs one, and a token of the ``read`` scope sends only
GET, HEAD and OPTIONS requests; ``/api/user`` (tokens, invitations),
``/api/organizations/``, ``/api/events/`` and a login's approval need one in both modes;
starting and exchanging a login (``/api/authorizations``) need none in either. Where none is
needed, a key sent is read (the caller is known) but never refused.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, g, request

from scanapp.audit import Origin, set_origin
from scanapp.config import get_settings
from scanapp.errors import AuthenticationError, ForbiddenError
from scanapp.services.events import record_event
from scanapp.services.users import authenticate

_OPEN_PATHS = ("/api/openapi.json", "/api/docs", "/api/health", "/api/ready",
               "/api/authorizations")
#: Paths about the caller and their teams: they need a key whatever the setting (a login's
#: approval too: the key it gives is the approver's).
_CALLER_PATHS = ("/api/user/", "/api/organizations", "/api/events",
                 "/api/authorizations/details/", "/api/authorizations/approve/",
                 "/api/authorizations/deny/")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")
#: Pages whose form posts a key (``/login/device``, the web sign-in ``/login``): their
#: failures count like a header's.
KEY_FORM_PATHS = ("/login/device", "/login")


def needs_key(path: str) -> bool:
    """Tell whether a request to ``path`` must carry a valid key."""
    settings = get_settings()
    if path == "/metrics":
        return settings.metrics_require_authentication
    if path == "/api/user" or path.startswith(_CALLER_PATHS):
        return True
    if not settings.require_authentication or not (path == "/api" or path.startswith("/api/")):
        return False
    return not path.startswith(_OPEN_PATHS)


def register_auth(app: Flask) -> None:
    """Read the caller's key on every request; refuse it where one is needed and bad."""

    @app.before_request
    def check_key():
        scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
        key = key.strip() if scheme.lower() in ("token", "bearer") else ""
        caller = authenticate(key) if key else None
        g.caller, g.username = caller, caller.username if caller else None
        set_origin(Origin(
            username=g.username or "", origin_address=request.remote_addr or "",
            user_agent=request.user_agent.string, referer=request.referrer or "",
            variables=request.query_string.decode(errors="replace")))
        if not needs_key(request.path):
            # Open to anyone: a key is read but never refused (a client configured for
            # another server keeps working), nor is its scope (anyone may write here).
            return None
        if not key:
            refuse("Authentication credentials were not provided.")
        if caller is None:
            refuse("Invalid token.")
        if caller.scope == "read" and request.method not in _READ_METHODS:
            raise ForbiddenError("This token has the read scope: it can only read.")
        return None

    @app.teardown_request
    def forget_origin(_error=None):
        set_origin(None)


def sends_key() -> bool:
    """Tell whether the request carries a key: a header, or a key form's post."""
    return "Authorization" in request.headers or (
        request.method == "POST" and request.path in KEY_FORM_PATHS)


def refuse(reason: str) -> None:
    """Record the failed authentication (an audit event), then answer 401.

    A database that cannot take the event does not turn the 401 into an error: it is logged.
    """
    try:
        record_event("auth.failed", reason=reason, method=request.method, path=request.path)
    except sa.exc.SQLAlchemyError as error:
        logging.getLogger("scanapp").warning("Failed authentication not recorded: %s", error)
    raise AuthenticationError(reason)
