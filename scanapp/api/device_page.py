"""``/login/device``: the page where a user approves the code ``scanapp login`` shows.

A plain HTML form (no script, nothing fetched from elsewhere): the code and the approver's
API key, Approve or Deny. The key travels in the form, not in a cookie, so another site
cannot post it for the user (no cross-site request forgery to guard against); a wrong key
is a failed authentication like any other (an audit event, counted by the limiter).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, render_template, request

from scanapp.api.auth import KEY_FORM_PATHS, refuse
from scanapp.audit import current_origin, set_origin
from scanapp.errors import AuthenticationError, ForbiddenError, NotFoundError
from scanapp.services import device_logins as service
from scanapp.services.users import authenticate

page = Blueprint("device_page", __name__)
assert service.PAGE in KEY_FORM_PATHS  # noqa: S101 - the limiter counts this form's failures

#: The page may not be framed, fetch anything or post anywhere but here.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@page.route(service.PAGE, methods=["GET"])
def show():
    """Show the form, with what the login asks for when its code is given and waiting."""
    code = request.args.get("code", "")
    login, message = None, ""
    if code:
        try:
            login = service.details(code)
        except NotFoundError as error:
            message = error.message
    return _page(200, code=code, login=login, message=message, error=bool(message))


@page.route(service.PAGE, methods=["POST"])
def decide():
    """Approve or deny the code with the key given."""
    code, key = request.form.get("code", ""), request.form.get("key", "").strip()
    approve = request.form.get("action", "approve") != "deny"
    try:
        caller = authenticate(key) if key else None
        if caller is None:
            refuse("Invalid token." if key else "Authentication credentials were not provided.")
        if caller.scope == "read":
            raise ForbiddenError("This token has the read scope: it cannot approve a login.")
        set_origin(replace(current_origin(), username=caller.username))
        login = service.decide(caller, code, approve)
    except (AuthenticationError, ForbiddenError, NotFoundError) as error:
        return _page(error.http_status, code=code, message=error.message, error=True,
                     show_form=True)
    message = (f"Approved: scanapp login is now signed in as {caller.username}. "
               "You may close this page." if approve else "Denied: the login gets no key.")
    return _page(200, code=login.code, message=message, show_form=False)


def _page(status: int, show_form: bool = True, **values):
    values.setdefault("login", None)
    html = render_template("device_login.html", page=service.PAGE, show_form=show_form, **values)
    return html, status, HEADERS
