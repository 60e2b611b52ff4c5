"""Projects held by organizations, personal projects and project permissions, auth on.

acme: alice owner, bob admin, carol member, erin member (blocked on acme-app); dave and frank
are outsiders, frank granted admin on acme-app; root is a server administrator.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from scanapp.services.lookup import load_project
from scanapp.services.users import create_user as new_user
from tests.conftest import override
from tests.factories import make_package

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def keys(settings):
    override(require_authentication=True)
    found = {name: new_user(name, email=f"{name}@example.com")
             for name in ("alice", "bob", "carol", "dave", "erin", "frank")}
    found["root"] = new_user("root", is_admin=True)
    return found


def _ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


@pytest.fixture
def acme(call):
    _ok(call("post", "alice", "/organizations/", json={"name": "acme"}), 201)
    for who, role in (("bob", "admin"), ("carol", "member"), ("erin", "member")):
        _ok(call("post", "alice", "/organizations/acme/invitations/",
                 json={"username": who, "role": role}), 201)
        _ok(call("post", who, "/user/invites/acme"))
    project = _ok(call("post", "carol", "/projects/", json={
        "name": "acme-app", "organization": "acme", "pipeline": "do_nothing"}), 201)
    _ok(call("post", "bob", f"/projects/{project['uuid']}/permissions/", json=[
        {"user_query": "erin", "permission_level": "blocked"},
        {"user_query": "frank@example.com", "permission_level": "admin"}]))
    return project


def names(call, who: str, query: str = "") -> list[str]:
    page = _ok(call("get", who, f"/projects/{query}"))
    assert page["count"] == len(page["results"])
    return sorted(item["name"] for item in page["results"])


@both_databases
def test_who_sees_an_organization_project(call, acme):
    uuid = acme["uuid"]
    assert acme["organization"] == "acme"
    for who in ("alice", "bob", "carol", "frank", "root"):
        assert names(call, who) == ["acme-app"], who
        assert _ok(call("get", who, f"/projects/{uuid}/"))["organization"] == "acme"
    for who in ("dave", "erin"):  # an outsider, a blocked member: as if it did not exist
        assert names(call, who) == [], who
        for path in ("", "resources/", "results/", "compliance/", "webhooks/", "summary/"):
            response = call("get", who, f"/projects/{uuid}/{path}")
            assert response.status_code == 404, (who, path)
            assert response.json["message"] == "Project not found."
        run = acme["runs"][0]["uuid"]
        assert call("get", who, f"/runs/{run}/").json["message"] == "Run not found."
        assert call("post", who, f"/runs/{run}/start_pipeline/").status_code == 404
    assert names(call, "alice", "?organization=acme") == ["acme-app"]
    assert names(call, "alice", "?organization=other") == []


def test_roles_on_a_project(call, acme):
    uuid = acme["uuid"]
    # carol (member) reads, adds inputs and pipelines; deleting, resetting, archiving and
    # permissions need an admin.
    _ok(call("post", "carol", f"/projects/{uuid}/add_pipeline/", json={"pipeline": "do_nothing"}),
        201)
    for path in ("reset/", "archive/", "permissions/"):
        response = call("post", "carol", f"/projects/{uuid}/{path}", json={})
        assert response.status_code == 403, path
        assert "needs the admin role on the project; yours is member" in response.json["message"]
    assert call("delete", "carol", f"/projects/{uuid}/").status_code == 403
    assert call("get", "carol", f"/projects/{uuid}/permissions/").status_code == 403
    listed = _ok(call("get", "frank", f"/projects/{uuid}/permissions/"))
    assert listed == [{"username": "erin", "permission_level": "blocked"},
                      {"username": "frank", "permission_level": "admin"}]
    # Unblocking erin with "default" gives her back her organization role.
    _ok(call("post", "frank", f"/projects/{uuid}/permissions/",
             json={"user_query": "erin@example.com", "permission_level": "default"}))
    assert names(call, "erin") == ["acme-app"]
    assert call("delete", "erin", f"/projects/{uuid}/").status_code == 403
    # frank, an outsider made admin of the project, may delete it.
    assert call("delete", "frank", f"/projects/{uuid}/").status_code == 204
    assert names(call, "alice") == []


def test_permission_requests_are_all_or_nothing(call, acme):
    uuid = acme["uuid"]
    before = _ok(call("get", "bob", f"/projects/{uuid}/permissions/"))
    for body, field in (
        ([{"user_query": "dave", "permission_level": "admin"},
          {"user_query": "nobody", "permission_level": "member"}], "1.user_query"),
        ([{"user_query": "dave", "permission_level": "owner"}], "0"),
        ({"user_query": "bob", "permission_level": "blocked"}, "0.user_query"),  # yourself
        ({"user_query": "root", "permission_level": "blocked"}, "0.user_query"),
        ("dave", "_body"),
    ):
        response = call("post", "bob", f"/projects/{uuid}/permissions/", json=body)
        assert response.status_code == 400, body
        assert field in response.json["errors"], response.json
    assert _ok(call("get", "bob", f"/projects/{uuid}/permissions/")) == before
    assert names(call, "dave") == []


def test_personal_projects_and_creating_in_an_organization(call, acme):
    mine = _ok(call("post", "dave", "/projects/", json={"name": "dave-tool"}), 201)
    assert mine["organization"] is None
    assert names(call, "dave") == ["dave-tool"]
    assert names(call, "alice") == ["acme-app"]  # another user's personal project: hidden
    assert names(call, "root") == ["acme-app", "dave-tool"]
    response = call("post", "dave", "/projects/", json={"name": "x", "organization": "acme"})
    assert response.status_code == 400
    assert response.json["errors"] == {
        "organization": ["You are not a member of an organization named 'acme'."]}
    assert names(call, "root") == ["acme-app", "dave-tool"]  # nothing stored


def test_moving_needs_admin_on_both_sides(call, acme):
    uuid = acme["uuid"]
    _ok(call("post", "bob", "/organizations/", json={"name": "beta"}), 201)
    _ok(call("post", "bob", "/organizations/beta/invitations/", json={"username": "carol"}), 201)
    _ok(call("post", "carol", "/user/invites/beta"))
    mine = _ok(call("post", "carol", "/projects/", json={"name": "carol-tool"}), 201)
    # carol is admin of her personal project but only a member of beta.
    to_beta = {"organization": "beta"}
    assert call("post", "carol", f"/projects/{mine['uuid']}/move/", json=to_beta
                ).status_code == 403
    assert call("post", "carol", f"/projects/{uuid}/move/", json=to_beta
                ).status_code == 403  # a member of acme
    _ok(call("post", "bob", f"/projects/{uuid}/move/", json={"organization": "beta"}))
    assert _ok(call("get", "bob", f"/projects/{uuid}/"))["organization"] == "beta"
    assert names(call, "alice") == []  # alice is not in beta
    assert names(call, "carol") == ["acme-app", "carol-tool"]  # a member of beta
    _ok(call("post", "bob", f"/projects/{uuid}/move/", json={"organization": None}))
    assert names(call, "carol") == ["carol-tool"] and names(call, "bob") == ["acme-app"]


def test_an_organization_holding_projects_is_not_deleted(call, acme):
    response = call("delete", "alice", "/organizations/acme/")
    assert response.status_code == 400
    assert "holds 1 project(s)" in response.json["message"]
    assert call("delete", "alice", f"/projects/{acme['uuid']}/").status_code == 204
    assert call("delete", "alice", "/organizations/acme/").status_code == 204


def test_the_cross_project_report_holds_only_visible_projects(call, acme):
    mine = _ok(call("post", "dave", "/projects/", json={"name": "dave-tool"}), 201)
    for uuid in (acme["uuid"], mine["uuid"]):
        make_package(load_project(uuid), "pkg:pypi/shared@1.0")

    def projects_in_report(who: str) -> list[str]:
        response = call("get", who, "/projects/report/?model=package")
        assert response.status_code == 200, response.data[:200]
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        return [row[0].value for row in sheet.iter_rows(min_row=2)]

    assert projects_in_report("dave") == ["dave-tool"]
    assert projects_in_report("carol") == ["acme-app"]
    assert projects_in_report("erin") == []
    assert projects_in_report("root") == ["acme-app", "dave-tool"]


def test_with_authentication_off_every_project_is_open(call, acme, client):
    override(require_authentication=False)
    assert names(call, "") == ["acme-app"]
    assert names(call, "dave") == ["acme-app"]
    assert client.get(f"/api/projects/{acme['uuid']}/").status_code == 200


def test_compare_answers_a_project_the_caller_cannot_see_as_not_found(call, acme):
    mine = _ok(call("post", "dave", "/projects/", json={"name": "dave-tool"}), 201)
    # dave sees his project, not acme-app: by uuid or by name, it does not exist for him.
    for other in (acme["uuid"], "acme-app"):
        hidden = call("get", "dave", f"/projects/{mine['uuid']}/compare/?with={other}")
        assert hidden.status_code == 404 and other in hidden.json["message"]
    assert call("get", "dave", f"/projects/{mine['uuid']}/compare/?with=dave-tool"
                ).status_code == 200
    # frank is admin of acme-app: it compares with it; erin is blocked on it.
    frank = _ok(call("post", "frank", "/projects/", json={"name": "frank-tool"}), 201)
    assert call("get", "frank", f"/projects/{frank['uuid']}/compare/?with=acme-app"
                ).status_code == 200
    assert call("get", "erin", f"/projects/{acme['uuid']}/compare/?with=acme-app"
                ).status_code == 404
