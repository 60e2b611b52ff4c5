"""``/api/projects/<uuid>/summary/``: the summary written by scan_single_package."""

from __future__ import annotations

from scanapp.api.access import project_role
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.summary import SummarySchema
from scanapp.services.records import summary

blp = Blueprint("summary", __name__, url_prefix="/api/projects", description="Summary")


@blp.route("/<uuid:uuid>/summary/", methods=["GET"])
@project_role("member")
@blp.response(200, SummarySchema)
@blp.alt_response(404, schema=ErrorSchema)
def project_summary(uuid):
    """Return the scan summary: declared license, license clarity score, key files."""
    return summary(str(uuid))
