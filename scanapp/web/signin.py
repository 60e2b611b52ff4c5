"""``/login`` and ``/logout``: signing in with an API token, signing out."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from scanapp.services.events import record_event
from scanapp.services.users import authenticate
from scanapp.web import session
from scanapp.web.blueprint import web


def _safe_next(target: str) -> str:
    """Return ``target`` when it is a path of this site, else the project list."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("web.projects")


@web.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign in with the token given (the form is CSRF-checked too)."""
    next_page = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        return render_template("login.html", next=next_page, message="")
    session.check_csrf()
    caller = authenticate(request.form.get("key", "").strip())
    if caller is None:  # an audit event, and a failure the limiter counts (a 401)
        record_event("auth.failed", reason="Invalid token.", method="POST", path=request.path)
        return render_template("login.html", next=next_page,
                               message="This token is not valid: check it and try again."), 401
    session.sign_in(caller)
    return redirect(next_page)


@web.route("/logout", methods=["POST"])
def logout():
    """Sign out and go back to the sign-in form."""
    session.sign_out()
    return redirect(url_for("web.login"))


@web.route("/", methods=["GET"])
def home():
    """Send the home page to the project list."""
    return redirect(url_for("web.projects"))
