"""Project outputs: ``results/``, ``results_download/``, ``outputs/`` and ``report/``."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import send_file
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields
from sqlmodel import select

from outputs import files, report
from scanapp.api.projects import base_url
from scanapp.api.schemas import ApiErrorSchema, ProjectFilterSchema
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import Project
from scanapp.services.lookup import get_project
from scanapp.services.projects import filter_projects
from scanapp.workdir import resolve_inside, workdir_for

blp = Blueprint("outputs", __name__, url_prefix="/api/projects", description="Outputs")


class DownloadSchema(Schema):
    """``results_download/`` arguments."""

    class Meta:
        """Ignore unknown arguments."""

        unknown = EXCLUDE

    output_format = fields.String(
        load_default="json",
        metadata={"description": "One of: " + ", ".join(files.DOWNLOAD_FORMATS)},
    )
    version = fields.String(
        load_default=None, metadata={"description": "SPDX 2.3|2.2; CycloneDX 1.6|1.5|1.4"}
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
    import outputs

    with session_scope() as session:
        project = get_project(session, str(uuid))
        project_id, slug = project.id, project.slug
    tmp = workdir_for(slug).create().tmp
    with tempfile.NamedTemporaryFile(dir=tmp, suffix=".json", delete=False) as handle:
        outputs.get_renderer("json").render(project_id, handle, "")
    return _send(Path(handle.name), "application/json", attachment=False, remove=True)


@blp.route("/<uuid:uuid>/results_download/", methods=["GET"])
@blp.arguments(DownloadSchema, location="query", as_kwargs=True)
@blp.response(200, description="The output file, as an attachment.")
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def results_download(uuid, output_format, version):
    """Download an output (json, xlsx, spdx, cyclonedx, attribution, all_formats, all_outputs).

    The file is also kept in the project's output/ folder.
    """
    files.check_format(output_format, version)
    path = files.render_to_output(str(uuid), output_format, version=version)
    return _send(path, files.content_type(output_format), attachment=True)


@blp.route("/<uuid:uuid>/outputs/", methods=["GET"])
@blp.arguments(OutputFileSchema, location="query", as_kwargs=True)
@blp.response(200, description="The files of output/, or one of them with ?filename=.")
@blp.alt_response(404, schema=ApiErrorSchema)
def output_files(uuid, filename):
    """List the files of the project's output/ folder; ``?filename=`` downloads one."""
    paths = files.list_outputs(str(uuid))
    if filename is None:
        base = f"{base_url()}/api/projects/{uuid}/outputs/?filename="
        return [{"filename": path.name, "download_url": base + path.name} for path in paths]
    with session_scope() as session:
        folder = workdir_for(get_project(session, str(uuid)).slug).output
    target = resolve_inside(folder, filename)
    if target is None or not target.is_file() or target.name.startswith("."):
        raise NotFoundError("Output file not found.")
    return _send(target, "application/octet-stream", attachment=True)


@blp.route("/report/", methods=["GET"])
@blp.arguments(ReportSchema, location="query", as_kwargs=True)
@blp.response(200, description="An XLSX workbook with one sheet, project first.")
@blp.alt_response(400, schema=ApiErrorSchema)
def cross_project_report(model, page=None, **filters):
    """One XLSX sheet of ``model`` records over the projects matching the list filters."""
    report.check_model(model)
    with session_scope() as session:
        statement = filter_projects(select(Project.id, Project.name), filters)
        projects = session.exec(statement.order_by(Project.name)).all()
    folder = get_settings().workdirs / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H-%M-%S")
    handle = tempfile.NamedTemporaryFile(
        dir=folder, prefix=f"scanapp-report-{model}-{stamp}-", suffix=".xlsx", delete=False
    )
    with handle:
        report.render_report(projects, model, handle)
    path = Path(handle.name)
    response = _send(path, files.content_type("xlsx"), attachment=True, remove=True)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="scanapp-report-{model}-{stamp}.xlsx"'
    )
    return response
