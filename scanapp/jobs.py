"""Functions executed by RQ workers (queued by dotted path: ``scanapp.jobs.<name>``)."""

from __future__ import annotations

import os

from scanapp.db import get_engine
from scanapp.services.runs import execute_queued


def run_pipeline_job(run_id: int) -> int:
    """Execute a queued run, then finish it: alerts, webhooks and the project's next run."""
    # The work horse is a fork of the worker: never reuse the parent's pooled connections.
    get_engine().dispose(close=False)
    return execute_queued(run_id, worker_name=os.environ.get("RQ_WORKER_ID", ""))
