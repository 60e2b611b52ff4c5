"""Project outputs: ``results/``, ``results_download/``, ``outputs/`` and ``report/``."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from outputs.formats import DOWNLOADS
from scanapp.api.access import caller, project_role
from scanapp.api.arguments import DownloadArguments, OutputFileArguments, ReportArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.fields import base_url
from scanapp.schemas.lists import ErrorSchema, OutputFileSchema
from scanapp.schemas.results import ResultsSchema
from scanapp.services import outputs as service
from scanapp.services.events import record_event

blp = Blueprint("outputs", __name__, url_prefix="/api/projects", description="Outputs")


def _send(path: Path, mimetype: str, *, attachment: bool, remove: bool = False, name: str = ""):
    """Send a file; with ``remove`` it is unlinked at once and served from its open handle."""
    source = service.unlinked_handle(path) if remove else path
    return send_file(
        source, mimetype=mimetype, as_attachment=attachment, download_name=name or path.name
    )


@blp.route("/<uuid:uuid>/results/", methods=["GET"])
@project_role("member")
@blp.response(200, ResultsSchema, description="The JSON results (ScanCode-compatible).")
@blp.alt_response(404, schema=ErrorSchema)
def results(uuid):
    """Return the project's JSON results: headers, packages, dependencies, files, relations.

    The document is streamed as its rows are read (no length is sent).
    """
    return Response(service.results_stream(str(uuid)), mimetype="application/json")


@blp.route("/<uuid:uuid>/results_download/", methods=["GET"])
@project_role("member")
@blp.arguments(DownloadArguments, location="query", as_kwargs=True)
@blp.response(200, description="The output file, as an attachment.")
@blp.alt_response(404, schema=ErrorSchema)
def results_download(uuid, output_format, version):
    """Download an output (json, xlsx, spdx, cyclonedx, attribution, ort-package-list, csv).

    ``all_formats`` zips every format (csv as its zip of CSVs), ``all_outputs`` the
    output/ folder. The file is also kept in the project's output/ folder (the latest per
    format and version; ``all_outputs`` is not kept).
    """
    download = service.download_output(str(uuid), output_format, version=version)
    return send_file(download.source, mimetype=download.content_type, as_attachment=True,
                     download_name=download.name)


@blp.route("/<uuid:uuid>/outputs/", methods=["GET"])
@project_role("member")
@blp.arguments(OutputFileArguments, location="query", as_kwargs=True)
@blp.response(200, OutputFileSchema(many=True),
              description="The files of output/, or one of them with ?filename=.")
@blp.alt_response(404, schema=ErrorSchema)
def output_files(uuid, filename):
    """List the files of the project's output/ folder; ``?filename=`` downloads one."""
    if filename is not None:
        path = service.output_file(str(uuid), filename)
        record_event("download.output", project_uuid=str(uuid), filename=filename)
        return _send(path, "application/octet-stream", attachment=True)
    link = f"{base_url()}/api/projects/{uuid}/outputs/?filename="
    return [{"filename": path.name, "download_url": link + path.name}
            for path in service.output_files(str(uuid))]


@blp.route("/report/", methods=["GET"])
@blp.arguments(ReportArguments, location="query", as_kwargs=True)
@blp.response(200, description="An XLSX workbook with one sheet, project first.")
def cross_project_report(model, page=None, **filters):
    """One XLSX sheet of ``model`` records over the projects matching the list filters."""
    path, name = service.report_file(model, filters, caller())
    record_event("download.report", model=model)
    return _send(path, DOWNLOADS["xlsx"].content_type, attachment=True, remove=True, name=name)
