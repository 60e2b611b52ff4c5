"""Per-project work directories: ``<workdirs>/projects/<slug>/{input,codebase,output,tmp}``."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scanapp.config import get_settings

SUBDIRS = ("input", "codebase", "output", "tmp")


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
