"""Webhook test fixtures: a real HTTP receiver on 127.0.0.1 and real RQ burst workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scanapp.config import load_settings, set_settings

REPO_ROOT = Path(__file__).resolve().parents[2]


class Receiver:
    """An HTTP server answering POSTs with scripted status codes, recording every request."""

    def __init__(self, statuses=(), port: int = 0):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(f"answered {status}".encode())

            def log_message(self, *args):
                pass

        return Handler

    def payloads(self) -> list[dict]:
        """The JSON bodies received, in order."""
        return [json.loads(item["body"]) for item in self.requests]

    def close(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory():
    """Start receivers; all are closed at the end of the test."""
    started: list[Receiver] = []

    def start(statuses=(), port: int = 0) -> Receiver:
        started.append(Receiver(statuses, port))
        return started[-1]

    yield start
    for item in started:
        item.close()


@pytest.fixture
def receiver(receiver_factory):
    """A receiver answering 200."""
    return receiver_factory()


def free_port() -> int:
    """A port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def configure(settings, monkeypatch):
    """Set SCANAPP_* variables for this process and the workers it starts."""

    def apply(**values) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"SCANAPP_{key.upper()}", str(value))
        set_settings(load_settings())

    apply(allow_private_urls="true", webhook_retry_intervals="1,1", webhook_timeout=5)
    return apply


def _worker_command(redis_url: str, queue: str) -> list[str]:
    from scanapp.cli import cli

    if "worker" in cli.commands:
        return [sys.executable, "-m", "scanapp", "worker", "--burst"]
    return [sys.executable, "-m", "rq.cli", "worker", "--with-scheduler", "--burst",
            "--url", redis_url, queue]


@pytest.fixture
def work_until(redis_url, configure):
    """Run real burst workers (with the scheduler) until ``done()`` or a deadline."""
    from scanapp.config import get_settings

    def run(done, deadline: float = 90) -> None:
        command = _worker_command(redis_url, get_settings().queue_name)
        limit = time.monotonic() + deadline
        while time.monotonic() < limit:
            subprocess.run(command, cwd=REPO_ROOT, env=dict(os.environ), check=True,
                           capture_output=True, timeout=deadline)
            if done():
                return
            time.sleep(0.3)
        raise AssertionError("The workers did not reach the expected state before the deadline")

    return run
