"""Per-project work directories: ``<workdirs>/projects/<slug>/{input,codebase,output,tmp}``."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scanapp.config import get_settings

SUBDIRS = ("input", "codebase", "output", "tmp")
SUMMARY_FILENAME = "summary.json"


def slugify(name: str, uuid: str) -> str:
    """Return a file-system safe, unique slug for a project name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._").lower()[:100]
    return f"{text or 'project'}-{uuid[:8]}"


@dataclass(frozen=True)
class Workdir:
    """The folders of one project."""

    root: Path

    @property
    def input(self) -> Path:
        """Inputs as uploaded or downloaded."""
        return self.root / "input"

    @property
    def codebase(self) -> Path:
        """The files scanned: inputs copied or extracted here."""
        return self.root / "codebase"

    @property
    def output(self) -> Path:
        """Rendered outputs."""
        return self.root / "output"

    @property
    def tmp(self) -> Path:
        """Scratch space."""
        return self.root / "tmp"

    @property
    def summary_file(self) -> Path:
        """The summary scan_single_package computed (``GET .../summary/``)."""
        return self.output / SUMMARY_FILENAME

    def store_summary(self, summary: dict) -> Path:
        """Write the summary file (whole or not at all); return it."""
        self.output.mkdir(parents=True, exist_ok=True)
        partial = self.output / f".{SUMMARY_FILENAME}.partial"
        partial.write_text(json.dumps(summary, indent=2, default=str))
        os.replace(partial, self.summary_file)
        return self.summary_file

    def load_summary(self) -> dict | None:
        """Return the stored summary, None when there is none."""
        try:
            return json.loads(self.summary_file.read_text())
        except FileNotFoundError:
            return None

    def update_summary(self, **values) -> None:
        """Set keys of the stored summary (the compliance alerts), if there is one."""
        summary = self.load_summary()
        if summary is not None and any(summary.get(key) != value for key, value in values.items()):
            self.store_summary({**summary, **values})

    def create(self) -> Workdir:
        """Create the folders if missing."""
        for name in SUBDIRS:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        return self

    def clear(self, *names: str) -> None:
        """Empty the named sub-folders, keeping them."""
        for name in names:
            folder = self.root / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)

    def remove(self) -> None:
        """Delete the whole work directory."""
        shutil.rmtree(self.root, ignore_errors=True)


def workdir_for(slug: str) -> Workdir:
    """Return the work directory of the project with this slug."""
    return Workdir(get_settings().projects_dir.resolve() / slug)


def resolve_inside(base: Path, relative: str) -> Path | None:
    """Return ``base/relative`` if it stays inside ``base`` (symlinks resolved), else None."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        return None
    if len(os.fsencode(relative)) > 3072 or any(
        len(os.fsencode(part)) > 255 for part in Path(relative).parts
    ):
        return None  # no such file can exist; the OS would raise "File name too long"
    base = base.resolve()
    candidate = (base / relative).resolve()
    if candidate == base or base not in candidate.parents:
        return None
    return candidate
