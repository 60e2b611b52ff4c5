"""Reconciliation of runs with RQ jobs, on a real Redis, without workers."""

from __future__ import annotations

from datetime import timedelta

from rq.job import JobStatus
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.lifecycle import update_run
from scanapp.models import ProjectMessage, Run, RunStatus, utcnow
from scanapp.queue import enqueue_run, fetch_job, get_queue, get_redis
from scanapp.services.reconcile import LOCK_KEY, reconcile
from scanapp.services.runs import add_run
from tests.factories import make_project
from tests.runs.conftest import get_run


def running_run(name, *, heartbeat_age=0.0, worker_name="", with_job=False):
    project = make_project(name)
    with session_scope() as session:
        run = add_run(session, session.merge(project), "do_nothing")
        uuid = run.uuid
    run = get_run(uuid)
    if with_job:
        enqueue_run(run)
    beat = utcnow() - timedelta(seconds=heartbeat_age)
    update_run(run.id, status=RunStatus.RUNNING, task_start_date=beat, heartbeat=beat,
               worker_name=worker_name)
    return get_run(uuid)


def messages(run):
    with session_scope() as session:
        return session.exec(
            select(ProjectMessage).where(ProjectMessage.project_id == run.project_id)
        ).all()


def test_a_run_without_heartbeat_for_longer_than_the_ttl_becomes_stale(fast_settings):
    run = running_run("old", heartbeat_age=30, worker_name="ghost")
    report = reconcile()
    assert report.stale == [run.uuid]
    stale = get_run(run.uuid)
    assert stale.status == "stale" and stale.task_exitcode == 88 and stale.task_end_date
    [message] = messages(run)
    assert "No heartbeat from worker ghost for 30 seconds" in message.description
    assert "no longer registered" in message.description and message.severity == "error"
    assert "marked stale" in stale.log


def test_a_run_with_a_fresh_heartbeat_stays_running(fast_settings):
    run = running_run("fresh", heartbeat_age=0)
    assert reconcile().stale == []
    assert get_run(run.uuid).status == "running" and messages(run) == []


def test_a_run_of_an_unregistered_worker_is_stale_before_the_ttl(fast_settings):
    run = running_run("gone", heartbeat_age=3.5, worker_name="vanished")
    assert reconcile().stale == [run.uuid]
    assert "Its worker vanished is no longer registered" in messages(run)[0].description


def test_a_run_whose_job_failed_in_rq_becomes_stale(fast_settings):
    run = running_run("failed-job", heartbeat_age=0, with_job=True)
    job = fetch_job(run.uuid)
    job.set_status(JobStatus.FAILED)
    assert reconcile().stale == [run.uuid]
    assert "Its RQ job ended (failed)" in messages(run)[0].description


def test_a_queued_run_without_a_job_is_queued_again(fast_settings):
    project = make_project("requeue")
    with session_scope() as session:
        uuid = add_run(session, session.merge(project), "do_nothing").uuid
    update_run(get_run(uuid).id, status=RunStatus.QUEUED)
    assert reconcile().requeued == [uuid]
    assert get_queue().job_ids == [uuid] and get_run(uuid).status == "queued"
    assert reconcile().requeued == []  # its job exists now
    assert get_queue().job_ids == [uuid]


def test_only_one_reconciliation_at_a_time(fast_settings):
    run = running_run("locked", heartbeat_age=30)
    get_redis().set(LOCK_KEY, "1", ex=30)
    assert reconcile().skipped
    assert get_run(run.uuid).status == "running"
    get_redis().delete(LOCK_KEY)
    assert reconcile().stale == [run.uuid]
    with session_scope() as session:
        assert session.exec(select(Run.status)).all() == ["stale"]
