"""Signing in to the pages, their session and CSRF checks, the list and the create form."""

from __future__ import annotations

import io

import pytest

from scanapp.services import users
from scanapp.services.site_secret import secret_key
from tests.conftest import DATA_DIR, override
from tests.factories import make_package, make_project, make_resource
from tests.web.pages import csrf_token, post_form, sign_in


@pytest.fixture
def auth_on(settings):
    override(require_authentication=True)


def test_pages_are_open_when_authentication_is_off(client):
    assert client.get("/").headers["Location"].endswith("/projects/")
    page = client.get("/projects/")
    assert page.status_code == 200 and "No project yet" in page.get_data(as_text=True)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_a_stranger_is_sent_to_sign_in_and_a_token_signs_in(client, auth_on):
    key = users.create_user("alice")
    assert client.get("/projects/?name__contains=x").headers["Location"] == (
        "/login?next=%2Fprojects%2F%3Fname__contains%3Dx")
    refused = sign_in(client, "wrong")
    assert refused.status_code == 401 and "not valid" in refused.get_data(as_text=True)
    signed = client.post("/login", data={"key": key, "csrf_token": csrf_token(client),
                                         "next": "/projects/?name__contains=x"})
    assert signed.headers["Location"] == "/projects/?name__contains=x"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and key not in cookie
    assert "Sign out alice" in client.get("/projects/").get_data(as_text=True)


def test_sign_in_goes_nowhere_but_this_site(client, auth_on):
    key = users.create_user("alice")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/login", data={"key": key, "csrf_token": csrf_token(client),
                                               "next": target})
        assert response.headers["Location"] == "/projects/"


def test_revoking_the_token_ends_the_session(client, auth_on):
    users.create_user("alice")
    alice = users.user_by_name("alice")
    token, key = users.create_token(alice.id, "browser")
    sign_in(client, key)
    assert client.get("/projects/").status_code == 200
    users.revoke_token(alice.id, token.uuid)
    assert "/login" in client.get("/projects/").headers["Location"]


def test_signing_out_forgets_the_user(client, auth_on):
    sign_in(client, users.create_user("alice"))
    assert post_form(client, "/logout").headers["Location"] == "/login"
    assert "/login" in client.get("/projects/").headers["Location"]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(client):
    response = client.post("/projects/new", data={"name": "forged"})
    assert response.status_code == 400
    assert "CSRF token" in response.get_data(as_text=True)
    other = client.post("/projects/new", data={"name": "forged", "csrf_token": "guess"})
    assert other.status_code == 400
    assert client.get("/api/projects/").json["count"] == 0


def test_a_read_token_reads_but_posts_nothing(client, auth_on):
    users.create_user("alice")
    alice = users.user_by_name("alice")
    _token, key = users.create_token(alice.id, "reader", scope="read")
    sign_in(client, key)
    assert client.get("/projects/").status_code == 200
    response = post_form(client, "/projects/new", {"name": "p"})
    assert response.status_code == 403
    assert client.get("/api/projects/", headers={"Authorization": f"Token {key}"}).json[
        "count"] == 0


def test_the_list_shows_only_what_the_user_may_see_and_filters(client, auth_on):
    sign_in(client, users.create_user("alice"))
    bob = users.create_user("bob")
    for name in ("mine-one", "mine-two"):
        post_form(client, "/projects/new", {"name": name})
    client.application.test_client().post(  # bob's own project, through the API
        "/api/projects/", json={"name": "bobs"}, headers={"Authorization": f"Token {bob}"})
    page = client.get("/projects/").get_data(as_text=True)
    assert "mine-one" in page and "mine-two" in page and "bobs" not in page
    narrowed = client.get("/projects/?name__contains=two").get_data(as_text=True)
    assert "mine-two" in narrowed and "mine-one" not in narrowed
    bobs = client.application.test_client().get(
        "/api/projects/", headers={"Authorization": f"Token {bob}"}).json["results"][0]
    missing = client.get(f"/projects/{bobs['uuid']}/")
    assert missing.status_code == 404 and "<h1>Error 404</h1>" in missing.get_data(as_text=True)


def test_the_list_pages(client):
    override(page_size=2)
    for number in range(5):
        make_project(f"p{number}")
    first = client.get("/projects/").get_data(as_text=True)
    assert "5 in all · page 1 of 3" in first and 'rel="next"' in first
    assert "p4" in first and "p0" not in first
    last = client.get("/projects/?page=3").get_data(as_text=True)
    assert "p0" in last and 'rel="next"' not in last


def test_the_create_form_makes_a_project_with_an_upload_pipelines_and_a_webhook(client):
    with open(DATA_DIR / "requests-2.32.3.tar.gz", "rb") as archive:
        response = post_form(client, "/projects/new", {
            "name": "requests", "upload_file": (io.BytesIO(archive.read()), "requests.tar.gz"),
            "upload_file_tag": "from", "pipeline": ["scan_codebase", "fingerprint_codebase"],
            "labels": "release, 1.4", "webhook_url": "https://hooks.example.com/scan",
            "notes": "first"}, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    uuid = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    project = client.get(f"/api/projects/{uuid}/").json
    assert [run["pipeline_name"] for run in project["runs"]] == [
        "scan_codebase", "fingerprint_codebase"]
    assert project["input_sources"][0]["tag"] == "from"
    assert sorted(project["labels"]) == ["1.4", "release"]
    assert project["webhooks"][0]["target_url"] == "https://hooks.example.com/scan"
    page = client.get(f"/projects/{uuid}/").get_data(as_text=True)
    assert "requests.tar.gz" in page and "scan_codebase" in page


def test_the_create_form_takes_pipeline_groups(client):
    pipelines = client.get("/api/pipelines/").json
    grouped = next(item for item in pipelines if item["available_groups"])
    group = grouped["available_groups"][0]
    response = post_form(client, "/projects/new", {
        "name": "grouped", "pipeline": grouped["name"], f"groups:{grouped['name']}": group})
    uuid = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    run = client.get(f"/api/projects/{uuid}/").json["runs"][0]
    assert run["selected_groups"] == [group]


def test_a_refused_creation_shows_why_and_stores_nothing(client):
    response = post_form(client, "/projects/new", {"name": "bad", "pipeline": "no_such"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'role="alert"' in page and "no_such" in page and 'value="bad"' in page
    assert client.get("/api/projects/").json["count"] == 0


def test_runs_are_added_started_and_deleted_from_the_page(client):
    response = post_form(client, "/projects/new", {"name": "p"})
    uuid = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    post_form(client, f"/projects/{uuid}/add_pipeline", {"pipeline": "scan_codebase"})
    [run] = client.get(f"/api/projects/{uuid}/").json["runs"]
    assert run["status"] == "not_started"
    fragment = client.get(f"/projects/{uuid}/runs").get_data(as_text=True)
    assert f"/runs/{run['uuid']}/start" in fragment and "data-refresh" not in fragment
    assert post_form(client, f"/runs/{run['uuid']}/delete").status_code == 303
    assert client.get(f"/api/projects/{uuid}/").json["runs"] == []
    stop = post_form(client, f"/runs/{run['uuid']}/stop")
    assert stop.status_code == 404


def test_the_project_is_deleted_from_its_page(client):
    uuid = post_form(client, "/projects/new", {"name": "p"}).headers["Location"].split("/")[-2]
    assert post_form(client, f"/projects/{uuid}/delete").headers["Location"] == "/projects/"
    assert client.get(f"/api/projects/{uuid}/").status_code == 404


def test_the_session_key_is_made_once_and_kept(settings):
    first = secret_key()
    assert first == secret_key() and len(first) == 64
    path = settings.workdirs / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    override(secret_key="set-by-the-operator")
    assert secret_key() == "set-by-the-operator"


def test_the_list_counts_each_project_s_alerts(client):
    project = make_project("alerted")
    make_project("clean")
    make_resource(project, "a.c", compliance_alert="error")
    make_resource(project, "b.c", compliance_alert="warning")
    make_package(project, "pkg:npm/left-pad@1.0", compliance_alert="error")
    rows = client.get("/projects/").get_data(as_text=True).split("<tr>")
    alerted = next(row for row in rows if ">alerted<" in row)
    clean = next(row for row in rows if ">clean<" in row)
    assert "2 error" in alerted and "1 warning" in alerted
    assert "error" not in clean and "warning" not in clean
