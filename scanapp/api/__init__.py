"""The Flask application factory and the API blueprints."""

from __future__ import annotations

import logging
import pkgutil
import time
from importlib import import_module

from flask import Flask, g, request
from flask_smorest import Api

from scanapp import __version__
from scanapp.api import device_page, metrics
from scanapp.api.auth import register_auth
from scanapp.api.body import refuse_nul_characters
from scanapp.api.errors import register_error_handlers
from scanapp.api.limits import register_limits
from scanapp.config import get_settings, unknown_variables
from scanapp.schemas.fields import set_base_url
from scanapp.schemas.lists import ErrorSchema
from scanapp.web import SWAGGER_UI_URL, register_web

#: Blueprints registered first, in this order (their routes win over later ones);
#: every other module of ``scanapp.api`` that defines ``blp`` follows, by name.
FIRST_BLUEPRINTS = ("projects",)


class ScanappApi(Api):
    """flask-smorest's Api documenting every error with scanapp's error shape."""

    ERROR_SCHEMA = ErrorSchema


def blueprint_modules() -> list[str]:
    """Return the names of the ``scanapp.api`` modules that define a blueprint, in order.

    Endpoint modules are found, not listed: adding one is adding a module with a ``blp``.
    """
    names = [info.name for info in pkgutil.iter_modules(__path__) if info.name != "metrics"]
    found = [name for name in names if hasattr(import_module(f"{__name__}.{name}"), "blp")]
    return [*FIRST_BLUEPRINTS, *sorted(set(found) - set(FIRST_BLUEPRINTS))]


def create_app(config: dict | None = None) -> Flask:
    """Create the WSGI application."""
    settings = get_settings()
    for warning in unknown_variables():
        logging.getLogger("scanapp").warning(warning)
    app = Flask("scanapp")
    app.config.update(
        API_TITLE="scanapp",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs/",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,  # served here: /api/docs/ works air-gapped
        MAX_CONTENT_LENGTH=settings.max_upload_size,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False
    app.url_map.strict_slashes = False
    if config:
        app.config.update(config)
    api = ScanappApi(app, spec_kwargs={"components": {"securitySchemes": _security_schemes()}})
    register_error_handlers(app)
    register_limits(app)  # before the key is checked: a refused address is not looked up
    register_auth(app)
    app.before_request(_start_clock)
    app.before_request(refuse_nul_characters)
    app.before_request(_use_request_host)
    app.after_request(_log_access)
    for name in blueprint_modules():
        api.register_blueprint(import_module(f"scanapp.api.{name}").blp)
    app.register_blueprint(metrics.blp)  # not an API blueprint: not in the OpenAPI document
    app.register_blueprint(device_page.page)  # a page, neither
    register_web(app)  # the web pages, neither
    app.after_request(metrics.observe)
    return app


ACCESS_LOG = logging.getLogger("scanapp.access")


def _start_clock() -> None:
    g.started = time.monotonic()


def _log_access(response):
    """Log ``METHOD path status duration user`` for every request."""
    elapsed = (time.monotonic() - g.get("started", time.monotonic())) * 1000
    ACCESS_LOG.info("%s %s %s %.1fms user=%s", request.method, request.full_path.rstrip("?"),
                    response.status_code, elapsed, g.get("username") or "-")
    return response


def _use_request_host() -> None:
    """Dump absolute URLs on the scheme and host the client used."""
    set_base_url(request.host_url)


def _security_schemes() -> dict:
    return {"Token": {"type": "apiKey", "in": "header", "name": "Authorization"}}
