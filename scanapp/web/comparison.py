"""``/compare/``: two projects picked, what changed from the first to the second, its XLSX.

The comparison is ``GET /api/projects/{uuid}/compare/?with=``'s: both projects must be ones
the caller may see (else 404), each given by uuid or name.
"""

from __future__ import annotations

from flask import render_template, request, send_file

from outputs.formats import DOWNLOADS
from scanapp.schemas.compare import ComparisonSchema
from scanapp.services.compare import compare_projects, comparison_workbook
from scanapp.services.projects import project_choices
from scanapp.web.blueprint import caller, web


def _sides() -> tuple[str, str]:
    return request.args.get("a", "").strip(), request.args.get("b", "").strip()


@web.route("/compare/", methods=["GET"])
def compare():
    """Show the form picking two projects, then what the second added, lost and changed."""
    base, other = _sides()
    comparison = None
    if base and other:
        comparison = ComparisonSchema().dump(compare_projects(base, other, caller()))
    return render_template("compare.html", a=base, b=other, comparison=comparison,
                           choices=project_choices(caller()))


@web.route("/compare/xlsx", methods=["GET"])
def compare_download():
    """Send the comparison as an XLSX attachment (the API's ``output_format=xlsx``)."""
    base, other = _sides()
    buffer, name = comparison_workbook(compare_projects(base, other, caller()))
    return send_file(buffer, mimetype=DOWNLOADS["xlsx"].content_type, as_attachment=True,
                     download_name=name)
