"""Outputs of stored projects: formats rendered into output/, output files, results, report."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlmodel import select

from outputs import files, json_results, jsonstream, report
from outputs.formats import DOWNLOADS, check_version, get_format
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import Project
from scanapp.services.access import visible
from scanapp.services.events import record_event
from scanapp.services.listing import filter_projects
from scanapp.services.lookup import load_project
from scanapp.services.users import Caller
from scanapp.workdir import resolve_inside, workdir_for


def check_download(name: str, version: str | None) -> str:
    """Validate a download format and version before any work; return the version to use."""
    return check_version(get_format(name, DOWNLOADS), version)


def write_output(project_uuid: str, name: str, *, version: str | None = None) -> Path:
    """Render a format (or a zip) of the project into its output/ folder; return the file."""
    check_download(name, version)
    return files.render_to_output(load_project(project_uuid), name, version=version)


@dataclass(frozen=True)
class Download:
    """An output ready to send: its file (a path, or an open handle), name and content type."""

    source: Path | BinaryIO
    name: str
    content_type: str


def unlinked_handle(path: Path) -> BinaryIO:
    """Open ``path`` and unlink it: the file is gone once the handle is closed.

    (A response's ``call_on_close`` never runs for a file response: werkzeug passes the file
    through without a closing wrapper, so it cannot remove the file after.)
    """
    handle = open(path, "rb")  # noqa: SIM115 - closed by whoever sends it
    path.unlink(missing_ok=True)
    return handle


def download_output(project_uuid: str, name: str, *, version: str | None = None) -> Download:
    """Render a format of the project for a download and record the download (an event).

    The file stays in output/ (the latest per format and version) unless the format is not
    kept (``all_outputs``): then it is sent from its handle and removed.
    """
    path = write_output(project_uuid, name, version=version)
    record_event("download.results", project_uuid=project_uuid, output_format=name,
                 version=version)
    fmt = DOWNLOADS[name]
    return Download(path if fmt.kept else unlinked_handle(path), path.name, fmt.content_type)


def output_files(project_uuid: str) -> list[Path]:
    """Return the files of the project's output/ folder, by name."""
    return files.list_outputs(load_project(project_uuid))


def output_file(project_uuid: str, filename: str) -> Path:
    """Return one file of the project's output/ folder or raise NotFoundError."""
    folder = workdir_for(load_project(project_uuid).slug).output
    target = resolve_inside(folder, filename)
    if target is None or not target.is_file() or target.name.startswith("."):
        raise NotFoundError("Output file not found.")
    return target


def results_stream(project_uuid: str) -> Iterator[bytes]:
    """Return the pieces of the project's JSON results (NotFoundError first, when it is not).

    The rows are read in batches as the pieces are taken: memory stays flat and the first
    bytes leave at once, however many rows the project holds.
    """
    project = load_project(project_uuid)
    return jsonstream.pieces(json_results.iter_render(project.id))


def results_document(project_id: int) -> dict:
    """Return the project's JSON results as a dict (webhook payloads)."""
    return json_results.document(project_id)


def report_file(model: str | None, filters: dict, caller: Caller | None = None) -> tuple[Path, str]:
    """Render the cross-project XLSX report of ``model`` over the filtered projects.

    Only the projects the caller may see are reported.

    Return the temporary file (the caller removes it) and the name to download it as.
    """
    report.check_model(model)
    with session_scope() as session:
        statement = visible(filter_projects(select(Project.id, Project.name), filters), caller)
        projects = session.exec(statement.order_by(Project.name)).all()
    folder = get_settings().workdirs / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H-%M-%S")
    name = f"scanapp-report-{model}-{stamp}.xlsx"
    handle = tempfile.NamedTemporaryFile(
        dir=folder, prefix=f"scanapp-report-{model}-{stamp}-", suffix=".xlsx", delete=False
    )
    with handle:
        report.render_report(projects, model, handle)
    return Path(handle.name), name
