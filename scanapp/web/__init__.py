"""The web pages: server-rendered HTML for the people who read the results.

Every page is a module of this package that adds its routes to :data:`blueprint.web`;
importing the package registers them all. Assets (Pico CSS, the page script, Swagger UI)
come from this package and from ``swagger-ui-bundle``, never from a CDN: the pages work on a
machine without internet. Sign-in, the session and CSRF checks: :mod:`scanapp.web.session`.
"""

from __future__ import annotations

import pkgutil
from datetime import timedelta
from importlib import import_module

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from scanapp.config import get_settings
from scanapp.services.site_secret import secret_key
from scanapp.web.blueprint import web

#: Where /api/docs/ (flask-smorest's page) takes Swagger UI's files from.
SWAGGER_UI_URL = "/static/swagger-ui/"


def _page_modules() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(__path__)
            if info.name not in ("blueprint", "session")]


def register_web(app: Flask) -> None:
    """Add the pages, their assets and the signed, HTTP-only session cookie to ``app``."""
    settings = get_settings()
    app.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.site_url.startswith("https://"),
        SESSION_COOKIE_NAME="scanapp_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    for name in _page_modules():
        import_module(f"{__name__}.{name}")
    app.register_blueprint(web)

    @app.route(f"{SWAGGER_UI_URL}<path:filename>", endpoint="swagger_ui_asset")
    def swagger_ui_asset(filename):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)
