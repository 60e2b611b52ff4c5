"""API key authentication: ``SCANAPP_REQUIRE_AUTHENTICATION`` (``/metrics``: its own setting)."""

from __future__ import annotations

from flask import Flask, g, request

from scanapp.config import get_settings
from scanapp.errors import AuthenticationError
from scanapp.services.users import user_for_key

_OPEN_PATHS = ("/api/openapi.json", "/api/docs", "/api/health", "/api/ready")


def _needs_key(path: str) -> bool:
    settings = get_settings()
    if path == "/metrics":
        return settings.metrics_require_authentication
    if not settings.require_authentication or not (path == "/api" or path.startswith("/api/")):
        return False
    return not path.startswith(_OPEN_PATHS)


def register_auth(app: Flask) -> None:
    """Require ``Authorization: Token <key>`` (or ``Bearer <key>``) on every /api/ call."""

    @app.before_request
    def check_key():
        if not _needs_key(request.path):
            return None
        scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or not key.strip():
            raise AuthenticationError("Authentication credentials were not provided.")
        username = user_for_key(key.strip())
        if username is None:
            raise AuthenticationError("Invalid token.")
        g.username = username
        return None
