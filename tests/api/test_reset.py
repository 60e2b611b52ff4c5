"""``POST /api/projects/<uuid>/reset/`` with ScanCode.io's options: keep, restore, run again."""

import io

import pytest
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import Project, Run
from scanapp.workdir import workdir_for
from tests.conftest import override
from tests.factories import make_message, make_package, make_project, make_resource, make_run
from tests.webhooks.conftest import (  # noqa: F401 - fixtures
    configure,
    free_port,
    receiver,
    receiver_factory,
    work_until,
)

DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
#: What ScanCode.io clients send to scan a project again ("rescan").
RESCAN = {"keep_input": True, "restore_pipelines": True, "execute_now": True}


def create(client, name: str, pipelines, webhook_url: str = "", execute_now: bool = False):
    data = {"name": name, "pipeline": pipelines, "execute_now": str(execute_now).lower(),
            "upload_file": (io.BytesIO(b"input bytes"), "input.txt")}
    if webhook_url:
        data["webhook_url"] = webhook_url
    response = client.post("/api/projects/", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def detail(client, uuid: str) -> dict:
    return client.get(f"/api/projects/{uuid}/").json


def with_results(project_uuid: str):
    """Store results and work files, as a finished run leaves them."""
    with session_scope() as session:
        project = session.exec(select(Project).where(Project.uuid == project_uuid)).one()
    make_resource(project, "a.txt")
    make_package(project)
    make_message(project)
    workdir = workdir_for(project.slug)
    (workdir.codebase / "a.txt").write_text("a")
    (workdir.output / "results.json").write_text("{}")
    return workdir


def reset(client, uuid: str, body=None):
    if body is None:
        return client.post(f"/api/projects/{uuid}/reset/")
    return client.post(f"/api/projects/{uuid}/reset/", json=body)


@DATABASES
def test_default_reset_keeps_inputs_webhooks_labels_and_removes_runs_and_results(client):
    project = create(client, "plain", ["do_nothing"], webhook_url="https://example.com/hook")
    client.post("/api/projects/", json={"name": "other"})
    workdir = with_results(project["uuid"])
    response = reset(client, project["uuid"])
    assert response.status_code == 200
    assert response.json == {"status": "The plain project has been reset."}
    after = detail(client, project["uuid"])
    assert after["runs"] == [] and after["resource_count"] == after["package_count"] == 0
    assert after["message_count"] == 0
    assert [s["filename"] for s in after["input_sources"]] == ["input.txt"]
    assert (workdir.input / "input.txt").read_bytes() == b"input bytes"
    assert list(workdir.codebase.iterdir()) == list(workdir.output.iterdir()) == []
    assert [hook["target_url"] for hook in after["webhooks"]] == ["https://example.com/hook"]


@DATABASES
def test_remove_inputs_and_webhooks(client):
    project = create(client, "bare", ["do_nothing"], webhook_url="https://example.com/hook")
    workdir = with_results(project["uuid"])
    response = reset(client, project["uuid"], {"keep_input": False, "keep_webhook": False})
    assert response.status_code == 200, response.json
    after = detail(client, project["uuid"])
    assert after["input_sources"] == [] and after["webhooks"] == [] and after["runs"] == []
    assert list(workdir.input.iterdir()) == []
    assert workdir.input.is_dir() and workdir.codebase.is_dir()


@DATABASES
def test_restore_pipelines_adds_the_same_runs_not_started(client):
    project = create(client, "restore", ["do_nothing", "with_groups:Foo,Bar"])
    with session_scope() as session:
        session.exec(select(Run)).first().status = "success"
    before = detail(client, project["uuid"])["runs"]
    response = client.post(f"/api/projects/{project['uuid']}/reset/",
                           data={"restore_pipelines": "true"})
    assert response.status_code == 200, response.json
    runs = detail(client, project["uuid"])["runs"]
    assert [(r["pipeline_name"], r["selected_groups"], r["status"]) for r in runs] == [
        ("do_nothing", [], "not_started"), ("with_groups", ["Foo", "Bar"], "not_started")]
    assert not {r["uuid"] for r in runs} & {r["uuid"] for r in before}


@DATABASES
@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_queued_or_running_run_refuses_the_reset_and_nothing_changes(client, status):
    project = make_project("busy")
    make_run(project, status=status)
    make_resource(project, "a.txt")
    response = reset(client, project.uuid, RESCAN)
    assert response.status_code == 400
    assert response.json["status"] == "Cannot reset project while a run is in progress."
    after = detail(client, project.uuid)
    assert after["resource_count"] == 1 and [r["status"] for r in after["runs"]] == [status]


@DATABASES
def test_refusals_change_nothing(client):
    strict = make_project("strict")
    make_run(strict, "scan_single_package", status="success", task_exitcode=0)
    queued = make_project("queue")
    make_run(queued, status="success", task_exitcode=0)
    for project in (strict, queued):
        make_resource(project, "a.txt")
    # scan_single_package cannot start without its input: refused before anything is removed.
    body = {"keep_input": False, "restore_pipelines": True, "execute_now": True}
    response = reset(client, strict.uuid, body)
    assert response.status_code == 400 and "pipeline" in response.json["errors"]
    # The queue is checked before anything is removed too.
    override(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = reset(client, queued.uuid, RESCAN)
    assert response.status_code == 503
    for project in (strict, queued):
        after = detail(client, project.uuid)
        assert after["resource_count"] == 1 and [r["status"] for r in after["runs"]] == ["success"]
    assert reset(client, strict.uuid, {"restore_pipelines": True}).status_code == 200
    assert [r["status"] for r in detail(client, strict.uuid)["runs"]] == ["not_started"]


def test_unknown_project_and_bad_values(client):
    assert reset(client, "6461408c-726c-4b70-aa7a-c9cc9d1c9685").status_code == 404
    project = make_project("values")
    response = reset(client, project.uuid, {"keep_input": "perhaps"})
    assert response.status_code == 400 and "keep_input" in response.json["errors"]
    assert client.get(f"/api/projects/{project.uuid}/reset/").status_code == 405


def test_rescan_keeps_inputs_runs_the_pipelines_again_and_notifies_again(
    client, receiver, work_until  # noqa: F811 - the imported fixtures
):
    project = create(client, "rescan", ["do_nothing"], webhook_url=receiver.url,
                     execute_now=True)
    work_until(lambda: len(receiver.requests) == 1)
    [first] = detail(client, project["uuid"])["runs"]
    assert first["status"] == "success"
    workdir = with_results(project["uuid"])

    response = reset(client, project["uuid"], RESCAN)
    assert response.status_code == 200, response.json
    assert response.json == {"status": "The rescan project has been reset."}
    [restored] = detail(client, project["uuid"])["runs"]
    assert restored["uuid"] != first["uuid"] and restored["pipeline_name"] == "do_nothing"
    assert restored["status"] == "queued"
    assert (workdir.input / "input.txt").read_bytes() == b"input bytes"
    assert list(workdir.codebase.iterdir()) == []

    work_until(lambda: len(receiver.requests) == 2)
    after = detail(client, project["uuid"])
    assert [run["status"] for run in after["runs"]] == ["success"]
    assert after["resource_count"] == 0
    assert [s["filename"] for s in after["input_sources"]] == ["input.txt"]
    payloads = receiver.payloads()
    assert [p["run"]["uuid"] for p in payloads] == [first["uuid"], restored["uuid"]]
    assert payloads[1]["run"]["status"] == "success"
    [hook] = client.get(f"/api/projects/{project['uuid']}/webhooks/").json["results"]
    assert [d["run"] for d in hook["deliveries"]] == [restored["uuid"]]
