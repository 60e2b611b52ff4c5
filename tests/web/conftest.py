"""Helpers of the page tests: the CSRF token of a page, signing the test client in."""

from __future__ import annotations

import re

import pytest

from scanapp.services.users import create_user
from tests.conftest import override

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client) -> str:
    """Return the session's CSRF token, as the sign-in form carries it."""
    found = CSRF.search(client.get("/login").get_data(as_text=True))
    assert found, "no csrf_token on /login"
    return found.group(1)


def sign_in(client, key: str) -> str:
    """Sign ``client`` in with ``key``; return the session's (new) CSRF token."""
    response = client.post("/login", data={"key": key, "csrf_token": csrf_of(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_of(client)


def post(client, path: str, token: str, **data):
    """Post a form with the CSRF token ``token``."""
    return client.post(path, data={"csrf_token": token, **data})


@pytest.fixture
def users(settings):
    """Authentication on; alice, bob, carol (carol@example.com) and their keys."""
    override(require_authentication=True)
    return {"alice": create_user("alice"), "bob": create_user("bob"),
            "carol": create_user("carol", email="carol@example.com")}


@pytest.fixture
def as_user(app, users):
    """Return a test client signed in as a user, and its CSRF token."""
    def signed(who: str):
        client = app.test_client()
        return client, sign_in(client, users[who])
    return signed


def text(response) -> str:
    """Return the page's HTML."""
    return response.get_data(as_text=True)
