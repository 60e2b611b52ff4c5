"""The caller and their tokens: /api/user, /api/users/{name}, /api/user/tokens/, scopes, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import UserToken, utcnow
from tests.api.test_auth import create_user
from tests.conftest import override

# The rules are the services' (SQLite by default); the tests that store most run on both.
both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def test_the_caller_is_the_owner_of_the_key(client, runner):
    key = create_user(runner, "alice")
    for mode in (False, True):  # a key is needed whether authentication is on or not
        override(require_authentication=mode)
        assert client.get("/api/user").status_code == 401
        assert client.get("/api/user", headers=auth("wrong")).status_code == 401
        me = client.get("/api/user", headers={"Authorization": f"Token {key}"})
        assert me.status_code == 200
        assert me.json["username"] == "alice" and set(me.json) == {
            "uuid", "username", "email", "created_date", "updated_date"}


def test_anyone_sees_a_users_name_and_age_only(client, runner):
    create_user(runner, "alice")
    found = client.get("/api/users/alice")
    assert found.status_code == 200 and set(found.json) == {"username", "created_date"}
    assert client.get("/api/users/nobody").status_code == 404


@both_databases
def test_named_tokens_are_created_listed_and_revoked(client, runner):
    key = create_user(runner, "alice")
    other = create_user(runner, "bob")
    override(require_authentication=True)
    made = client.post("/api/user/tokens/", json={"name": "ci", "scope": "read"},
                       headers=auth(key))
    assert made.status_code == 201, made.json
    assert made.json["scope"] == "read" and made.json["prefix"] == made.json["key"][:8]
    assert "key_hash" not in made.json and "user_id" not in made.json
    ci_key = made.json["key"]
    listed = client.get("/api/user/tokens/", headers=auth(ci_key)).json
    assert [token["name"] for token in listed] == ["default", "ci"]
    assert all("key" not in token for token in listed)
    assert client.get("/api/user/tokens/", headers=auth(other)).json[0]["name"] == "default"
    again = client.post("/api/user/tokens/", json={"name": "ci"}, headers=auth(key))
    assert again.status_code == 400 and "already have a token" in again.json["message"]
    # Bob cannot revoke Alice's token: it does not exist for him.
    path = f"/api/user/tokens/{made.json['uuid']}/"
    assert client.delete(path, headers=auth(other)).status_code == 404
    assert client.delete(path, headers=auth(key)).status_code == 204
    assert client.get("/api/projects/", headers=auth(ci_key)).status_code == 401


def test_a_read_token_only_reads(client, runner):
    key = create_user(runner, "alice")
    read = client.post("/api/user/tokens/", json={"name": "reader", "scope": "read"},
                       headers=auth(key)).json["key"]
    override(require_authentication=True)
    assert client.get("/api/projects/", headers=auth(read)).status_code == 200
    refused = client.post("/api/projects/", json={"name": "p"}, headers=auth(read))
    assert refused.status_code == 403 and "read scope" in refused.json["message"]
    assert client.post("/api/projects/", json={"name": "p"}, headers=auth(key)).status_code == 201


@both_databases
def test_an_expired_token_is_refused(client, runner):
    key = create_user(runner, "alice")
    made = client.post("/api/user/tokens/", json={"name": "short", "expires_in_days": 1},
                       headers=auth(key)).json
    assert made["expires_date"] is not None
    override(require_authentication=True)
    assert client.get("/api/projects/", headers=auth(made["key"])).status_code == 200
    with session_scope() as session:
        session.execute(sa.update(UserToken).where(UserToken.uuid == made["uuid"])
                        .values(expires_date=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/projects/", headers=auth(made["key"])).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({}, "name"),
    ({"name": "x", "scope": "admin"}, "scope"),
    ({"name": "x", "expires_date": "2000-01-01T00:00:00Z"}, "expires_date"),
    ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "x", "expires_in_days": 3, "expires_date": "2999-01-01T00:00:00Z"},
     "expires_date"),
])
def test_bad_token_requests_say_what_is_wrong(client, runner, body, field):
    key = create_user(runner, "alice")
    response = client.post("/api/user/tokens/", json=body, headers=auth(key))
    assert response.status_code == 400, response.json
    assert field in response.json["errors"], response.json
    assert [token["name"] for token in client.get("/api/user/tokens/", headers=auth(key)).json] == [
        "default"]  # nothing stored
