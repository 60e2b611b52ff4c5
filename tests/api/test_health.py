"""``/api/health/`` and ``/api/ready/``: open to all; ready only with the database and Redis."""

from __future__ import annotations

import pytest

from tests.conftest import override
from tests.webhooks.conftest import free_port

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_health_answers_without_a_key(client):
    override(require_authentication=True)
    assert client.get("/api/health/").json == {"status": "ok"}
    assert client.get("/api/projects/").status_code == 401


def test_ready_is_503_while_redis_is_down_and_200_after(client, redis_url):
    override(require_authentication=True)
    ready = client.get("/api/ready/")
    assert ready.status_code == 200
    assert ready.json == {"status": "ready",
                          "checks": {"database": "ok", "migrations": "ok", "redis": "ok"}}
    override(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    down = client.get("/api/ready/")
    assert down.status_code == 503 and down.json["status"] == "not ready"
    assert down.json["checks"]["redis"].startswith("unreachable")
    assert down.json["checks"]["database"] == "ok"
    override(redis_url=redis_url)
    assert client.get("/api/ready/").status_code == 200
