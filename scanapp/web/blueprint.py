"""The pages' blueprint: sign-in required where authentication is on, CSRF checked on posts.

Pages call the services as the API does and render their views with Jinja templates; a
domain error becomes an HTML page with the same status and message as the API's JSON.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, g, redirect, render_template, request, url_for

from scanapp import __version__
from scanapp.errors import ScanappError
from scanapp.services import access
from scanapp.web import session

web = Blueprint("web", __name__, template_folder="templates", static_folder="../static",
                static_url_path="/static")

#: Pages may load only what this server sends, post only to it and not be framed.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: Endpoints open without a session (signing in, the assets).
OPEN_ENDPOINTS = ("web.login", "web.static")


@web.before_request
def check_session():
    """Know who signs the page; send a stranger to sign in; refuse a post without CSRF token."""
    if request.endpoint == "web.static":  # an asset: nobody to look up
        return None
    g.web_caller = session.current_caller()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if session.needs_sign_in():
        query = urlencode({"next": request.full_path.rstrip("?")})
        return redirect(f"{url_for('web.login')}?{query}")
    if request.method == "POST":
        session.check_csrf()
        session.check_scope()
    return None


@web.after_request
def add_headers(response):
    """Send the security headers with every page."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.app_context_processor
def page_values() -> dict:
    """Values every template reads: who is signed in, whether one must, the version."""
    return {"signed_in": g.get("web_caller"),
            "authentication": session.authentication_on(), "version": __version__}


web.add_app_template_global(session.csrf_token, "csrf_token")  # in imported macros too


@web.errorhandler(ScanappError)
def error_page(error: ScanappError):
    """Render a domain error as a page with the API's status and message."""
    return render_template("error.html", status=error.http_status,
                           message=error.message), error.http_status


def caller():
    """Return who the page acts for: None (the operator) where authentication is off."""
    return g.get("web_caller") if session.authentication_on() else None


def require_project(uuid: str, need: str = "member") -> None:
    """Refuse a project the caller may not see (404) or act on with role ``need`` (403)."""
    access.require_project(uuid, caller(), need)


def require_run(uuid: str, need: str = "member") -> None:
    """Refuse a run whose project the caller may not see (404) or act on (403)."""
    access.require_run(uuid, caller(), need)
