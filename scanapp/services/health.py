"""Liveness and readiness: is the database reachable and current, is the task queue reachable."""

from __future__ import annotations

import sqlalchemy as sa
from redis.exceptions import RedisError

from scanapp import queue
from scanapp.db import schema_is_current, session_scope


def _database() -> str:
    try:
        with session_scope() as session:
            session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


def _migrations() -> str:
    try:
        return "ok" if schema_is_current() else "not current: run scanapp migrate"
    except sa.exc.SQLAlchemyError as error:
        return f"unknown: {type(error).__name__}"


def _redis() -> str:
    try:
        queue.get_redis().ping()
    except RedisError as error:
        return f"unreachable: {error}"
    return "ok"


def readiness() -> dict:
    """Return ``{"status": "ready"|"not ready", "checks": {name: "ok" or why not}}``."""
    checks = {"database": _database(), "migrations": "", "redis": _redis()}
    checks["migrations"] = _migrations() if checks["database"] == "ok" else "unknown"
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}
