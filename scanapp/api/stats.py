"""``GET /api/stats/``: figures over the projects the caller may see."""

from __future__ import annotations

from scanapp.api.access import caller
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.packages import StatsSchema
from scanapp.services.stats import stats

blp = Blueprint("stats", __name__, url_prefix="/api/stats", description="Stats")


@blp.route("/", methods=["GET"])
@blp.response(200, StatsSchema)
def get_stats():
    """Return projects, runs by status, files, packages, the top licenses and packages."""
    return stats(caller())
