"""Database engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from scanapp.config import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_ENGINES: dict[str, sa.Engine] = {}


def _engine_for(url: str) -> sa.Engine:
    if url not in _ENGINES:
        _ENGINES[url] = _create_engine(normalize_url(url))
    return _ENGINES[url]


def _create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine() -> sa.Engine:
    """Return the engine for the configured database."""
    settings = get_settings()
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.workdirs.mkdir(parents=True, exist_ok=True)
    return _engine_for(settings.sqlalchemy_url)


def dispose_engines() -> None:
    """Close every pooled connection (after a fork, or between tests)."""
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


@contextmanager
def session_scope() -> Iterator[Session]:
    """Open a session that commits on success and rolls back on error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str | None = None):
    """Return the Alembic configuration for the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url or get_settings().sqlalchemy_url))
    return config


def migrate(url: str | None = None) -> None:
    """Create or upgrade the schema to the latest migration."""
    from alembic import command

    if (url or get_settings().sqlalchemy_url).startswith("sqlite"):
        get_settings().workdirs.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
