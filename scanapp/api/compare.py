"""``GET /api/projects/{uuid}/compare/?with=``: what changed between two scans."""

from __future__ import annotations

from flask import send_file

from outputs.formats import DOWNLOADS
from scanapp.api.access import caller, project_role
from scanapp.api.arguments import CompareArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.compare import ComparisonSchema
from scanapp.schemas.lists import ErrorSchema
from scanapp.services.compare import compare_projects, comparison_workbook

blp = Blueprint("compare", __name__, url_prefix="/api/projects", description="Compare")


@blp.route("/<uuid:uuid>/compare/", methods=["GET"])
@project_role("member")
@blp.arguments(CompareArguments, location="query", as_kwargs=True)
@blp.response(200, ComparisonSchema,
              description="The changes; an XLSX attachment with output_format=xlsx.")
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def compare(uuid, other, output_format):
    """Compare the project with ``with`` (a uuid or name): what ``with`` added, lost, changed.

    Packages added, removed, with another version or declared license; dependencies added,
    removed, with another requirement; compliance alerts new and resolved; files added,
    removed and changed (by SHA-256, paths below each project's root folder).
    """
    comparison = compare_projects(str(uuid), other, caller())
    if output_format == "json":
        return comparison
    buffer, name = comparison_workbook(comparison)
    return send_file(buffer, mimetype=DOWNLOADS["xlsx"].content_type, as_attachment=True,
                     download_name=name)
