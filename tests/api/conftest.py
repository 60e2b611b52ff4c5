"""Fixtures of the API tests: calls made as one of several users."""

from __future__ import annotations

import pytest


@pytest.fixture
def call(client, keys):
    """Call the API as a user named in the test's ``keys`` fixture ("" for no key)."""
    def call(method: str, who: str, path: str, headers: dict | None = None, **kwargs):
        headers = {**(headers or {}), **({"Authorization": f"Bearer {keys[who]}"} if who else {})}
        return getattr(client, method)(f"/api{path}", headers=headers, **kwargs)
    return call
