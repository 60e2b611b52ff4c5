"""Audit events: recorded with the changes, exported as CSV in Scarf's layout, aggregated."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import AuditEvent, Organization
from scanapp.services.events import COLUMNS
from scanapp.services.users import create_user as new_user
from tests.conftest import override

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
TODAY = date.today()
DAYS = f"start_date={TODAY}&end_date={TODAY + timedelta(days=1)}"
BROWSER = {"User-Agent": "audit-test/1.0", "Referer": "https://intranet.example.com/"}


@pytest.fixture
def keys(settings):
    override(require_authentication=True)
    return {"alice": new_user("alice"), "bob": new_user("bob"), "dave": new_user("dave"),
            "root": new_user("root", is_admin=True)}


@pytest.fixture
def acme(call):
    """alice owns acme and its project app; bob is a member."""
    assert call("post", "alice", "/organizations/", json={"name": "acme"}).status_code == 201
    call("post", "alice", "/organizations/acme/invitations/", json={"username": "bob"})
    assert call("post", "bob", "/user/invites/acme").status_code == 200
    made = call("post", "alice", "/projects/", json={
        "name": "app", "organization": "acme", "pipeline": "do_nothing"}, headers=BROWSER)
    assert made.status_code == 201, made.json
    return made.json


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.json
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0] == ",".join(COLUMNS)  # the header row, Scarf's columns first
    return list(csv.DictReader(io.StringIO(text)))


@both_databases
def test_each_action_is_one_row_of_the_export(call, acme, client, keys):
    uuid = acme["uuid"]
    call("post", "alice", f"/projects/{uuid}/permissions/",
         json={"user_query": "dave", "permission_level": "member"})
    client.get(f"/api/projects/{uuid}/results_download/?output_format=json",
               headers={"Authorization": f"Token {keys['dave']}", **BROWSER})
    assert call("post", "bob", f"/projects/{uuid}/archive/", json={}).status_code == 403
    client.get("/api/projects/", headers={"Authorization": "Token wrong"})
    found = rows(call("get", "alice", f"/organizations/acme/events/acme-audit.csv?{DAYS}"))
    assert [(row["type"], row["username"]) for row in found] == [
        ("organization.create", "alice"), ("invitation.create", "alice"),
        ("invitation.accept", "bob"), ("project.create", "alice"),
        ("project.permission", "alice"), ("download.results", "dave")]
    create, download = found[3], found[-1]
    assert create["package"] == "app" and create["project_uuid"] == uuid
    assert '"pipelines": ["do_nothing"]' in create["details"]  # given at creation
    assert create["organization"] == "acme"
    assert create["user_agent"] == "audit-test/1.0"
    assert create["referer"] == "https://intranet.example.com/"
    assert create["origin_address"] == "127.0.0.1" and len(create["origin_id"]) == 16
    assert download["variables"] == "output_format=json"
    assert '"output_format": "json"' in download["details"]
    assert datetime.fromisoformat(download["time"]).tzinfo is not None
    # The failed authentication belongs to no organization: a server administrator sees it.
    server = rows(call("get", "root", f"/events/all.csv?{DAYS}"))
    failed = [row for row in server if row["type"] == "auth.failed"]
    assert len(failed) == 1 and failed[0]["username"] == ""
    assert '"reason": "Invalid token."' in failed[0]["details"]
    assert call("get", "alice", f"/events/all.csv?{DAYS}").status_code == 403


def test_a_refused_change_records_nothing(call, acme):
    uuid = acme["uuid"]
    before = _count()
    response = call("post", "alice", f"/projects/{uuid}/permissions/", json=[
        {"user_query": "dave", "permission_level": "member"},
        {"user_query": "nobody", "permission_level": "member"}])
    assert response.status_code == 400
    assert call("post", "alice", "/projects/", json={"name": "app"}).status_code == 400
    assert call("delete", "alice", "/organizations/acme/").status_code == 400  # holds app
    assert _count() == before


def _count() -> int:
    with db.session_scope() as session:
        return len(session.exec(select(AuditEvent)).all())


def _event_at(when: datetime) -> None:
    """Store an event of acme's at ``when`` (the origin: the CLI's)."""
    with db.session_scope() as session:
        acme = session.exec(select(Organization).where(Organization.name == "acme")).one()
        session.add(AuditEvent(type="project.create", time=when, organization_id=acme.id,
                               organization="acme"))


def test_the_range_is_start_inclusive_end_exclusive_at_most_31_days(call, acme):
    start = date(2026, 3, 1)
    for when in (datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC),
                 datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 15, 12, tzinfo=UTC),
                 datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)):
        _event_at(when)
    found = rows(call("get", "alice",
                      "/organizations/acme/events/march.csv?start_date=2026-03-01"
                      "&end_date=2026-04-01"))
    assert [row["time"][:19] for row in found] == [
        "2026-03-01T00:00:00", "2026-03-15T12:00:00", "2026-03-31T23:59:59"]
    for query, field, text in (
        (f"start_date={start}&end_date=2026-04-02", "end_date", "at most 31 days; this one"
                                                                 " covers 32"),
        ("start_date=2026-03-01", "end_date", "required"),
        ("start_date=2026-03-05&end_date=2026-03-01", "end_date", "after start_date"),
        ("start_date=March&end_date=2026-03-05", "start_date", "is not a date"),
    ):
        response = call("get", "alice", f"/organizations/acme/events/x.csv?{query}")
        assert response.status_code == 400, query
        assert text in response.json["errors"][field][0], response.json
    # Aggregates: per day, in all, per type, per user.
    aggregates = call("get", "alice",
                      "/organizations/acme/aggregates?start_date=2026-03-01&end_date=2026-03-16")
    assert aggregates.status_code == 200
    assert aggregates.json == [
        {"breakdown": "total", "date": "2026-03-01", "type": None, "username": None, "total": 1},
        {"breakdown": "type", "date": "2026-03-01", "type": "project.create", "username": None,
         "total": 1},
        {"breakdown": "user", "date": "2026-03-01", "type": None, "username": "", "total": 1},
        {"breakdown": "total", "date": "2026-03-15", "type": None, "username": None, "total": 1},
        {"breakdown": "type", "date": "2026-03-15", "type": "project.create", "username": None,
         "total": 1},
        {"breakdown": "user", "date": "2026-03-15", "type": None, "username": "", "total": 1},
    ]


@both_databases
def test_aggregates_count_per_type_and_user_and_projects_export_their_own(call, acme):
    uuid = acme["uuid"]
    for _ in range(2):
        call("post", "bob", f"/projects/{uuid}/add_pipeline/", json={"pipeline": "do_nothing"})
    found = {(item["breakdown"], item["type"] or item["username"]): item["total"]
             for item in call("get", "alice", f"/projects/{uuid}/aggregates?{DAYS}").json}
    assert found == {("total", None): 3, ("type", "project.create"): 1, ("type", "run.add"): 2,
                     ("user", "alice"): 1, ("user", "bob"): 2}
    mine = call("get", "bob", f"/users/bob/aggregates?{DAYS}").json
    assert {(item["breakdown"], item["type"]): item["total"] for item in mine} == {
        ("total", None): 3, ("type", "invitation.accept"): 1, ("type", "run.add"): 2,
        ("user", None): 3}
    assert call("get", "bob", f"/users/alice/aggregates?{DAYS}").status_code == 404
    exported = rows(call("get", "alice", f"/projects/{uuid}/events/app.csv?{DAYS}"))
    assert [row["type"] for row in exported] == ["project.create", "run.add", "run.add"]
    # A member of acme is not an admin of app; an outsider does not see it.
    assert call("get", "bob", f"/projects/{uuid}/events/app.csv?{DAYS}").status_code == 403
    assert call("get", "bob", f"/organizations/acme/events/x.csv?{DAYS}").status_code == 403
    assert call("get", "dave", f"/projects/{uuid}/events/app.csv?{DAYS}").status_code == 404
    assert call("get", "dave", f"/organizations/acme/aggregates?{DAYS}").status_code == 404


def test_a_failed_authentication_is_a_401_even_when_its_event_cannot_be_stored(client, keys):
    with db.get_engine().begin() as connection:
        connection.exec_driver_sql("DROP TABLE auditevent")
    response = client.get("/api/projects/", headers={"Authorization": "Token wrong"})
    assert response.status_code == 401 and response.json["message"] == "Invalid token."
