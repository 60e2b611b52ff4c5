"""Without a reachable Redis (the in-process run), deliveries happen inline, bounded."""

import pytest
from sqlmodel import select

from scanapp import lifecycle
from scanapp.db import session_scope
from scanapp.models import ProjectMessage, Run, WebhookDelivery
from scanapp.services import webhook_delivery
from scanapp.services.projects import ProjectRequest, create_project
from scanapp.services.run_end import finish_run
from scanapp.services.runs import execute_in_process
from tests.webhooks.conftest import free_port


def make(name, webhooks, pipelines=("do_nothing",)):
    project = create_project(ProjectRequest(name=name, pipelines=list(pipelines),
                                            webhooks=webhooks))
    with session_scope() as session:
        runs = session.exec(select(Run).where(Run.project_id == project.id).order_by(Run.id)).all()
    return project, runs


def rows():
    with session_scope() as session:
        return session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def status_of(run):
    with session_scope() as session:
        return session.get(Run, run.id).status


def test_inline_delivery_retries_when_redis_is_unreachable(receiver_factory, configure):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    flaky = receiver_factory(statuses=[502])
    _, [run] = make("inline", [{"target_url": flaky.url}])
    assert execute_in_process(run.id) == 0
    assert status_of(run) == "success"
    assert [(d.attempt, d.response_status_code, d.success) for d in rows()] == [
        (1, 502, False), (2, 200, True)]
    assert len({r["headers"]["X-Scanapp-Delivery"] for r in flaky.requests}) == 1
    assert list(webhook_delivery.spool_dir().iterdir()) == []


def test_inline_unreachable_receiver_never_fails_the_run(configure):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    _, [run] = make("inline-down", [{"target_url": f"http://127.0.0.1:{free_port()}/x"}])
    assert execute_in_process(run.id) == 0
    assert status_of(run) == "success"
    assert [d.attempt for d in rows()] == [1, 2, 3]
    assert not any(d.success for d in rows())


def test_inline_wait_is_bounded(configure, monkeypatch):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0", webhook_retry_intervals="1,400")
    _, [run] = make("bounded", [{"target_url": f"http://127.0.0.1:{free_port()}/x"}])
    assert execute_in_process(run.id) == 0
    assert [d.attempt for d in rows()] == [1, 2]  # the 400 s wait exceeds the inline limit


def test_a_payload_that_cannot_be_built_is_recorded_and_others_still_fire(
    receiver_factory, configure, monkeypatch
):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    good = receiver_factory()
    _, [run] = make("broken", [{"target_url": good.url},
                               {"target_url": good.url + "/summary", "include_summary": True}])

    def broken(session, project):
        raise RuntimeError("summary exploded")

    monkeypatch.setattr("scanapp.services.webhooks.project_summary", broken)
    assert execute_in_process(run.id) == 0
    assert status_of(run) == "success"
    assert [r["path"] for r in good.requests] == ["/hook"]
    failed = [d for d in rows() if not d.success]
    assert len(failed) == 1 and "summary exploded" in failed[0].delivery_error
    with session_scope() as session:
        assert session.exec(select(ProjectMessage)).all() == []


def test_firing_twice_for_the_same_run_delivers_once(receiver, configure):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    _, [run] = make("twice", [{"target_url": receiver.url}])
    assert execute_in_process(run.id) == 0
    webhook_delivery.fire_webhooks(run.id)
    assert len(receiver.requests) == 1 and len(rows()) == 1


@pytest.mark.parametrize("status", ["stopped", "stale"])
def test_stopped_or_stale_run_ends_the_chain(receiver_factory, configure, status):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    each, last = receiver_factory(), receiver_factory()
    _, [first, _second] = make(status, [{"target_url": each.url, "trigger_on_each_run": True},
                                        {"target_url": last.url}],
                               pipelines=("do_nothing", "do_nothing"))
    lifecycle.update_run(first.id, status=status)
    finish_run(first.id)
    assert len(each.requests) == 1 and len(last.requests) == 1
    assert last.requests[0]["headers"]["X-Scanapp-Event"] == f"run.{status}"
    assert last.payloads()[0]["run"]["status"] == status


def test_success_with_runs_left_fires_only_each_run_subscriptions(receiver_factory, configure):
    configure(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    each, last = receiver_factory(), receiver_factory()
    _, [first, second] = make("left", [{"target_url": each.url, "trigger_on_each_run": True},
                                       {"target_url": last.url}],
                              pipelines=("do_nothing", "do_nothing"))
    assert execute_in_process(first.id) == 0
    assert (len(each.requests), len(last.requests)) == (1, 0)
    assert execute_in_process(second.id) == 0
    assert (len(each.requests), len(last.requests)) == (2, 1)
