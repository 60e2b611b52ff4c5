"""``GET /api/projects/{uuid}/vulnerabilities/``: the known vulnerabilities of a project."""

from __future__ import annotations

from scanapp.api.access import project_role
from scanapp.api.arguments import VulnerabilityArguments
from scanapp.api.blueprint import Blueprint
from scanapp.api.pagination import page_response
from scanapp.config import get_settings
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.vulnerabilities import ProjectVulnerabilityPageSchema
from scanapp.services.vulnerabilities import project_vulnerabilities

blp = Blueprint("vulnerabilities", __name__, url_prefix="/api/projects",
                description="Vulnerabilities")


@blp.route("/<uuid:uuid>/vulnerabilities/", methods=["GET"])
@project_role("member")
@blp.arguments(VulnerabilityArguments, location="query", as_kwargs=True)
@blp.response(200, ProjectVulnerabilityPageSchema)
@blp.alt_response(404, schema=ErrorSchema)
def list_vulnerabilities(uuid, page, **filters):
    """List the project's known vulnerabilities (find_vulnerabilities), most severe first.

    One entry per vulnerability and package or dependency it affects. Filters:
    ``severity`` (the lowest level listed), ``package`` (a purl or its start), ``alias``
    (a vulnerability id or a CVE id).
    """
    return page_response(project_vulnerabilities(str(uuid), filters, page,
                                                 get_settings().page_size))
