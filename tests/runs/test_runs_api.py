"""The runs API, add_pipeline and the pipeline list: answers, refusals and their messages."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from scanapp.lifecycle import update_run
from scanapp.models import RunStatus
from scanapp.queue import fetch_job, get_queue
from tests.conftest import override
from tests.runs.conftest import get_run
from tests.webhooks.conftest import free_port

MISSING = "00000000-0000-4000-8000-000000000000"


def create(client, name="p", pipelines=(), **extra):
    body = {"name": name, "pipeline": list(pipelines), **extra}
    response = client.post("/api/projects/", json=body)
    assert response.status_code == 201, response.json
    return response.json


def run_uuids(client, project):
    return [run["uuid"] for run in client.get(f"/api/projects/{project['uuid']}/").json["runs"]]


@pytest.mark.parametrize("path", ["/api/pipelines/", "/api/projects/pipelines/"])
def test_pipeline_list(client, path):
    response = client.get(path)
    assert response.status_code == 200
    pipelines = {item["name"]: item for item in response.json}
    groups = pipelines["with_groups"]
    assert groups["available_groups"] == ["Bar", "Baz", "Foo"]
    assert groups["summary"] == "A pipeline with optional groups Foo, Bar and Baz."
    assert groups["steps"][0] == {"name": "always", "doc": "Always runs.", "groups": []}
    assert groups["steps"][2]["groups"] == ["Bar", "Baz"]
    assert pipelines["slow"]["description"].startswith("Sleep for the project's")
    assert response.json == client.get("/api/pipelines/").json


def test_add_pipeline(client):
    project = create(client)
    url = f"/api/projects/{project['uuid']}/add_pipeline/"
    response = client.post(url, json={"pipeline": "with_groups:Foo,Baz"})
    assert response.status_code == 201
    assert response.json == {"status": "Pipeline added."}
    form = client.post(url, data={"pipeline": "do_nothing", "execute_now": "false"})
    assert form.status_code == 201
    runs = client.get(f"/api/projects/{project['uuid']}/").json["runs"]
    assert [(r["pipeline_name"], r["selected_groups"], r["status"]) for r in runs] == [
        ("with_groups", ["Foo", "Baz"], "not_started"),
        ("do_nothing", [], "not_started"),
    ]


@pytest.mark.parametrize(("body", "text"), [
    ({"pipeline": "nope"}, "'nope' is not a valid pipeline"),
    ({"pipeline": "with_groups:Foo,Nope"}, "Unknown group(s) Nope"),
    ({"pipeline": ""}, "Pipeline required."),
    ({}, "Pipeline required."),
    ({"pipeline": "do_nothing", "execute_now": "maybe"}, "Not a valid boolean."),
])
def test_add_pipeline_refuses_bad_input_naming_the_field(client, body, text):
    project = create(client)
    response = client.post(f"/api/projects/{project['uuid']}/add_pipeline/", json=body)
    assert response.status_code == 400
    field = "execute_now" if "execute_now" in body else "pipeline"
    assert text in " ".join(response.json["errors"][field])
    assert run_uuids(client, project) == []


def test_add_pipeline_checks_the_input_count(client):
    project = create(client, input_urls=["https://example.com/a.zip", "https://example.com/b.zip"])
    response = client.post(f"/api/projects/{project['uuid']}/add_pipeline/",
                           json={"pipeline": "single_input"})
    assert response.status_code == 400 and "at most 1 input" in response.json["status"]


def test_add_pipeline_to_a_missing_project_is_404(client):
    url = f"/api/projects/{MISSING}/add_pipeline/"
    response = client.post(url, json={"pipeline": "do_nothing"})
    assert response.status_code == 404


def test_add_pipeline_with_execute_now_queues_it(client, redis_url):
    project = create(client)
    response = client.post(f"/api/projects/{project['uuid']}/add_pipeline/",
                           json={"pipeline": "do_nothing", "execute_now": True})
    assert response.status_code == 201
    [uuid] = run_uuids(client, project)
    assert get_run(uuid).status == "queued" and get_queue().job_ids == [uuid]


def test_run_detail(client):
    project = create(client, pipelines=["with_groups:Foo"])
    [uuid] = run_uuids(client, project)
    response = client.get(f"/api/runs/{uuid}/")
    assert response.status_code == 200
    data = response.json
    assert data["url"] == f"http://localhost/api/runs/{uuid}/"
    assert data["project"] == f"http://localhost/api/projects/{project['uuid']}/"
    assert data["pipeline_name"] == "with_groups" and data["status"] == "not_started"
    assert data["selected_groups"] == ["Foo"]
    assert data["description"].startswith("A pipeline with optional groups")
    for key in ("uuid", "created_date", "task_start_date", "task_end_date", "task_exitcode",
                "task_output", "log", "execution_time", "current_step", "scancodeio_version"):
        assert key in data
    assert "worker_name" not in data and "heartbeat" not in data


@pytest.mark.parametrize("action", ["", "start_pipeline/", "stop_pipeline/", "delete_pipeline/"])
def test_missing_run_is_404(client, action):
    method = client.get if not action else client.post
    response = method(f"/api/runs/{MISSING}/{action}")
    assert response.status_code == 404
    assert response.json["status"] == "Run not found."


@pytest.mark.parametrize("action", ["start_pipeline/", "stop_pipeline/", "delete_pipeline/"])
def test_get_on_a_post_only_action_is_405(client, action):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    assert client.get(f"/api/runs/{uuid}/{action}").status_code == 405
    assert client.get(f"/api/projects/{project['uuid']}/add_pipeline/").status_code == 405
    assert get_run(uuid).status == "not_started"


def test_start_pipeline_twice_enqueues_one_job(client, redis_url):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    first = client.post(f"/api/runs/{uuid}/start_pipeline/")
    assert first.status_code == 200 and first.json == {"status": "Pipeline do_nothing started."}
    second = client.post(f"/api/runs/{uuid}/start_pipeline/")
    assert second.status_code == 400 and second.json["status"] == "Pipeline already queued."
    assert get_queue().job_ids == [uuid]
    assert client.get(f"/api/runs/{uuid}/").json["task_id"] == uuid


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_start_pipeline_calls_enqueue_one_job(app, client, redis_url):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    codes, barrier = [], threading.Barrier(6)

    def start():
        local = app.test_client()
        barrier.wait()
        codes.append(local.post(f"/api/runs/{uuid}/start_pipeline/").status_code)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 400, 400, 400, 400, 400]
    assert get_queue().job_ids == [uuid]


@pytest.mark.parametrize("earlier", ["not_started", "queued", "running"])
def test_start_pipeline_before_the_earlier_run_ended_is_400(client, redis_url, earlier):
    project = create(client, pipelines=["do_nothing", "do_nothing"])
    first, second = run_uuids(client, project)
    update_run(get_run(first).id, status=earlier)
    response = client.post(f"/api/runs/{second}/start_pipeline/")
    assert response.status_code == 400
    assert "earlier pipelines" in response.json["status"]
    assert get_run(second).status == "not_started" and get_queue().job_ids == []


@pytest.mark.parametrize(("status", "message"), [
    ("running", "Pipeline already started."),
    ("success", "Pipeline already executed."),
    ("failure", "Pipeline already executed."),
    ("stale", "Pipeline already executed."),
])
def test_start_pipeline_refuses_a_run_past_not_started(client, status, message):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    update_run(get_run(uuid).id, status=status)
    response = client.post(f"/api/runs/{uuid}/start_pipeline/")
    assert response.status_code == 400 and response.json["status"] == message


def test_start_pipeline_after_the_earlier_run_ended(client, redis_url):
    project = create(client, pipelines=["raise_exception", "do_nothing"])
    first, second = run_uuids(client, project)
    update_run(get_run(first).id, status=RunStatus.FAILURE)
    assert client.post(f"/api/runs/{second}/start_pipeline/").status_code == 200
    assert get_queue().job_ids == [second]


def test_start_pipeline_with_redis_unreachable_is_503_and_nothing_changes(client, settings):
    override(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    response = client.post(f"/api/runs/{uuid}/start_pipeline/")
    assert response.status_code == 503
    assert "task queue is not reachable" in response.json["status"]
    assert get_run(uuid).status == "not_started" and get_run(uuid).task_id is None


def test_add_pipeline_with_execute_now_and_redis_unreachable_is_503_and_adds_nothing(
    client, settings
):
    override(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    project = create(client)
    response = client.post(f"/api/projects/{project['uuid']}/add_pipeline/",
                           json={"pipeline": "do_nothing", "execute_now": True})
    assert response.status_code == 503
    assert "task queue is not reachable" in response.json["status"]
    assert run_uuids(client, project) == []
    missing = client.post(f"/api/projects/{MISSING}/add_pipeline/",
                          json={"pipeline": "do_nothing", "execute_now": True})
    assert missing.status_code == 404


@pytest.mark.parametrize("status", ["not_started", "queued", "success", "failure", "stopped"])
def test_stop_pipeline_refuses_a_run_that_is_not_running(client, status):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    update_run(get_run(uuid).id, status=status)
    response = client.post(f"/api/runs/{uuid}/stop_pipeline/")
    assert response.status_code == 400
    assert response.json["status"] == "Pipeline is not running."
    assert get_run(uuid).status == status


@pytest.mark.parametrize("status", ["running", "success", "failure", "stopped", "stale"])
def test_delete_pipeline_refuses_a_started_run(client, status):
    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)
    update_run(get_run(uuid).id, status=status)
    response = client.post(f"/api/runs/{uuid}/delete_pipeline/")
    assert response.status_code == 400
    assert response.json["status"] == "Only non started or queued pipelines can be deleted."
    assert get_run(uuid).status == status


def test_delete_pipeline_on_a_not_started_run(client, redis_url):
    project = create(client, pipelines=["do_nothing", "with_groups"])
    first, second = run_uuids(client, project)
    response = client.post(f"/api/runs/{second}/delete_pipeline/")
    assert response.status_code == 200
    assert response.json == {"status": "Pipeline with_groups deleted."}
    assert run_uuids(client, project) == [first]
    assert fetch_job(second) is None


def test_openapi_documents_the_run_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/pipelines/", "/api/projects/pipelines/", "/api/runs/{uuid}/",
                 "/api/runs/{uuid}/start_pipeline/", "/api/runs/{uuid}/stop_pipeline/",
                 "/api/runs/{uuid}/delete_pipeline/", "/api/projects/{uuid}/add_pipeline/"):
        assert path in paths


def test_stopping_an_in_process_run_discards_its_outcome(client, redis_url):
    from scanapp.engine import execute_run

    project = create(client, pipelines=["slow", "do_nothing"], settings={"slow_seconds": 1})
    first, second = run_uuids(client, project)
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(execute_run(get_run(first).id)))
    thread.start()
    while get_run(first).current_step != "1/2 wait":
        thread.join(0.02)
    response = client.post(f"/api/runs/{first}/stop_pipeline/")
    assert response.status_code == 200
    thread.join(10)
    assert outcome == [-1]
    run = get_run(first)
    assert run.status == "stopped" and run.task_exitcode == 99
    assert "Step [finish] not started: the run is no longer running" in run.log
    assert get_run(second).status == "not_started"


def test_a_run_broken_outside_its_steps_ends_in_failure(client, monkeypatch):
    from scanapp import engine

    project = create(client, pipelines=["do_nothing"])
    [uuid] = run_uuids(client, project)

    def broken(run, project):
        raise OSError("disk full")

    monkeypatch.setattr(engine, "build_context", broken)
    assert engine.execute_run(get_run(uuid).id) == 1
    run = get_run(uuid)
    assert run.status == "failure" and "OSError: disk full" in run.task_output


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_create_with_execute_now_and_redis_unreachable_is_503_and_stores_nothing(
    client, settings, redis_url
):
    from scanapp.db import session_scope
    from scanapp.models import Project

    body = {"name": "now", "pipeline": ["do_nothing"], "execute_now": True,
            "input_urls": ["https://example.com/a.zip"]}
    override(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = client.post("/api/projects/", json=body)
    assert response.status_code == 503, response.json
    assert "task queue is not reachable" in response.json["message"]
    with session_scope() as session:
        assert session.exec(select(Project)).all() == []
    projects = settings.workdirs / "projects"
    assert not projects.exists() or list(projects.iterdir()) == []
    override(redis_url=redis_url)
    again = client.post("/api/projects/", json=body)
    assert again.status_code == 201, again.json
    [uuid] = run_uuids(client, again.json)
    assert get_run(uuid).status == "queued" and get_queue().job_ids == [uuid]
