"""Rendered files in a project's output/ folder: names, atomic writes, zips and retention.

Each download is kept as ``<project>-<kind>[-<version>]-<stamp>.<ext>`` (a version other than
the default is in the name); writing one removes
the earlier files of the same format and version, so output/ holds the latest of each. The
``all_outputs`` zip (of output/ itself) is written to tmp/ and never kept.
"""

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

STAMP = "%Y-%m-%d-%H-%M-%S"
_STAMP_PATTERN = r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d"


def _base(project: Project, fmt: Format, version: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", project.name).strip("-.") or "project"
    other = version and version != fmt.default_version
    return f"{name}-{fmt.kind}" + (f"-{version}" if other else "")


def output_name(project: Project, fmt: Format, version: str = "",
                when: datetime | None = None) -> str:
    """Return ``<project>-<kind>[-<version>]-<YYYY-MM-DD-HH-MM-SS>.<ext>`` for the format.

    The version is in the name only when it is not the format's default.
    """
    stamp = (when or datetime.now(UTC)).strftime(STAMP)
    return f"{_base(project, fmt, version)}-{stamp}.{fmt.extension}"


def _remove_earlier(folder: Path, project: Project, fmt: Format, version: str, keep: Path):
    """Remove the earlier files of output/ of the same format and version as ``keep``."""
    base, extension = re.escape(_base(project, fmt, version)), re.escape(f".{fmt.extension}")
    pattern = re.compile(f"{base}-{_STAMP_PATTERN}{extension}")
    for path in folder.iterdir():
        if path != keep and path.is_file() and pattern.fullmatch(path.name):
            path.unlink(missing_ok=True)


def render_to_output(project: Project, name: str, *, version: str | None = None) -> Path:
    """Render a download format (a renderer, all_formats or all_outputs) into output/.

    Raise OutputError for an unknown format or version; return the path written. An
    ``all_outputs`` zip is written to tmp/: the caller removes it once sent.
    """
    fmt = get_format(name, DOWNLOADS)
    version = check_version(fmt, version)
    workdir = workdir_for(project.slug).create()
    if not fmt.kept:  # all_outputs: a zip of output/, rendered beside it, for one download
        return _zip_folder(workdir.output, workdir.tmp / output_name(project, fmt))
    target = workdir.output / output_name(project, fmt, version)
    if fmt.name == "all_formats":
        _zip_all_formats(project, target)
    else:
        with _atomic(target) as handle:
            fmt.render(project.id, handle, version)
    _remove_earlier(workdir.output, project, fmt, version, keep=target)
    return target


def _zip_all_formats(project: Project, target: Path) -> Path:
    with _atomic(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for fmt in FORMATS.values():
            name = output_name(project, fmt, fmt.default_version)
            with archive.open(name, "w", force_zip64=True) as member:
                fmt.render(project.id, member, fmt.default_version)
    return target


_ALL_OUTPUTS = re.compile(rf".*-all_outputs-{_STAMP_PATTERN}\.zip")


def _zip_folder(folder: Path, target: Path) -> Path:
    """Zip the files of ``folder``: neither hidden files nor earlier all_outputs zips."""
    files = sorted(
        path for path in folder.iterdir() if path.is_file()
        and not path.name.startswith(".") and not _ALL_OUTPUTS.fullmatch(path.name)
    )
    with _atomic(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
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
