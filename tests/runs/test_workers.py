"""Runs executed by real `scanapp worker` processes on a real Redis."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlmodel import select

from scanapp.config import load_settings, set_settings
from scanapp.db import session_scope
from scanapp.lifecycle import update_run
from scanapp.models import ProjectMessage, Run, RunStatus, utcnow
from scanapp.queue import fetch_job, get_queue, remove_job
from tests.runs.conftest import alive, get_run, kill_hard, status_is, wait_for


def project_messages():
    with session_scope() as session:
        return session.exec(select(ProjectMessage)).all()


def create(client, name, pipelines, seconds=None, execute_now=True):
    body = {"name": name, "pipeline": pipelines, "execute_now": execute_now}
    if seconds is not None:
        body["settings"] = {"slow_seconds": seconds}
    response = client.post("/api/projects/", json=body)
    assert response.status_code == 201, response.json
    return [run["uuid"] for run in response.json["runs"]]


def test_queued_then_running_then_success(client, workers):
    [uuid] = create(client, "one", ["slow"], seconds=1.5)
    assert get_run(uuid).status == "queued"
    assert get_queue().job_ids == [uuid]
    workers.start()
    wait_for(status_is(uuid, "running"), 30)
    wait_for(lambda: get_run(uuid).current_step == "1/2 wait", 10)
    running = client.get(f"/api/runs/{uuid}/").json
    assert running["status"] == "running" and running["task_start_date"]
    assert get_run(uuid).worker_name and get_run(uuid).heartbeat
    wait_for(status_is(uuid, "success"), 30)
    detail = client.get(f"/api/runs/{uuid}/").json
    assert detail["task_exitcode"] == 0 and detail["execution_time"] >= 1.5
    assert detail["progress"]["done"] == detail["progress"]["total"]
    assert "Step [wait] completed in" in detail["log"] and "slow finished" in detail["log"]
    assert detail["current_step"] == ""


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_pipelines_run_chained_in_order(client, workers):
    first, second = create(client, "chain", ["do_nothing", "with_groups:Foo"])
    assert get_run(second).status == "not_started"
    workers.burst()
    one, two = get_run(first), get_run(second)
    assert one.status == two.status == "success"
    assert two.task_start_date >= one.task_end_date
    assert "foo ran" in two.log and "bar ran" not in two.log


def test_a_failure_stops_the_chain(client, workers):
    failed, later = create(client, "fails", ["raise_exception", "do_nothing"])
    workers.burst()
    log = workers.log_text(workers.started[-1])
    assert f"Run {failed} raise_exception ended failure (exit code 1) in " in log
    assert get_run(failed).status == "failure"
    assert get_run(failed).task_exitcode == 1
    assert "ValueError: Error message" in get_run(failed).task_output
    assert get_run(later).status == "not_started"
    assert get_queue().job_ids == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_stop_pipeline_stops_a_running_run_and_the_worker_goes_on(client, workers):
    [uuid] = create(client, "stop", ["slow"], seconds=120)
    worker = workers.start()
    wait_for(status_is(uuid, "running"), 30)
    [horse] = wait_for(lambda: workers.horses(worker), 10)
    asked = time.monotonic()
    response = client.post(f"/api/runs/{uuid}/stop_pipeline/")
    assert response.status_code == 200
    assert response.json == {"status": "Pipeline slow stopped."}
    wait_for(lambda: get_run(uuid).status == "stopped" and not alive(horse)
             and fetch_job(uuid).get_status() == "stopped", 10)
    assert time.monotonic() - asked < 10
    assert get_run(uuid).task_exitcode == 99 and "stopped on request" in get_run(uuid).log
    again = client.post(f"/api/runs/{uuid}/stop_pipeline/")
    assert again.status_code == 400 and again.json["status"] == "Pipeline is not running."
    [after] = create(client, "after", ["do_nothing"])
    wait_for(status_is(after, "success"), 30)
    assert worker.poll() is None
    time.sleep(1.5)
    assert get_run(uuid).status == "stopped"  # the killed horse wrote no late outcome


def test_a_run_whose_worker_was_killed_becomes_stale(client, workers):
    [uuid] = create(client, "killed", ["slow"], seconds=300)
    first = workers.start()
    wait_for(status_is(uuid, "running"), 30)
    [horse] = wait_for(lambda: workers.horses(first), 10)
    kill_hard(first.pid)
    kill_hard(horse)  # the whole host is lost: worker, scheduler and work horse
    first.wait(timeout=10)
    wait_for(lambda: not alive(horse), 10)
    assert get_run(uuid).status == "running"
    started = time.monotonic()
    second = workers.start()
    wait_for(status_is(uuid, "stale"), 120, interval=0.2)
    assert time.monotonic() - started < 120
    run = get_run(uuid)
    assert run.task_exitcode == 88 and run.task_end_date
    [message] = wait_for(project_messages, 5)
    assert "marked stale" in message.description and uuid in message.description
    assert message.details["worker_name"] == run.worker_name
    assert client.get(f"/api/runs/{uuid}/").json["status"] == "stale"
    [after] = create(client, "after-kill", ["do_nothing"])
    wait_for(status_is(after, "success"), 30)
    assert second.poll() is None


def test_delete_pipeline_on_a_queued_run_removes_its_job(client, fast_settings):
    [uuid] = create(client, "queued", ["slow"], seconds=1)
    assert fetch_job(uuid) is not None and get_queue().job_ids == [uuid]
    response = client.post(f"/api/runs/{uuid}/delete_pipeline/")
    assert response.status_code == 200
    assert response.json == {"status": "Pipeline slow deleted."}
    assert get_run(uuid) is None
    assert fetch_job(uuid) is None and get_queue().job_ids == []
    assert client.get(f"/api/runs/{uuid}/").status_code == 404


def test_a_queued_run_whose_job_was_lost_is_queued_again(client, workers):
    [uuid] = create(client, "lost", ["do_nothing"])
    assert remove_job(uuid) and get_queue().job_ids == []
    workers.burst()  # reconciles at start: re-queues, then executes
    assert get_run(uuid).status == "success"
    assert "Re-queued" in get_run(uuid).log


def test_a_run_marked_stale_while_its_horse_runs_keeps_its_status(client, workers):
    [uuid] = create(client, "late", ["slow"], seconds=1)
    worker = workers.start()
    wait_for(status_is(uuid, "running"), 30)
    assert update_run(get_run(uuid).id, expected=(RunStatus.RUNNING,), status=RunStatus.STALE)
    time.sleep(2.5)
    assert get_run(uuid).status == "stale"
    assert worker.poll() is None
    with session_scope() as session:
        assert session.exec(select(Run).where(Run.uuid == uuid)).one().task_exitcode is None


def test_a_run_longer_than_the_task_timeout_fails(client, workers, monkeypatch):
    monkeypatch.setenv("SCANAPP_TASK_TIMEOUT", "2")
    set_settings(load_settings())  # the job timeout is set when the run is queued
    [uuid, later] = create(client, "timeout", ["slow", "do_nothing"], seconds=60)
    worker = workers.start()
    wait_for(status_is(uuid, "failure"), 30)
    run = get_run(uuid)
    assert "JobTimeoutException" in run.task_output and "Step [wait] failed after" in run.log
    assert get_run(later).status == "not_started"
    assert worker.poll() is None


def test_a_busy_worker_still_reconciles(client, workers):
    [busy] = create(client, "busy", ["slow"], seconds=30)
    worker = workers.start()
    wait_for(status_is(busy, "running"), 30)
    [ghost] = create(client, "ghost", ["do_nothing"], execute_now=False)
    old = utcnow() - timedelta(seconds=30)
    update_run(get_run(ghost).id, status=RunStatus.RUNNING, task_start_date=old, heartbeat=old,
               worker_name="elsewhere")
    wait_for(status_is(ghost, "stale"), 15)
    assert get_run(busy).status == "running" and worker.poll() is None


def test_a_worker_listens_on_the_queue_it_is_given(client, workers, monkeypatch):
    monkeypatch.setenv("SCANAPP_QUEUE_NAME", "scans")
    set_settings(load_settings())
    [uuid] = create(client, "other-queue", ["do_nothing"])
    assert get_queue("scans").job_ids == [uuid] and get_queue("default").job_ids == []
    monkeypatch.delenv("SCANAPP_QUEUE_NAME")
    workers.burst()
    assert get_run(uuid).status == "queued"  # its job exists: not queued again elsewhere
    assert get_queue("default").job_ids == []
    workers.burst("--queue", "scans")
    assert get_run(uuid).status == "success"


def test_a_run_whose_work_horse_was_killed_becomes_stale_and_the_worker_goes_on(client, workers):
    [uuid] = create(client, "oom", ["slow"], seconds=300)
    worker = workers.start()
    wait_for(status_is(uuid, "running"), 30)
    [horse] = wait_for(lambda: workers.horses(worker), 10)
    kill_hard(horse)  # as the kernel's OOM killer would
    wait_for(status_is(uuid, "stale"), 30)
    [message] = wait_for(project_messages, 5)
    assert "Work-horse terminated unexpectedly" in message.description
    [after] = create(client, "after-oom", ["do_nothing"])
    wait_for(status_is(after, "success"), 30)
    assert worker.poll() is None
