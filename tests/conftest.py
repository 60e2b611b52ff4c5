"""Shared fixtures: settings on a temporary workdirs, app, client, runner, session."""

from __future__ import annotations

import dataclasses
import os
import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from scanapp import db
from scanapp.config import load_settings, set_settings
from scanapp.registry import reset_registry

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
TEST_PIPELINES = TESTS_DIR / "pipelines"
PG_ADMIN_URL = os.environ.get("SCANAPP_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_available() -> str | None:
    try:
        engine = sa.create_engine(db.normalize_url(PG_ADMIN_URL))
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}"


#: Names of the internet the tests use, answered here as public DNS would (there is none).
PUBLIC_NAMES = {"example.com": "93.184.216.34", "example.org": "93.184.215.14"}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Resolve ``example.com``, ``example.org`` and their subdomains to their public addresses."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        name = str(host or "").lower().rstrip(".")
        for domain, address in PUBLIC_NAMES.items():
            if name == domain or name.endswith("." + domain):
                return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def skip_for_missing_service(reason: str) -> None:
    """Skip a test whose service is missing; under ``CI=true`` fail it instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    """Skip (with the reason) when no PostgreSQL server answers; fail under CI."""
    reason = _postgres_available()
    if reason:
        skip_for_missing_service(reason)
    return PG_ADMIN_URL


def _create_pg_database() -> str:
    name = f"scanapp_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(db.normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(db.normalize_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_pg_database(url: str) -> None:
    """Remove every row (the schema and the Alembic version stay)."""
    engine = sa.create_engine(db.normalize_url(url))
    with engine.begin() as connection:
        names = sa.inspect(connection).get_table_names()
        tables = ", ".join(f'"{name}"' for name in names if name != "alembic_version")
        if tables:
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_server):
    """A throw-away PostgreSQL database for the session (random name), dropped at the end.

    The first test using it creates the schema with the migrations; each test empties it after.
    """
    url = _create_pg_database()
    yield url
    db.dispose_engines()
    _drop_pg_database(url)


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    """The database for one test: SQLite by default, PostgreSQL when parametrized so."""
    if request.param == "sqlite":
        yield ""
        return
    url = request.getfixturevalue("postgres_database")
    yield url
    db.dispose_engines()
    _empty_pg_database(url)


@pytest.fixture
def settings(tmp_path, database_url, monkeypatch):
    """Settings on a temporary workdirs, with the test pipelines registered."""
    workdirs = tmp_path / "workdirs"
    env = {
        "SCANAPP_WORKDIRS": str(workdirs),
        "SCANAPP_PIPELINES_DIRS": str(TEST_PIPELINES),
        "SCANAPP_DATABASE_URL": database_url,
        "SCANAPP_POLICIES_FILE": str(TESTS_DIR.parent / "policies.yml"),
        # Workers started by tests load the index only when a test scans (1.5 GB, 8 s each).
        "SCANAPP_WORKER_LOAD_LICENSE_INDEX": "false",
        # Failed authentications are counted per address: off, but in tests/api/test_auth_limits.
        "SCANAPP_AUTH_FAILURE_LIMIT": "",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    current = load_settings()
    set_settings(current)
    reset_registry()
    db.dispose_engines()
    db.migrate()
    yield current
    db.dispose_engines()
    set_settings(None)
    reset_registry()


def override(**values):
    """Replace some settings for the rest of the test."""
    from scanapp.config import get_settings

    set_settings(dataclasses.replace(get_settings(), **values))


@pytest.fixture
def app(settings):
    """The Flask app on the test settings."""
    from scanapp.api import create_app

    application = create_app({"TESTING": True})
    return application


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner():
    """A click CLI runner."""
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def session(settings):
    """A database session on the test database."""
    from sqlmodel import Session

    with Session(db.get_engine(), expire_on_commit=False) as current:
        yield current


REDIS_TEST_URL = os.environ.get("SCANAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
def redis_url(settings, monkeypatch):
    """A real Redis on a throw-away database number, claimed for this test and flushed after.

    Skips (with the reason) when no Redis answers; fails under ``CI=true``.
    """
    import redis

    from scanapp.config import get_settings

    try:
        probe = redis.Redis.from_url(f"{REDIS_TEST_URL}/0", socket_connect_timeout=2)
        probe.ping()
    except redis.RedisError as error:
        skip_for_missing_service(f"Redis not reachable at {REDIS_TEST_URL}: {error}")
    for number in range(1, 16):
        connection = redis.Redis.from_url(f"{REDIS_TEST_URL}/{number}")
        claimed = connection.set("scanapp-test-claim", os.getpid(), nx=True, ex=900)
        if claimed and connection.dbsize() == 1:
            break
        ours = connection.get("scanapp-test-claim") == str(os.getpid()).encode()
        if ours and connection.dbsize() == 1:
            break
    else:
        skip_for_missing_service("No free Redis database number (1-15) for the test")
    url = f"{REDIS_TEST_URL}/{number}"
    set_settings(dataclasses.replace(get_settings(), redis_url=url))
    monkeypatch.setenv("SCANAPP_REDIS_URL", url)
    yield url
    connection.flushdb()
