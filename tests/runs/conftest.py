"""Run test fixtures: real `scanapp worker` subprocesses on a real Redis, short intervals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from scanapp.config import load_settings, set_settings
from scanapp.db import session_scope
from scanapp.models import Run

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Short reconcile interval and heartbeat TTL so that lost runs are found in seconds.
FAST_WORKER_SETTINGS = {
    "SCANAPP_WORKER_RECONCILE_INTERVAL": "1",
    "SCANAPP_RUN_HEARTBEAT_INTERVAL": "1",
    "SCANAPP_RUN_HEARTBEAT_TTL": "4",
}


@pytest.fixture
def fast_settings(redis_url, monkeypatch):
    """Use FAST_WORKER_SETTINGS here and in the workers started by the test."""
    for key, value in FAST_WORKER_SETTINGS.items():
        monkeypatch.setenv(key, value)
    set_settings(load_settings())


def wait_for(predicate, timeout: float, interval: float = 0.05):
    """Poll ``predicate`` until it returns a true value; fail after ``timeout`` seconds."""
    limit = time.monotonic() + timeout
    while time.monotonic() < limit:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} seconds")


def get_run(uuid: str) -> Run | None:
    """Return the run row, fresh from the database."""
    with session_scope() as session:
        return session.exec(select(Run).where(Run.uuid == uuid)).first()


def status_is(uuid: str, *statuses: str):
    """Predicate: the run has one of ``statuses``."""
    return lambda: (run := get_run(uuid)) is not None and run.status in statuses


def children_of(pid: int) -> list[int]:
    """Return the pids of the direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Return True while ``pid`` exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_hard(pid: int) -> None:
    """SIGKILL a process group (or a process), ignoring those already gone."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Workers:
    """Start `scanapp worker` processes; every one left is killed at the end of the test."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str) -> subprocess.Popen:
        """Start a worker (in its own session, so that its group can be killed)."""
        log = open(self.logs / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "scanapp", "worker", *args],
            cwd=REPO_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def burst(self, *args: str, timeout: float = 120) -> None:
        """Run one burst worker until the queue is empty."""
        process = self.start("--burst", *args)
        process.wait(timeout=timeout)
        assert process.returncode == 0, self.log_text(process)

    def log_text(self, process: subprocess.Popen) -> str:
        """The output of a worker so far."""
        return (self.logs / f"worker-{self.started.index(process)}.log").read_text(errors="replace")

    def horses(self, process: subprocess.Popen) -> list[int]:
        """Work horses of a worker: children that lead their own process group."""
        return [pid for pid in children_of(process.pid) if alive(pid) and os.getpgid(pid) == pid]

    def stop_all(self) -> None:
        """Ask every worker to stop, then kill what remains (groups and horses)."""
        for process in self.started:
            if process.poll() is None:
                for pid in self.horses(process):
                    kill_hard(pid)
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            kill_hard(process.pid)
            process.wait(timeout=10)


@pytest.fixture
def workers(fast_settings, tmp_path):
    """Real `scanapp worker` processes on the test Redis and database."""
    started = Workers(tmp_path)
    yield started
    started.stop_all()
