"""Functions executed by RQ workers."""

from __future__ import annotations

import os

from scanapp.db import get_engine, session_scope
from scanapp.engine import execute_run
from scanapp.models import Run


def run_pipeline_job(run_id: int) -> int:
    """Execute a queued run, then queue the project's next run when it succeeded."""
    from scanapp.services.runs import start_next_run

    # The work horse is a fork of the worker: never reuse the parent's pooled connections.
    get_engine().dispose(close=False)
    exitcode = execute_run(run_id, worker_name=os.environ.get("RQ_WORKER_ID", ""))
    if exitcode == 0:
        with session_scope() as session:
            project_id = session.get(Run, run_id).project_id
        start_next_run(project_id)
    return exitcode
