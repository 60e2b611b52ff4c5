"""Rendered files in a project's output/ folder: names, atomic writes and zips."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import outputs
from scanapp.db import session_scope
from scanapp.models import Project
from scanapp.services.lookup import get_project
from scanapp.workdir import workdir_for

#: Format -> (kind in the file name, file extension).
NAMES = {
    "json": ("results", "json"),
    "xlsx": ("results", "xlsx"),
    "spdx": ("spdx", "spdx.json"),
    "cyclonedx": ("cyclonedx", "cdx.json"),
    "attribution": ("attribution", "html"),
    "all_formats": ("all_formats", "zip"),
    "all_outputs": ("all_outputs", "zip"),
}

#: Every ``output_format`` of results_download/: the renderers plus the two zips.
DOWNLOAD_FORMATS = (*outputs.FORMATS, "all_formats", "all_outputs")

ZIP_CONTENT_TYPE = "application/zip"


def output_name(project: Project, fmt: str, when: datetime | None = None) -> str:
    """Return ``<project>-<kind>-<YYYY-MM-DD-HH-MM-SS>.<ext>`` for the format."""
    kind, extension = NAMES[fmt]
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d-%H-%M-%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", project.name).strip("-.") or "project"
    return f"{name}-{kind}-{stamp}.{extension}"


def content_type(fmt: str) -> str:
    """Return the HTTP content type of a download format."""
    if fmt in ("all_formats", "all_outputs"):
        return ZIP_CONTENT_TYPE
    return outputs.get_renderer(fmt).CONTENT_TYPE


def _lookup(project_uuid: str) -> Project:
    with session_scope() as session:
        project = get_project(session, project_uuid)
        session.expunge(project)
        return project


def check_format(fmt: str, version: str | None) -> str:
    """Validate a download format and version; return the version to use."""
    if fmt in ("all_formats", "all_outputs"):
        if version:
            raise outputs.OutputError.for_field(
                "version", f"The {fmt} download has no versions."
            )
        return ""
    if fmt not in NAMES:
        choices = ", ".join(DOWNLOAD_FORMATS)
        raise outputs.OutputError.for_field(
            "output_format", f"Unknown output format '{fmt}'. Choose one of: {choices}."
        )
    return outputs.check_version(outputs.get_renderer(fmt), version)


def render_to_output(project_uuid: str, fmt: str, *, version: str | None = None) -> Path:
    """Render ``fmt`` (a renderer, all_formats or all_outputs) into output/; return the path."""
    version = check_format(fmt, version)
    project = _lookup(project_uuid)
    folder = workdir_for(project.slug).create().output
    target = folder / output_name(project, fmt)
    if fmt == "all_formats":
        return _zip_all_formats(project, target)
    if fmt == "all_outputs":
        return _zip_folder(folder, target)
    renderer = outputs.get_renderer(fmt)
    with _atomic(target) as handle:
        renderer.render(project.id, handle, version)
    return target


def _zip_all_formats(project: Project, target: Path) -> Path:
    with _atomic(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt in outputs.FORMATS:
            renderer = outputs.get_renderer(fmt)
            with archive.open(output_name(project, fmt), "w", force_zip64=True) as member:
                renderer.render(project.id, member, outputs.check_version(renderer, None))
    return target


def _zip_folder(folder: Path, target: Path) -> Path:
    files = sorted(path for path in folder.iterdir() if path.is_file() and path != target)
    with _atomic(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            if not path.name.startswith("."):
                archive.write(path, path.name)
    return target


class _atomic:
    """Write to a hidden temporary file beside ``target`` and rename it on success."""

    def __init__(self, target: Path):
        self.target = target

    def __enter__(self):
        fd, self.temp = tempfile.mkstemp(dir=self.target.parent, prefix=".", suffix=".part")
        self.handle = os.fdopen(fd, "wb")
        return self.handle

    def __exit__(self, kind, value, traceback):
        self.handle.close()
        if kind is None:
            os.replace(self.temp, self.target)
        else:
            os.unlink(self.temp)
        return False


def list_outputs(project_uuid: str) -> list[Path]:
    """Return the files of the project's output/ folder, by name."""
    project = _lookup(project_uuid)
    folder = workdir_for(project.slug).output
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


