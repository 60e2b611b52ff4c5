"""``/tokens/``: the signed-in user's API tokens: list, create (its key shown once), revoke.

A new key is kept in the session only until the next page shows it (the cookie is signed
and HTTP-only, and the key is the user's own); the list shows each token's prefix, never
its key. Revoking the token of this session signs it out.
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from scanapp.errors import InvalidInputError
from scanapp.schemas.users import TokenSchema
from scanapp.services import users as service
from scanapp.web.account import act, needs_user
from scanapp.web.blueprint import web

_NEW_KEY = "new_token_key"


def _days(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 3650:
        raise InvalidInputError.for_field("expires_in_days", "Give 1 to 3650 days, or none.")
    return int(text)


@web.route("/tokens/", methods=["GET"])
@needs_user
def tokens(caller):
    """List the user's tokens (name, prefix, scope, last use, expiry); a new key once."""
    return render_template("tokens.html", tokens=TokenSchema(many=True).dump(
        service.list_tokens(caller.user_id)), new=session.pop(_NEW_KEY, None),
        current=caller.token_uuid, scopes=service.SCOPES)


@web.route("/tokens/", methods=["POST"])
@needs_user
def create_token(caller):
    """Create a token; the list then shows its key, this once."""
    form = request.form

    def create():
        token, key = service.create_token(caller.user_id, form.get("name", "").strip(),
                                          form.get("scope", "write"),
                                          expires_in_days=_days(form.get("expires_in_days", "")))
        session[_NEW_KEY] = {"name": token.name, "key": key}

    act(create)
    return redirect(url_for("web.tokens"), code=303)


@web.route("/tokens/<uuid:token>/revoke", methods=["POST"])
@needs_user
def revoke_token(caller, token):
    """Revoke a token: its key stops working at once (this session too, if it is its)."""
    service.revoke_token(caller.user_id, str(token))
    return redirect(url_for("web.tokens"), code=303)
