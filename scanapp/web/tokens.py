"""``/tokens/``: the signed-in user's API tokens: list, create (its key shown once), revoke.

A new key is shown once, on the answer to the form that made it (201): it is kept nowhere,
not in the session cookie either (signed, not encrypted). The list shows each token's
prefix, never its key. Revoking the token of this session signs it out.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from scanapp.errors import InvalidInputError
from scanapp.schemas.users import TokenSchema
from scanapp.services import users as service
from scanapp.web.account import act, needs_user
from scanapp.web.blueprint import web


def _days(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 3650:
        raise InvalidInputError.for_field("expires_in_days", "Give 1 to 3650 days, or none.")
    return int(text)


def _page(caller, new: dict | None = None) -> str:
    return render_template("tokens.html", tokens=TokenSchema(many=True).dump(
        service.list_tokens(caller.user_id)), new=new, current=caller.token_uuid,
        scopes=service.SCOPES)


@web.route("/tokens/", methods=["GET"])
@needs_user
def tokens(caller):
    """List the user's tokens (name, prefix, scope, last use, expiry)."""
    return _page(caller)


@web.route("/tokens/", methods=["POST"])
@needs_user
def create_token(caller):
    """Create a token and show its key, this once (201); a refusal goes back to the list."""
    form = request.form
    made = {}

    def create():
        token, key = service.create_token(caller.user_id, form.get("name", "").strip(),
                                          form.get("scope", "write"),
                                          expires_in_days=_days(form.get("expires_in_days", "")))
        made.update(name=token.name, key=key)

    if not act(create):
        return redirect(url_for("web.tokens"), code=303)
    return _page(caller, made), 201


@web.route("/tokens/<uuid:token>/revoke", methods=["POST"])
@needs_user
def revoke_token(caller, token):
    """Revoke a token: its key stops working at once (this session too, if it is its)."""
    service.revoke_token(caller.user_id, str(token))
    return redirect(url_for("web.tokens"), code=303)
