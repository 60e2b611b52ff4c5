"""``/api/projects/<uuid>/summary/``: the summary written by scan_single_package."""

from __future__ import annotations

from flask_smorest import Blueprint

from scanapp.api.schemas import ApiErrorSchema
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.services.lookup import get_project

blp = Blueprint("summary", __name__, url_prefix="/api/projects", description="Summary")


@blp.route("/<uuid:uuid>/summary/", methods=["GET"])
@blp.response(200)
@blp.alt_response(404, schema=ApiErrorSchema)
def project_summary(uuid):
    """Return the scan summary: declared license, license clarity score, key files."""
    with session_scope() as session:
        project = get_project(session, str(uuid))
        summary = (project.extra_data or {}).get("summary")
    if summary is None:
        raise NotFoundError("Summary file not available")
    return summary
