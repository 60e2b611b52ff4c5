"""Real runs on real RQ workers notify a real HTTP receiver on 127.0.0.1."""

import hashlib
import hmac

import pytest
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import Run, WebhookDelivery
from scanapp.services.projects import ProjectRequest, create_project
from scanapp.services.webhook_delivery import spool_dir
from tests.webhooks.conftest import free_port


def start_project(name, pipelines, webhooks):
    return create_project(ProjectRequest(name=name, pipelines=pipelines, webhooks=webhooks,
                                         execute_now=True))


def runs_of(project):
    with session_scope() as session:
        return session.exec(
            select(Run).where(Run.project_id == project.id).order_by(Run.created_date, Run.id)
        ).all()


def deliveries():
    with session_scope() as session:
        return session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def runs_ended(project):
    return lambda: all(run.status not in ("queued", "running") for run in runs_of(project))


def test_each_run_vs_end_of_project_across_two_chained_runs(receiver_factory, work_until):
    each, last, inactive = receiver_factory(), receiver_factory(), receiver_factory()
    project = start_project("chain", ["do_nothing", "do_nothing"], [
        {"target_url": each.url, "trigger_on_each_run": True},
        {"target_url": last.url},
        {"target_url": inactive.url, "trigger_on_each_run": True, "is_active": False},
    ])
    work_until(lambda: len(each.requests) == 2 and len(last.requests) == 1
               and runs_ended(project)())
    first, second = runs_of(project)
    assert first.status == second.status == "success"
    assert [p["run"]["uuid"] for p in each.payloads()] == [first.uuid, second.uuid]
    assert [p["run"]["uuid"] for p in last.payloads()] == [second.uuid]
    assert inactive.requests == []
    for request in each.requests + last.requests:
        assert request["headers"]["X-Scanapp-Event"] == "run.success"
        assert request["headers"]["Content-Type"] == "application/json"
    ids = {r["headers"]["X-Scanapp-Delivery"] for r in each.requests + last.requests}
    assert len(ids) == 3
    assert {d.delivery_id for d in deliveries()} == ids
    assert all(d.success and d.attempt == 1 and d.response_status_code == 200 for d in deliveries())
    assert list(spool_dir().iterdir()) == []


def test_a_failure_ends_the_chain_and_fires_end_of_project_subscriptions(
    receiver_factory, work_until
):
    last = receiver_factory()
    project = start_project("fails", ["raise_exception", "do_nothing"], [{"target_url": last.url}])
    work_until(lambda: len(last.requests) == 1)
    failed, never = runs_of(project)
    assert (failed.status, never.status) == ("failure", "not_started")
    [payload] = last.payloads()
    assert payload["run"]["uuid"] == failed.uuid and payload["run"]["status"] == "failure"
    assert last.requests[0]["headers"]["X-Scanapp-Event"] == "run.failure"


def test_payload_shape_with_and_without_summary(receiver_factory, work_until, configure):
    configure(site_url="https://scan.example.org")
    plain, summary = receiver_factory(), receiver_factory()
    project = start_project("shape", ["do_nothing"], [
        {"target_url": plain.url},
        {"target_url": summary.url, "include_summary": True},
    ])
    work_until(lambda: len(plain.requests) == 1 and len(summary.requests) == 1)
    [run] = runs_of(project)
    [bare] = plain.payloads()
    assert set(bare) == {"project", "run"}
    assert bare["project"]["uuid"] == project.uuid and bare["project"]["name"] == "shape"
    assert bare["project"]["url"] == f"https://scan.example.org/api/projects/{project.uuid}/"
    assert "webhooks" not in bare["project"]
    assert bare["run"]["uuid"] == run.uuid and bare["run"]["status"] == "success"
    assert bare["run"]["pipeline_name"] == "do_nothing"
    assert bare["run"]["url"] == f"https://scan.example.org/api/runs/{run.uuid}/"
    [full] = summary.payloads()
    assert set(full) == {"project", "run", "summary"}
    assert full["summary"]["resource_count"] == 0
    assert full["summary"]["discovered_packages_summary"]["total"] == 0


def test_signature_verifies_with_the_secret(receiver, work_until, configure):
    configure(webhook_secret="s3cret")
    start_project("signed", ["do_nothing"], [{"target_url": receiver.url}])
    work_until(lambda: len(receiver.requests) == 1)
    [request] = receiver.requests
    expected = hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Scanapp-Signature"] == f"sha256={expected}"
    forged = hmac.new(b"other", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Scanapp-Signature"] != f"sha256={forged}"


def test_no_signature_header_without_a_secret(receiver, work_until):
    start_project("unsigned", ["do_nothing"], [{"target_url": receiver.url}])
    work_until(lambda: len(receiver.requests) == 1)
    assert "X-Scanapp-Signature" not in receiver.requests[0]["headers"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_500_twice_then_200_gives_one_success_after_three_recorded_attempts(
    receiver_factory, work_until
):
    flaky = receiver_factory(statuses=[500, 503])
    project = start_project("flaky", ["do_nothing"], [{"target_url": flaky.url}])
    work_until(lambda: any(d.success for d in deliveries()))
    work_until(lambda: True)  # one more pass: nothing else may be delivered
    rows = deliveries()
    assert [(d.attempt, d.response_status_code, d.success) for d in rows] == [
        (1, 500, False), (2, 503, False), (3, 200, True)]
    assert [d.response_text for d in rows] == ["answered 500", "answered 503", "answered 200"]
    assert len({d.delivery_id for d in rows}) == 1
    assert len(flaky.requests) == 3
    assert len({r["headers"]["X-Scanapp-Delivery"] for r in flaky.requests}) == 1
    assert [r["headers"]["X-Scanapp-Attempt"] for r in flaky.requests] == ["1", "2", "3"]
    assert len({r["body"] for r in flaky.requests}) == 1
    assert all(d.duration is not None and d.run_id == runs_of(project)[0].id for d in rows)


def test_client_errors_are_not_retried(receiver_factory, work_until):
    refusing = receiver_factory(statuses=[404])
    start_project("gone", ["do_nothing"], [{"target_url": refusing.url}])
    work_until(lambda: len(deliveries()) == 1)
    work_until(lambda: True)
    [row] = deliveries()
    assert (row.response_status_code, row.success) == (404, False)
    assert len(refusing.requests) == 1


def test_unreachable_receiver_leaves_the_run_successful_and_attempts_recorded(work_until):
    url = f"http://127.0.0.1:{free_port()}/hook"
    project = start_project("down", ["do_nothing", "do_nothing"], [
        {"target_url": url, "trigger_on_each_run": True}])
    work_until(lambda: len(deliveries()) == 6)
    work_until(lambda: True)
    assert [run.status for run in runs_of(project)] == ["success", "success"]
    rows = deliveries()
    assert len(rows) == 6 and not any(d.success for d in rows)
    assert sorted(d.attempt for d in rows) == [1, 1, 2, 2, 3, 3]
    assert all("ConnectionError" in d.delivery_error and d.response_status_code is None
               for d in rows)
    assert list(spool_dir().iterdir()) == []


def test_receiver_back_within_the_retry_window_gets_the_payload(
    receiver_factory, work_until, configure
):
    configure(webhook_retry_intervals="1,2,2")
    port = free_port()
    project = start_project("late", ["do_nothing"], [
        {"target_url": f"http://127.0.0.1:{port}/hook"}])
    work_until(lambda: len(deliveries()) >= 1)
    assert not deliveries()[0].success
    back = receiver_factory(port=port)
    work_until(lambda: len(back.requests) == 1)
    [payload] = back.payloads()
    assert payload["run"]["uuid"] == runs_of(project)[0].uuid
    rows = deliveries()
    assert rows[-1].success and not any(d.success for d in rows[:-1])


def test_no_retry_intervals_means_a_single_attempt(work_until, configure):
    configure(webhook_retry_intervals="")
    start_project("once", ["do_nothing"], [{"target_url": f"http://127.0.0.1:{free_port()}/x"}])
    work_until(lambda: len(deliveries()) == 1)
    work_until(lambda: True)
    assert [(d.attempt, d.success) for d in deliveries()] == [(1, False)]
    assert list(spool_dir().iterdir()) == []
