"""`scanapp serve` and two `scanapp worker` started at the same instant on a fresh database.

Three rounds per database kind, side by side, each on its own fresh SQLite file or fresh
PostgreSQL database: once the API answers and both workers listen (the migrations are behind
them), every process must still be alive a few seconds later. (Before migrations ran under a
lock, several processes died on "table apitoken already exists".)
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from scanapp import db
from tests.cli.test_serve import REPO_ROOT, free_port, scanapp_command
from tests.conftest import PG_ADMIN_URL

ROUNDS = 3
#: Seconds for every process to be up; then seconds they must all stay alive.
STARTED_WITHIN = 90
ALIVE_AFTER = 3


def _environment(workdirs: Path, database_url: str, redis_url: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(workdirs), SCANAPP_DATABASE_URL=database_url,
               SCANAPP_REDIS_URL=redis_url, SCANAPP_WORKER_LOAD_LICENSE_INDEX="false")
    return env


def _start_round(folder: Path, database_url: str, redis_url: str) -> tuple[int, list]:
    """Start serve and two workers at once; return the port and (process, log) pairs."""
    folder.mkdir(parents=True)
    env = _environment(folder / "workdirs", database_url, redis_url)
    port = free_port()
    commands = [
        [*scanapp_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1"],
        [*scanapp_command(), "worker"],
        [*scanapp_command(), "worker"],
    ]
    started = []
    for number, command in enumerate(commands):
        log = (folder / f"process-{number}.log").open("w+")
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
                                   start_new_session=True)
        started.append((process, log))
    return port, started


def _stop(started: list) -> None:
    for process, _ in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process, log in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _up(port: int, started: list) -> bool:
    """Tell whether the API answers and both workers listen on their queue."""
    for _process, log in started[1:]:
        log.seek(0)
        if "Listening on" not in log.read():
            return False
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/projects/", timeout=5).ok
    except requests.RequestException:
        return False


def _check(rounds: list) -> None:
    deadline = time.monotonic() + STARTED_WITHIN
    waiting = list(rounds)
    while waiting and time.monotonic() < deadline:
        if any(process.poll() is not None for _, started in rounds for process, _ in started):
            break  # a process died: reported below
        waiting = [item for item in waiting if not _up(*item)]
        time.sleep(0.5)
    time.sleep(ALIVE_AFTER)
    for port, started in rounds:
        for process, log in started:
            log.seek(0)
            assert process.poll() is None, f"{process.args} died:\n{log.read()[-3000:]}"
        response = requests.get(f"http://127.0.0.1:{port}/api/projects/", timeout=10)
        assert response.status_code == 200 and response.json()["count"] == 0


def _run_rounds(tmp_path: Path, database_urls: list[str], redis_url: str) -> None:
    rounds = []
    try:
        for number, database_url in enumerate(database_urls):
            rounds.append(_start_round(tmp_path / f"round-{number}", database_url, redis_url))
        _check(rounds)
    finally:
        for _, started in rounds:
            _stop(started)


def test_serve_and_workers_start_together_on_a_fresh_sqlite_file(tmp_path, redis_url):
    urls = [f"sqlite:///{tmp_path}/db-{number}/scanapp.sqlite3" for number in range(ROUNDS)]
    _run_rounds(tmp_path, urls, redis_url)


@pytest.fixture
def fresh_postgres_databases(postgres_server):
    """Three empty PostgreSQL databases (no schema), dropped after the test."""
    admin = sa.create_engine(db.normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    names = [f"scanapp_start_{uuid.uuid4().hex[:10]}" for _ in range(ROUNDS)]
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield [PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}" for name in names]
    with admin.connect() as connection:
        for name in names:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_serve_and_workers_start_together_on_a_fresh_postgres_database(
    tmp_path, redis_url, fresh_postgres_databases
):
    _run_rounds(tmp_path, fresh_postgres_databases, redis_url)
