"""Copy a local folder into a project's codebase/ (``--copy-codebase`` of the CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import select

from scanapp.db import session_scope
from scanapp.errors import InvalidInputError, RunNotAllowedError
from scanapp.models import Run, RunStatus
from scanapp.services.lookup import get_project
from scanapp.workdir import workdir_for


def copy_codebase(uuid: str, source: Path) -> int:
    """Copy the content of ``source`` into the project's codebase/; return the files copied.

    Allowed before any pipeline has started, as adding inputs is. Symbolic links are
    copied as links (never followed here; the collect step checks where they point).
    """
    if not source.is_dir():
        raise InvalidInputError.for_field("copy_codebase", f"{source} is not a directory")
    with session_scope() as session:
        project = get_project(session, uuid)
        started = session.exec(select(Run.id).where(
            Run.project_id == project.id, Run.status != RunStatus.NOT_STARTED)).first()
        if started is not None:
            raise RunNotAllowedError("Cannot copy a codebase once a pipeline has started.")
        target = workdir_for(project.slug).create().codebase
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())
