"""API keys: `scanapp create-user` prints one, stored hashed; required when the setting says so."""

import hashlib

import pytest
from sqlmodel import select

from scanapp.cli import cli
from scanapp.db import session_scope
from scanapp.models import Project, User, UserToken
from tests.conftest import override

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def create_user(runner, name: str) -> str:
    result = runner.invoke(cli, ["create-user", name])
    assert result.exit_code == 0, result.output
    return result.output.split()[-1]


def test_create_user_prints_a_key_stored_hashed(runner, settings):
    key = create_user(runner, "alice")
    assert len(key) >= 32
    with session_scope() as session:
        [(token, user)] = session.exec(select(UserToken, User).join(User)).all()
    assert (user.username, token.name, token.scope) == ("alice", "default", "write")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in token.key_hash
    assert create_user(runner, "bob") != key


def test_create_user_admin_makes_a_server_administrator(runner, settings):
    result = runner.invoke(cli, ["create-user", "root", "--admin", "--email", "root@example.com"])
    assert result.exit_code == 0 and result.output.startswith("Server administrator root")
    create_user(runner, "alice")
    with session_scope() as session:
        users = {user.username: (user.is_admin, user.email) for user in session.exec(select(User))}
    assert users == {"root": (True, "root@example.com"), "alice": (False, "")}


def test_create_user_twice_fails_clearly(runner, settings):
    create_user(runner, "alice")
    result = runner.invoke(cli, ["create-user", "alice"])
    assert result.exit_code != 0
    with session_scope() as session:
        assert len(session.exec(select(UserToken)).all()) == 1


def test_authentication_is_off_by_default(client):
    assert client.get("/api/projects/").status_code == 200
    # A key sent where none is needed is never refused (a client set up for another server).
    assert client.get("/api/projects/", headers={"Authorization": "Token other"}).status_code == 200


def test_required_authentication_refuses_without_a_valid_key(client, runner):
    key = create_user(runner, "alice")
    override(require_authentication=True)
    for headers in (
        {},
        {"Authorization": "Token"},
        {"Authorization": "Token wrong"},
        {"Authorization": f"Basic {key}"},
        {"Authorization": key},
    ):
        response = client.get("/api/projects/", headers=headers)
        assert response.status_code == 401, headers
        assert response.is_json
        assert response.json["code"] == 401 and response.json["message"], headers
    refused = client.post("/api/projects/", json={"name": "nope"}, headers={})
    assert refused.status_code == 401
    with session_scope() as session:
        assert session.exec(select(Project)).all() == []


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "bearer"])
def test_token_and_bearer_keys_are_accepted(client, runner, scheme):
    key = create_user(runner, "alice")
    override(require_authentication=True)
    headers = {"Authorization": f"{scheme} {key}"}
    response = client.post("/api/projects/", json={"name": "authed"}, headers=headers)
    assert response.status_code == 201, response.json
    assert client.get("/api/projects/", headers=headers).json["count"] == 1


def test_openapi_document_stays_readable_without_a_key(client):
    override(require_authentication=True)
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/projects/").status_code == 401
