"""The `scanapp worker` command and its RQ worker class."""

from __future__ import annotations

import pytest

from scanapp.cli import cli
from scanapp.queue import get_redis
from scanapp.worker import ScanappWorker


@pytest.mark.parametrize(("interval", "dequeue"), [(1, 1), (60, 60), (300, 300), (3600, 405)])
def test_idle_waits_end_in_time_to_reconcile_within_the_redis_socket_timeout(
    redis_url, interval, dequeue
):
    worker = ScanappWorker(["default"], connection=get_redis(), reconcile_interval=interval)
    assert worker.dequeue_timeout == dequeue
    socket_timeout = worker.connection.connection_pool.connection_kwargs["socket_timeout"]
    assert socket_timeout > worker.dequeue_timeout
    assert worker.job_monitoring_interval == min(30, interval)


def test_reconciliation_is_due_at_start_then_after_the_interval(redis_url):
    worker = ScanappWorker(["default"], connection=get_redis(), reconcile_interval=60)
    assert worker.reconcile_due() and worker.should_run_maintenance_tasks
    worker.reconcile()
    assert not worker.reconcile_due()
    worker._reconciled_at -= 61
    assert worker.reconcile_due()


def test_worker_help(runner):
    result = runner.invoke(cli, ["worker", "--help"])
    assert result.exit_code == 0
    for option in ("--burst", "--queue NAME", "--name"):
        assert option in result.output
