"""Project outputs: ``results/``, ``results_download/``, ``outputs/`` and ``report/``."""

from __future__ import annotations

from pathlib import Path

from flask import send_file
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from outputs import report
from outputs.formats import DOWNLOADS, versions_text
from scanapp.api.projects import base_url
from scanapp.api.schemas import ApiErrorSchema, ProjectFilterSchema
from scanapp.services import outputs as service

blp = Blueprint("outputs", __name__, url_prefix="/api/projects", description="Outputs")


class DownloadSchema(Schema):
    """``results_download/`` arguments."""

    class Meta:
        """Ignore unknown arguments."""

        unknown = EXCLUDE

    output_format = fields.String(
        load_default="json",
        metadata={"description": "One of: " + ", ".join(DOWNLOADS)},
    )
    version = fields.String(
        load_default=None, metadata={"description": versions_text()}
    )


class OutputFileSchema(Schema):
    """``outputs/`` arguments."""

    class Meta:
        """Ignore unknown arguments."""

        unknown = EXCLUDE

    filename = fields.String(load_default=None)


class ReportSchema(ProjectFilterSchema):
    """``report/`` arguments: the model and the project list filters."""

    model = fields.String(
        load_default=None, metadata={"description": ", ".join(report.REPORT_MODELS)}
    )


def _send(path: Path, mimetype: str, *, attachment: bool, remove: bool = False):
    response = send_file(
        path, mimetype=mimetype, as_attachment=attachment, download_name=path.name
    )
    if remove:
        response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response


@blp.route("/<uuid:uuid>/results/", methods=["GET"])
@blp.response(200, description="The JSON results (ScanCode-compatible).")
@blp.alt_response(404, schema=ApiErrorSchema)
def results(uuid):
    """Return the project's JSON results: headers, packages, dependencies, files, relations."""
    path = service.results_file(str(uuid))
    return _send(path, "application/json", attachment=False, remove=True)


@blp.route("/<uuid:uuid>/results_download/", methods=["GET"])
@blp.arguments(DownloadSchema, location="query", as_kwargs=True)
@blp.response(200, description="The output file, as an attachment.")
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def results_download(uuid, output_format, version):
    """Download an output (json, xlsx, spdx, cyclonedx, attribution, all_formats, all_outputs).

    The file is also kept in the project's output/ folder.
    """
    service.check_download(output_format, version)
    path = service.write_output(str(uuid), output_format, version=version)
    return _send(path, DOWNLOADS[output_format].content_type, attachment=True)


@blp.route("/<uuid:uuid>/outputs/", methods=["GET"])
@blp.arguments(OutputFileSchema, location="query", as_kwargs=True)
@blp.response(200, description="The files of output/, or one of them with ?filename=.")
@blp.alt_response(404, schema=ApiErrorSchema)
def output_files(uuid, filename):
    """List the files of the project's output/ folder; ``?filename=`` downloads one."""
    if filename is None:
        base = f"{base_url()}/api/projects/{uuid}/outputs/?filename="
        paths = service.output_files(str(uuid))
        return [{"filename": path.name, "download_url": base + path.name} for path in paths]
    return _send(service.output_file(str(uuid), filename), "application/octet-stream",
                 attachment=True)


@blp.route("/report/", methods=["GET"])
@blp.arguments(ReportSchema, location="query", as_kwargs=True)
@blp.response(200, description="An XLSX workbook with one sheet, project first.")
@blp.alt_response(400, schema=ApiErrorSchema)
def cross_project_report(model, page=None, **filters):
    """One XLSX sheet of ``model`` records over the projects matching the list filters."""
    path, name = service.report_file(model, filters)
    response = _send(path, DOWNLOADS["xlsx"].content_type, attachment=True, remove=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
