"""Command-line logins: /api/authorizations (jsr's device flow) and the /login/device page."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import AuditEvent, DeviceAuthorization, utcnow
from scanapp.services.device_logins import challenge_of
from scanapp.services.users import create_token, create_user, user_by_name
from tests.api.test_auth_limits import app_with_limit
from tests.conftest import override

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def start(client, **body) -> tuple[dict, str]:
    """Start a login as ``scanapp login`` does; return the answer and the verifier."""
    verifier = secrets.token_urlsafe(48)
    answer = client.post("/api/authorizations", json={"challenge": challenge_of(verifier), **body})
    assert answer.status_code == 200, answer.json
    return answer.json, verifier


def exchange(client, started: dict, verifier: str):
    return client.post("/api/authorizations/exchange",
                       json={"exchange_token": started["exchange_token"], "verifier": verifier})


def refusal(response) -> str:
    assert response.status_code == 400, response.json
    return response.json["errors"]["exchange_token"][0]


def event_types() -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.type).order_by(AuditEvent.id)))


@both_databases
@pytest.mark.parametrize("authentication", [True, False])
def test_an_approved_login_gives_the_approver_a_new_key_once(client, authentication):
    key = create_user("alice")
    override(require_authentication=authentication)
    started, verifier = start(client, scope="read", token_name="laptop", expires_in_days=7)
    assert started["poll_interval"] == 2 and started["code"][4] == "-"
    assert started["verification_url"] == (
        f"http://localhost/login/device?code={started['code']}")
    assert refusal(exchange(client, started, verifier)) == "authorization_pending"
    assert refusal(exchange(client, started, "x" * 64)) == "invalid_grant"  # not the verifier
    shown = client.get(f"/api/authorizations/details/{started['code'].lower()}",
                       headers=auth(key))
    assert shown.status_code == 200 and shown.json["status"] == "pending"
    assert shown.json["scope"] == "read" and shown.json["token_name"] == "laptop"
    approved = client.post(f"/api/authorizations/approve/{started['code']}", headers=auth(key))
    assert approved.status_code == 204
    given = exchange(client, started, verifier)
    assert given.status_code == 200, given.json
    assert given.json["user"]["username"] == "alice" and given.json["scope"] == "read"
    assert given.json["token_name"] == "laptop" and given.json["expires_date"]
    new_key = given.json["token"]
    assert client.get("/api/user", headers=auth(new_key)).json["username"] == "alice"
    tokens = client.get("/api/user/tokens/", headers=auth(new_key)).json
    assert [(t["name"], t["scope"]) for t in tokens] == [("default", "write"), ("laptop", "read")]
    assert refusal(exchange(client, started, verifier)) == "invalid_grant"  # once only
    assert event_types() == ["login.start", "login.approve", "token.create"]


def test_a_denied_or_expired_login_gives_no_key(client):
    key = create_user("alice")
    started, verifier = start(client)
    assert client.post(f"/api/authorizations/deny/{started['code']}",
                       headers=auth(key)).status_code == 204
    assert refusal(exchange(client, started, verifier)) == "access_denied"
    # Decided: it can no longer be approved.
    assert client.post(f"/api/authorizations/approve/{started['code']}",
                       headers=auth(key)).status_code == 404
    late, late_verifier = start(client)
    with session_scope() as session:
        session.execute(sa.update(DeviceAuthorization)
                        .where(DeviceAuthorization.code == late["code"])
                        .values(expires_date=utcnow() - timedelta(seconds=1)))
    assert client.post(f"/api/authorizations/approve/{late['code']}",
                       headers=auth(key)).status_code == 404
    assert refusal(exchange(client, late, late_verifier)) == "expired_token"
    with session_scope() as session:  # the next start deletes logins expired for an hour
        session.execute(sa.update(DeviceAuthorization)
                        .values(expires_date=utcnow() - timedelta(hours=2)))
    start(client)
    with session_scope() as session:
        assert len(session.exec(select(DeviceAuthorization)).all()) == 1


def test_approving_needs_a_write_key_and_reading_a_code_a_key(client):
    key = create_user("alice")
    _, read_key = create_token(user_by_name("alice").id, "ro", scope="read")
    started, _ = start(client)
    code = started["code"]
    assert client.get(f"/api/authorizations/details/{code}").status_code == 401
    assert client.post(f"/api/authorizations/approve/{code}").status_code == 401
    assert client.post(f"/api/authorizations/approve/{code}",
                       headers=auth(read_key)).status_code == 403
    assert client.post("/api/authorizations/approve/BCDF-GHJK",
                       headers=auth(key)).status_code == 404
    assert client.get(f"/api/authorizations/details/{code}",
                      headers=auth(key)).json["status"] == "pending"


def test_bad_starts_are_400s_naming_the_field(client):
    bad = client.post("/api/authorizations", json={"challenge": "short"})
    assert bad.status_code == 400 and "challenge" in bad.json["errors"]
    bad = client.post("/api/authorizations", json={"challenge": "a" * 43, "scope": "root"})
    assert bad.status_code == 400 and "scope" in bad.json["errors"]
    with session_scope() as session:
        assert session.exec(select(DeviceAuthorization)).first() is None


def test_a_second_login_with_the_same_token_name_gets_a_numbered_one(client):
    key = create_user("alice")
    names = []
    for _ in range(2):
        started, verifier = start(client, token_name="laptop")
        client.post(f"/api/authorizations/approve/{started['code']}", headers=auth(key))
        names.append(exchange(client, started, verifier).json["token_name"])
    assert names == ["laptop", "laptop (2)"]


def test_the_page_approves_with_the_key_typed_in_its_form(client):
    key = create_user("alice")
    started, verifier = start(client)
    page = client.get(f"/login/device?code={started['code']}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert started["code"] in page.text and "scanapp login" in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "http" not in page.text.split("<body>")[1]  # nothing fetched from elsewhere
    wrong = client.post("/login/device", data={"code": started["code"], "key": "nope"})
    assert wrong.status_code == 401 and "Invalid token" in wrong.text
    assert refusal(exchange(client, started, verifier)) == "authorization_pending"
    done = client.post("/login/device", data={"code": started["code"], "key": key,
                                              "action": "approve"})
    assert done.status_code == 200 and "signed in as alice" in done.text
    assert exchange(client, started, verifier).status_code == 200
    assert event_types() == ["login.start", "auth.failed", "login.approve", "token.create"]
    with session_scope() as session:
        approval = session.exec(select(AuditEvent).where(AuditEvent.type == "login.approve")).one()
    assert approval.username == "alice"


def test_the_page_denies_and_refuses_read_keys_and_unknown_codes(client):
    key = create_user("alice")
    _, read_key = create_token(user_by_name("alice").id, "ro", scope="read")
    started, verifier = start(client)
    read = client.post("/login/device", data={"code": started["code"], "key": read_key})
    assert read.status_code == 403 and "read scope" in read.text
    unknown = client.post("/login/device", data={"code": "BCDF-GHJK", "key": key})
    assert unknown.status_code == 404 and "No login waits" in unknown.text
    assert "No login waits" in client.get("/login/device?code=BCDF-GHJK").text
    denied = client.post("/login/device", data={"code": started["code"], "key": key,
                                                "action": "deny"})
    assert denied.status_code == 200 and "Denied" in denied.text
    assert refusal(exchange(client, started, verifier)) == "access_denied"


def test_wrong_keys_typed_in_the_page_count_towards_the_limit(redis_url):
    key = create_user("alice")
    client = app_with_limit("2 per minute")
    form = {"environ_base": {"REMOTE_ADDR": "10.0.0.9"}}
    for _ in range(2):
        assert client.post("/login/device", data={"code": "BCDF-GHJK", "key": "x"},
                           **form).status_code == 401
    assert client.post("/login/device", data={"code": "BCDF-GHJK", "key": key},
                       **form).status_code == 429
    assert client.get("/api/user", headers=auth(key), **form).status_code == 429
