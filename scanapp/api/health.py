"""``/api/health/`` (the process answers) and ``/api/ready/`` (it can serve), open to all."""

from __future__ import annotations

from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import HealthSchema, ReadySchema
from scanapp.services.health import readiness

blp = Blueprint("health", __name__, url_prefix="/api", description="Health")


@blp.route("/health/", methods=["GET"])
@blp.response(200, HealthSchema)
def health():
    """Answer while the server process runs (a liveness probe); no API key needed."""
    return {"status": "ok"}


@blp.route("/ready/", methods=["GET"])
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema)
def ready():
    """Answer 200 when the database is reachable and current and Redis answers, else 503."""
    answer = readiness()
    return answer, 200 if answer["status"] == "ready" else 503
