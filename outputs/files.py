"""Rendered files in a project's output/ folder: names, atomic writes and zips."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from outputs.formats import DOWNLOADS, FORMATS, Format, check_version, get_format
from scanapp.models import Project
from scanapp.workdir import workdir_for


def output_name(project: Project, fmt: Format, when: datetime | None = None) -> str:
    """Return ``<project>-<kind>-<YYYY-MM-DD-HH-MM-SS>.<ext>`` for the format."""
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d-%H-%M-%S")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", project.name).strip("-.") or "project"
    return f"{name}-{fmt.kind}-{stamp}.{fmt.extension}"


def render_to_output(project: Project, name: str, *, version: str | None = None) -> Path:
    """Render a download format (a renderer, all_formats or all_outputs) into output/.

    Raise OutputError for an unknown format or version; return the path written.
    """
    fmt = get_format(name, DOWNLOADS)
    version = check_version(fmt, version)
    folder = workdir_for(project.slug).create().output
    target = folder / output_name(project, fmt)
    if fmt.name == "all_formats":
        return _zip_all_formats(project, target)
    if fmt.name == "all_outputs":
        return _zip_folder(folder, target)
    with _atomic(target) as handle:
        fmt.render(project.id, handle, version)
    return target


def _zip_all_formats(project: Project, target: Path) -> Path:
    with _atomic(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt in FORMATS.values():
            with archive.open(output_name(project, fmt), "w", force_zip64=True) as member:
                fmt.render(project.id, member, fmt.default_version)
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


def list_outputs(project: Project) -> list[Path]:
    """Return the files of the project's output/ folder, by name (hidden ones left out)."""
    folder = workdir_for(project.slug).output
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
