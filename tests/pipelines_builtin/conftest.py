"""Module-scoped real scans: one scanned project shared by the tests of a module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.config import load_settings, set_settings
from scanapp.registry import reset_registry

DATA_DIR = Path(__file__).parent.parent / "data"


def scan_settings_on(workdirs: Path):
    """Yield settings on ``workdirs`` (SQLite), 2 scan processes; restore the environment after."""
    saved = dict(os.environ)
    os.environ.update(
        {
            "SCANAPP_WORKDIRS": str(workdirs),
            "SCANAPP_PROCESSES": "2",
            "SCANAPP_DATABASE_URL": "",
            "SCANAPP_PIPELINES_DIRS": "",
        }
    )
    settings = load_settings()
    set_settings(settings)
    reset_registry()
    db.dispose_engines()
    db.migrate()
    yield settings
    db.dispose_engines()
    os.environ.clear()
    os.environ.update(saved)
    set_settings(None)
    reset_registry()


@pytest.fixture(scope="module")
def scan_settings(tmp_path_factory):
    """Settings on a module-wide temporary workdirs (SQLite), 2 scan processes."""
    yield from scan_settings_on(tmp_path_factory.mktemp("workdirs"))


def run_pipeline(name: str, pipeline: str, *, uploads=(), input_urls=(), settings=None):
    """Create a project with one pipeline, execute it in-process; return (project, run)."""
    from scanapp.models import Run
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process as execute_run

    project = create_project(
        ProjectRequest(
            name=name,
            uploads=[(Path(path), "") for path in uploads],
            input_urls=list(input_urls),
            pipelines=[pipeline],
            settings=settings or {},
        )
    )
    with db.session_scope() as session:
        run = session.exec(select(Run).where(Run.project_id == project.id)).one()
    execute_run(run.id)
    with db.session_scope() as session:
        run = session.get(Run, run.id)
    return project, run
