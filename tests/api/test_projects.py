import io

import pytest
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import InputSource, Project, Run
from scanapp.workdir import workdir_for
from tests.factories import make_message, make_package, make_project, make_resource

#: Every test here runs on SQLite and on PostgreSQL (a throw-away database of the local server).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def count(model):
    with session_scope() as session:
        return len(session.exec(select(model)).all())


def test_create_project_json_returns_201_with_runs(client):
    response = client.post(
        "/api/projects/",
        json={
            "name": "p1",
            "input_urls": ["https://example.com/a.zip#from", "https://example.com/b.tar.gz"],
            "pipeline": ["do_nothing", "with_groups:Foo,Bar"],
            "labels": ["audit"],
        },
    )
    assert response.status_code == 201, response.json
    data = response.json
    assert data["name"] == "p1"
    assert data["url"].endswith(f"/api/projects/{data['uuid']}/")
    assert [r["pipeline_name"] for r in data["runs"]] == ["do_nothing", "with_groups"]
    assert data["runs"][1]["selected_groups"] == ["Foo", "Bar"]
    assert data["runs"][0]["status"] == "not_started"
    sources = {s["download_url"]: s["tag"] for s in data["input_sources"]}
    assert sources == {"https://example.com/a.zip": "from", "https://example.com/b.tar.gz": ""}
    assert data["labels"] == ["audit"]


def test_create_project_multipart_upload(client, settings):
    response = client.post(
        "/api/projects/",
        data={
            "name": "upload",
            "pipeline": "do_nothing",
            "upload_file": (io.BytesIO(b"hello"), "../../evil name.txt"),
            "upload_file_tag": "to",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    source = response.json["input_sources"][0]
    assert source["filename"] == "evil_name.txt"
    assert source["tag"] == "to" and source["is_uploaded"] is True
    with session_scope() as session:
        project = session.exec(select(Project)).one()
    assert (workdir_for(project.slug).input / "evil_name.txt").read_bytes() == b"hello"


def test_create_form_urlencoded_like_requests_data(client):
    response = client.post(
        "/api/projects/",
        data={"name": "form", "input_urls": "https://e.com/x.zip", "pipeline": "do_nothing",
              "execute_now": "false"},
    )
    assert response.status_code == 201, response.json


def test_create_validation_errors_store_nothing(client, settings):
    client.post("/api/projects/", json={"name": "dup"})
    cases = [
        ({}, "name"),
        ({"name": "dup"}, "name"),
        ({"name": "x", "pipeline": "nope"}, "pipeline"),
        ({"name": "x", "pipeline": "with_groups:Nope"}, "pipeline"),
        ({"name": "x", "input_urls": "ftp://host/file"}, "input_urls"),
        ({"name": "x", "input_urls": "not a url"}, "input_urls"),
        ({"name": "x", "webhooks": [{"target_url": "nope"}]}, "webhooks"),
        ({"name": "x", "pipeline": "single_input", "input_urls": ["https://a.com/1", "https://a.com/2"]},
         "pipeline"),
    ]
    for body, field in cases:
        response = client.post("/api/projects/", json=body)
        assert response.status_code == 400, (body, response.json)
        assert field in response.json["errors"], (body, response.json)
        assert response.json["code"] == 400 and response.json["message"]
    assert count(Project) == 1
    assert count(InputSource) == 0 and count(Run) == 0
    assert len(list((settings.workdirs / "projects").iterdir())) == 1


def test_malformed_json_is_400(client):
    response = client.post("/api/projects/", data="{bad", content_type="application/json")
    assert response.status_code == 400
    assert response.json["code"] == 400


def test_list_filters_and_pagination(client, settings):
    from tests.conftest import override

    override(page_size=2)
    for name, labels in (("alpha-audit", ["d2d"]), ("beta", []), ("gamma-audit", ["d2d", "x"])):
        response = client.post("/api/projects/", json={"name": name, "labels": labels})
        assert response.status_code == 201
    page1 = client.get("/api/projects/").json
    assert page1["count"] == 3 and len(page1["results"]) == 2 and page1["previous"] is None
    page2 = client.get(page1["next"]).json
    assert len(page2["results"]) == 1 and page2["next"] is None
    names = lambda q: sorted(p["name"] for p in client.get(f"/api/projects/?{q}").json["results"])  # noqa: E731
    assert names("name__contains=audit") == ["alpha-audit", "gamma-audit"]
    assert names("name=beta") == ["beta"]
    assert names("label=x") == ["gamma-audit"]
    assert names("is_archived=true") == []
    assert client.get("/api/projects/?page=9").status_code == 404
    assert client.get("/api/projects/?uuid=nope").status_code == 400


def test_detail_and_delete(client, settings):
    project = make_project("detail")
    make_resource(project, "a.txt", status="scanned")
    make_package(project)
    make_message(project)
    data = client.get(f"/api/projects/{project.uuid}/").json
    assert data["codebase_resources_summary"] == {"scanned": 1}
    assert data["discovered_packages_summary"]["total"] == 1
    assert data["message_count"] == 1 and data["resource_count"] == 1
    assert client.delete(f"/api/projects/{project.uuid}/").status_code == 204
    assert not workdir_for(project.slug).root.exists()
    assert client.get(f"/api/projects/{project.uuid}/").status_code == 404
    assert count(Project) == 0


def test_unknown_uuid_is_404(client):
    response = client.get("/api/projects/6461408c-726c-4b70-aa7a-c9cc9d1c9685/")
    assert response.status_code == 404
    assert response.json["message"] == "Project not found."


def test_get_on_post_action_is_405(client):
    project = make_project("p")
    assert client.get(f"/api/projects/{project.uuid}/archive/").status_code == 405


def test_archive_and_reset(client):
    project = make_project("arch")
    make_resource(project, "a.txt")
    workdir = workdir_for(project.slug)
    (workdir.input / "in.zip").write_bytes(b"x")
    (workdir.codebase / "a.txt").write_text("a")
    response = client.post(f"/api/projects/{project.uuid}/reset/")
    status = "The arch project has been reset."
    assert response.json == {"status": status}
    assert (workdir.input / "in.zip").exists() and not (workdir.codebase / "a.txt").exists()
    response = client.post(f"/api/projects/{project.uuid}/archive/", json={"remove_input": True})
    assert response.status_code == 200
    assert response.json == {"status": "The project arch has been archived."}
    assert not (workdir.input / "in.zip").exists()
    assert client.get(f"/api/projects/{project.uuid}/").json["is_archived"] is True


def test_add_input(client):
    project = make_project("inputs")
    url = f"/api/projects/{project.uuid}/add_input/"
    response = client.post(url, json={"input_urls": ["https://example.com/a.zip"]})
    assert response.status_code == 201 and response.json == {"status": "Input(s) added."}
    response = client.post(url, data={"upload_file": (io.BytesIO(b"x"), "f.zip")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    assert client.post(url, json={}).status_code == 400
    assert count(InputSource) == 2


def test_file_content_stays_inside_codebase(client, tmp_path):
    project = make_project("files")
    codebase = workdir_for(project.slug).codebase
    (codebase / "dir").mkdir()
    (codebase / "dir" / "a.py").write_text("print('hi')\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (codebase / "link").symlink_to(secret)
    url = f"/api/projects/{project.uuid}/file_content/"
    response = client.get(url, query_string={"path": "dir/a.py"})
    assert response.json == {"file_content": "print('hi')\n"}
    for bad in ("../../secret.txt", str(secret), "link", "dir", "missing"):
        assert client.get(url, query_string={"path": bad}).status_code == 404, bad


def test_lists_filter_by_field(client):
    project = make_project("lists")
    make_resource(project, "a.py", programming_language="Python")
    make_resource(project, "b.c", programming_language="C")
    url = f"/api/projects/{project.uuid}/resources/"
    data = client.get(url, query_string={"programming_language": "C"}).json
    assert [r["path"] for r in data["results"]] == ["b.c"]
    assert client.get(url, query_string={"nope": "1"}).status_code == 400
    assert client.get(url, query_string={"size": "abc"}).status_code == 400


def test_errors_and_messages_serve_the_same_list(client):
    project = make_project("messages")
    make_message(project, "ERROR: for scanner: packages:", model="CodebaseResource",
                 details={"resource_path": "a.py"})
    base = f"/api/projects/{project.uuid}"
    errors, messages = client.get(f"{base}/errors/").json, client.get(f"{base}/messages/").json
    assert errors == messages and errors["count"] == 1
    [item] = errors["results"]
    assert item["description"] == "ERROR: for scanner: packages:"
    assert item["model"] == "CodebaseResource" and item["details"] == {"resource_path": "a.py"}


def test_packages_and_dependencies_filter_by_field(client):
    from tests.factories import make_dependency

    project = make_project("deps")
    make_package(project, "pkg:pypi/requests@2.32.3", declared_license_expression="apache-2.0")
    make_package(project, "pkg:npm/left-pad@1.3.0")
    make_dependency(project, "pkg:pypi/idna", scope="install", is_runtime=True)
    make_dependency(project, "pkg:pypi/pytest", scope="develop")
    base = f"/api/projects/{project.uuid}"
    packages = client.get(f"{base}/packages/", query_string={"type": "pypi"}).json
    assert [item["purl"] for item in packages["results"]] == ["pkg:pypi/requests@2.32.3"]
    assert packages["results"][0]["declared_license_expression"] == "apache-2.0"
    dependencies = client.get(f"{base}/dependencies/", query_string={"scope": "develop"}).json
    assert [item["purl"] for item in dependencies["results"]] == ["pkg:pypi/pytest"]
    everything = client.get(f"{base}/dependencies/").json
    assert everything["count"] == 2
    assert client.get(f"{base}/packages/", query_string={"is_private": "maybe"}).status_code == 400


def test_inputs_cannot_change_once_a_run_started(client):
    from tests.factories import make_run

    project = make_project("started")
    make_run(project, status="running")
    url = f"/api/projects/{project.uuid}/add_input/"
    response = client.post(url, json={"input_urls": ["https://example.com/a.zip"]})
    assert response.status_code == 400
    assert response.json["status"] == "Cannot add inputs once a pipeline has started to execute."
    assert count(InputSource) == 0


def test_archive_removes_only_the_chosen_folders(client):
    project = make_project("keep")
    workdir = workdir_for(project.slug)
    for folder in (workdir.input, workdir.codebase, workdir.output):
        (folder / "file.txt").write_text("x")
    body = {"remove_input": False, "remove_codebase": True, "remove_output": False}
    response = client.post(f"/api/projects/{project.uuid}/archive/", json=body)
    assert response.status_code == 200
    assert (workdir.input / "file.txt").exists() and (workdir.output / "file.txt").exists()
    assert not (workdir.codebase / "file.txt").exists()


def test_file_content_streams_text_whole_across_chunks(client):
    project = make_project("text")
    codebase = workdir_for(project.slug).codebase
    text = "é" * (1024 * 1024) + "\x00 done \"quoted\"\n"  # a 2-byte char on every boundary
    (codebase / "utf8.txt").write_bytes(text.encode("utf-8") + b"\xff")
    response = client.get(f"/api/projects/{project.uuid}/file_content/",
                          query_string={"path": "utf8.txt"})
    assert response.status_code == 200
    assert response.json == {"file_content": text + "\ufffd"}
    raw = client.get(f"/api/projects/{project.uuid}/file_download/",
                     query_string={"path": "utf8.txt"})
    assert raw.data == text.encode("utf-8") + b"\xff"
    assert client.get(f"/api/projects/{project.uuid}/file_download/",
                      query_string={"path": "../x"}).status_code == 404
