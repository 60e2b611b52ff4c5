"""Functions executed by RQ workers."""

from __future__ import annotations

from scanapp.engine import execute_run
from scanapp.models import Run
from scanapp.db import session_scope


def run_pipeline_job(run_id: int) -> int:
    """Execute a queued run, then queue the project's next run when it succeeded."""
    from scanapp.services.runs import start_next_run

    exitcode = execute_run(run_id)
    if exitcode == 0:
        with session_scope() as session:
            project_id = session.get(Run, run_id).project_id
        start_next_run(project_id)
    return exitcode
