"""Repeated failed authentications from one address are refused for a while (429).

flask-limiter counts, per client address, the requests answered 401 (a missing or wrong key
where one is needed, or in the key form of ``/login/device``); past
``SCANAPP_AUTH_FAILURE_LIMIT`` (``10 per minute`` by default, "" off) every request from
that address answers 429 until the window has moved on. The counts are kept in Redis
(``SCANAPP_REDIS_URL``: shared by every server process and host), in memory while Redis
cannot be reached. A request with no key where none is needed is not counted.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from scanapp.api.auth import needs_key, sends_key
from scanapp.config import get_settings


def register_limits(app: Flask) -> Limiter | None:
    """Count failed authentications per address; refuse past the limit. Register it first."""
    settings = get_settings()
    if not settings.auth_failure_limit:
        return None
    return Limiter(
        get_remote_address,
        app=app,
        application_limits=[settings.auth_failure_limit],
        application_limits_deduct_when=lambda response: response.status_code == 401,
        application_limits_exempt_when=lambda: not sends_key() and not needs_key(request.path),
        storage_uri=settings.redis_url,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        key_prefix="scanapp-auth-failures",
        headers_enabled=False,
    )
