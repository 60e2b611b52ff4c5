"""Start-up housekeeping: what a killed process left in the work directories is removed."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import InputSource, Project
from scanapp.services.inputs import PARTIAL_SUFFIX, remove_path

log = logging.getLogger(__name__)

#: Leftovers younger than this may belong to a request another process is still serving.
MIN_AGE = 600


def _stored_inputs() -> dict[str, set[str]]:
    """Return the file names of every project's inputs, by project slug."""
    with session_scope() as session:
        rows = session.exec(select(Project.slug, InputSource.filename).join(
            InputSource, InputSource.project_id == Project.id, isouter=True)).all()
    found: dict[str, set[str]] = {}
    for slug, filename in rows:
        found.setdefault(slug, set()).update({filename} if filename else set())
    return found


def _old(path: Path, now: float, min_age: float) -> bool:
    return now - path.lstat().st_mtime >= min_age


def remove_leftovers(min_age: float = MIN_AGE) -> list[Path]:
    """Remove what interrupted writes left (older than ``min_age`` seconds); return it.

    That is: half-written ``.part`` uploads, input files no input row names, and work
    directories of projects that were never stored.
    """
    projects_dir = get_settings().projects_dir
    if not projects_dir.is_dir():
        return []
    stored, now, removed = _stored_inputs(), time.time(), []
    for folder in sorted(projects_dir.iterdir()):
        if folder.name not in stored:
            if folder.is_dir() and _old(folder, now, min_age):
                removed.append(folder)
            continue
        inputs = folder / "input"
        for path in sorted(inputs.iterdir()) if inputs.is_dir() else ():
            partial = path.name.startswith(".") and path.name.endswith(PARTIAL_SUFFIX)
            unknown = path.name not in stored[folder.name] and not path.name.startswith(".")
            if (partial or unknown) and _old(path, now, min_age):
                removed.append(path)
    for path in removed:
        remove_path(path)
        log.warning("Removed a leftover of an interrupted write: %s", path)
    return removed
