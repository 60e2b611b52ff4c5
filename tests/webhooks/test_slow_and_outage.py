"""Receivers that trickle and Redis outages: workers are never held, nothing is lost.

A trickling receiver answers one byte every 2 s: each attempt ends within
``SCANAPP_WEBHOOK_TIMEOUT`` with a numbered delivery row, and a scan queued behind it starts
at once. A Redis of the test's own, stopped for 20 s while a scan runs, is waited out: the
run ends in success on the same worker, and a webhook retry scheduled before the outage is
delivered after it.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import WebhookDelivery
from scanapp.services.projects import ProjectRequest, create_project
from scanapp.services.runs import project_runs
from tests.runs.conftest import Workers, get_run, wait_for
from tests.webhooks.conftest import free_port


class Trickler:
    """Accepts webhook POSTs and answers ``HTTP/1.1 200 OK`` one byte every 2 seconds."""

    def __init__(self):
        self.attempts: list[str] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        with connection:
            request = connection.recv(65536).decode("latin1")
            for line in request.split("\r\n"):
                if line.lower().startswith("x-scanapp-attempt:"):
                    self.attempts.append(line.split(":", 1)[1].strip())
            try:
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
                    connection.send(bytes([byte]))
                    time.sleep(2)
            except OSError:
                return

    def close(self):
        self.sock.close()


def deliveries() -> list[WebhookDelivery]:
    with session_scope() as session:
        return session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


@pytest.fixture
def workers_here(configure, redis_url, tmp_path, monkeypatch):
    """Real `scanapp worker` processes on the test Redis, fast reconcile intervals."""
    configure(worker_reconcile_interval=1, run_heartbeat_interval=1, run_heartbeat_ttl=30)
    started = Workers(tmp_path)
    yield started
    started.stop_all()


def test_a_trickling_receiver_never_holds_the_worker(configure, workers_here):
    configure(webhook_timeout=3, webhook_retry_intervals="1,1")
    trickler = Trickler()
    try:
        hooked = create_project(ProjectRequest(
            name="hooked", pipelines=["do_nothing"], webhooks=[{"target_url": trickler.url}],
            execute_now=True))
        later = create_project(ProjectRequest(
            name="behind", pipelines=["slow"], settings={"slow_seconds": 1}, execute_now=True))
        workers_here.start()
        [scan] = project_runs(later.id)
        wait_for(lambda: len(deliveries()) == 3, 90, interval=0.2)
        first = deliveries()[0]
        started = wait_for(lambda: get_run(scan.uuid).task_start_date, 30)
        assert (started.replace(tzinfo=None) - first.sent_date.replace(tzinfo=None)
                ).total_seconds() < 5
        rows = deliveries()
        assert [row.attempt for row in rows] == [1, 2, 3]
        assert all(not row.success and "Timeout" in row.delivery_error for row in rows)
        assert all(row.duration is None or row.duration <= 4 for row in rows)
        assert trickler.attempts == ["1", "2", "3"]
        [hook_run] = project_runs(hooked.id)
        assert get_run(hook_run.uuid).status == "success"
        wait_for(lambda: get_run(scan.uuid).status == "success", 30)
    finally:
        trickler.close()


@pytest.fixture
def own_redis(tmp_path, monkeypatch, settings):
    """A Redis server of this test on a free port, persisting to an append-only file."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port, folder = free_port(), tmp_path / "redis"
    folder.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "yes", "--appendfsync", "always", "--dir", str(folder)]

    def start():
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _pings(port), 10)
        return process

    server = {"process": start()}

    def stop():
        server["process"].terminate()
        server["process"].wait(10)

    def restart():
        server["process"] = start()

    url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("SCANAPP_REDIS_URL", url)
    yield url, stop, restart
    if server["process"].poll() is None:
        server["process"].terminate()
        server["process"].wait(10)


#: Seconds Redis is down while the scan runs (it runs 18 s; the webhook's retry is due
#: 14 s after its first attempt, after the outage).
OUTAGE = 8


def _pings(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_a_redis_outage_during_a_scan_is_waited_out(configure, own_redis, receiver_factory,
                                                     tmp_path):
    url, stop, restart = own_redis
    configure(redis_url=url, worker_reconcile_interval=1, run_heartbeat_interval=1,
              run_heartbeat_ttl=60, webhook_retry_intervals="14", webhook_timeout=5)
    receiver = receiver_factory(statuses=[503])
    create_project(ProjectRequest(name="notified", pipelines=["do_nothing"], execute_now=True,
                                  webhooks=[{"target_url": receiver.url}]))
    scan_project = create_project(ProjectRequest(
        name="long", pipelines=["slow"], settings={"slow_seconds": 18}, execute_now=True))
    [scan] = project_runs(scan_project.id)
    workers = Workers(tmp_path)
    try:
        worker = workers.start()
        wait_for(lambda: len(receiver.requests) == 1, 30)  # the first attempt: 503
        wait_for(lambda: get_run(scan.uuid).status == "running", 30)
        name = get_run(scan.uuid).worker_name
        stop()
        time.sleep(OUTAGE)  # many heartbeat and reconcile intervals (1 s each)
        restart()
        wait_for(lambda: get_run(scan.uuid).status not in ("running", "queued"), 90)
        run = get_run(scan.uuid)
        assert run.status == "success", workers.log_text(worker)
        assert run.worker_name == name and worker.poll() is None
        wait_for(lambda: len(receiver.requests) == 2, 60)  # the retry, after the outage
        # The receiver has its request before the worker records the answer: wait for both.
        wait_for(lambda: len(deliveries()) == 2, 30)
        assert [item.response_status_code for item in deliveries()] == [503, 200]
        assert "Redis unreachable" in workers.log_text(worker)
    finally:
        workers.stop_all()
