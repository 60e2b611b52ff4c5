"""Database engine, sessions and migrations."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from scanapp.config import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: The PostgreSQL advisory lock taken while migrating (any fixed 64-bit number).
MIGRATION_LOCK_KEY = 0x5CA4_A990


def normalize_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_ENGINES: dict[str, sa.Engine] = {}
#: Engines kept (by URL, the least recently made dropped first): a process uses one or two.
ENGINES_KEPT = 4


def _engine_for(url: str) -> sa.Engine:
    if url not in _ENGINES:
        while len(_ENGINES) >= ENGINES_KEPT:
            _ENGINES.pop(next(iter(_ENGINES))).dispose()
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
    # 16 MiB of pages per connection, not 2: a package search reading 1,400 rows of a large
    # database took 30 ms instead of 16 (each page read again from the file).
    cursor.execute("PRAGMA cache_size=-16384")
    cursor.close()


def get_engine() -> sa.Engine:
    """Return the engine for the configured database."""
    settings = get_settings()
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.workdirs.mkdir(parents=True, exist_ok=True)
    return _engine_for(settings.sqlalchemy_url)


def dispose_engines() -> None:
    """Close every pooled connection (after a fork, or between tests).

    The engines are kept, with the statements they compiled (compiling is most of a
    small query's time): the next connection is a new one.
    """
    for engine in _ENGINES.values():
        engine.dispose()


def forget_engines() -> None:
    """Forget the connections inherited through a fork without closing them.

    The connections belong to the parent process; this one opens its own when it needs them.
    """
    for engine in _ENGINES.values():
        engine.dispose(close=False)


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


def dialect_insert(session: Session, table: sa.Table):
    """Return an INSERT of ``table`` with ``on_conflict_do_*`` for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def alembic_config(url: str | None = None):
    """Return the Alembic configuration for the packaged migrations."""
    from alembic.config import Config  # alembic is imported when needed: 0.16 s at start

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url or get_settings().sqlalchemy_url))
    return config


def migrate(url: str | None = None) -> None:
    """Create or upgrade the schema to the latest migration, one process at a time.

    Any number of processes (``scanapp serve``, workers, the CLI) may call it at the same
    instant on a fresh database: one migrates under a lock (a PostgreSQL advisory lock, or a
    file lock beside the SQLite file) while the others wait for it, then find the schema
    current and go on.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    url = url or get_settings().sqlalchemy_url
    config = alembic_config(url)
    head = ScriptDirectory.from_config(config).get_current_head()
    with _migration_lock(url):
        if current_revision(url) != head:
            command.upgrade(config, "head")


def schema_is_current(url: str | None = None) -> bool:
    """Tell whether the database schema is at the latest migration."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return current_revision(url) == head


def current_revision(url: str | None = None) -> str | None:
    """Return the schema's Alembic revision, None on an empty database."""
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(normalize_url(url or get_settings().sqlalchemy_url),
                              poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    if url.startswith("sqlite"):
        with _file_lock(url):
            yield
        return
    engine = sa.create_engine(normalize_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            key = {"key": MIGRATION_LOCK_KEY}
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), key)
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), key)
    finally:
        engine.dispose()


@contextmanager
def _file_lock(url: str) -> Iterator[None]:
    database = sa.engine.make_url(url).database or ""
    if not database or database == ":memory:":
        yield
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate-lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
