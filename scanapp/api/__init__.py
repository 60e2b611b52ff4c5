"""The Flask application factory and the API blueprints."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from scanapp import __version__
from scanapp.api.auth import register_auth
from scanapp.api.errors import register_error_handlers
from scanapp.config import get_settings

#: Modules of ``scanapp.api`` that define a ``blp`` blueprint, registered in this order.
BLUEPRINT_MODULES = ("projects", "webhooks")


def create_app(config: dict | None = None) -> Flask:
    """Create the WSGI application."""
    settings = get_settings()
    app = Flask("scanapp")
    app.config.update(
        API_TITLE="scanapp",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs/",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        MAX_CONTENT_LENGTH=settings.max_upload_size,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    if config:
        app.config.update(config)
    api = Api(app, spec_kwargs={"components": {"securitySchemes": _security_schemes()}})
    register_error_handlers(app)
    register_auth(app)
    from importlib import import_module

    for name in BLUEPRINT_MODULES:
        api.register_blueprint(import_module(f"scanapp.api.{name}").blp)
    return app


def _security_schemes() -> dict:
    return {"Token": {"type": "apiKey", "in": "header", "name": "Authorization"}}
