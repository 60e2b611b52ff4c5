"""Signing in with an API token, the session cookie, and the CSRF token of every form.

The session (Flask's signed, HTTP-only cookie) keeps the token's uuid, never its key:
revoking the token ends the session. Every form carries ``csrf_token``, a random value kept
in the session; a post without it, or with another, is refused with 400 before it acts.
"""

from __future__ import annotations

import hmac
import secrets

from flask import g, request, session

from scanapp.config import get_settings
from scanapp.errors import ForbiddenError, InvalidInputError
from scanapp.services.users import Caller, caller_for_token

CSRF_FIELD = "csrf_token"
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


def authentication_on() -> bool:
    """Tell whether pages need a signed-in user (``SCANAPP_REQUIRE_AUTHENTICATION``)."""
    return get_settings().require_authentication


def current_caller() -> Caller | None:
    """Return the user signed in on this session, None when nobody is (or the token is gone)."""
    token = session.get("token")
    return caller_for_token(token) if token else None


def needs_sign_in() -> bool:
    """Tell whether the request must first sign in."""
    return authentication_on() and g.get("web_caller") is None


def sign_in(caller: Caller) -> None:
    """Keep ``caller``'s token on the session, with a fresh CSRF token."""
    session.clear()
    session.permanent = True
    session["token"] = caller.token_uuid
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out() -> None:
    """Forget who was signed in."""
    session.clear()


def csrf_token() -> str:
    """Return the session's CSRF token, making one on first use."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    """Refuse a form post whose CSRF token is not the session's."""
    sent = request.form.get(CSRF_FIELD, "")
    kept = session.get(CSRF_FIELD, "")
    if not sent or not kept or not hmac.compare_digest(sent, kept):
        raise InvalidInputError(
            "The form's CSRF token is missing or out of date: reload the page and send it again.")


def check_scope() -> None:
    """Refuse a post by a read-scope token."""
    caller = g.get("web_caller")
    if authentication_on() and caller is not None and caller.scope == "read":
        raise ForbiddenError("This token has the read scope: it can only read.")
