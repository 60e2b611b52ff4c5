"""Helpers of the page tests on Flask's test client: forms' CSRF token, signing in."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """Return the CSRF token of the form on ``path`` (the session's)."""
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def sign_in(client, key: str):
    """Sign ``client`` in with the API key ``key``; return the response."""
    return client.post("/login", data={"key": key, "csrf_token": csrf_token(client)})


def post_form(client, path: str, data: dict | None = None, **kwargs):
    """Post a form with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)
