"""Functions executed by RQ workers (queued by dotted path: ``scanapp.jobs.<name>``)."""

from __future__ import annotations

import logging
import os
import time

from scanapp.db import get_engine
from scanapp.services.runs import execute_queued, load_run
from scanapp.services.scan_chunks import execute_chunk
from scanapp.services.vulndb_refresh import refresh_job

log = logging.getLogger("scanapp.worker")


def run_pipeline_job(run_id: int) -> int:
    """Execute a queued run, then finish it: alerts, webhooks and the project's next run.

    The worker's log gets one line per run: its uuid, pipeline, status, exit code and time.
    """
    # The work horse is a fork of the worker: never reuse the parent's pooled connections.
    get_engine().dispose(close=False)
    started = time.monotonic()
    exitcode = execute_queued(run_id, worker_name=os.environ.get("RQ_WORKER_ID", ""))
    run = load_run(run_id)
    log.info("Run %s %s ended %s (exit code %s) in %.1f s", run.uuid, run.pipeline_name,
             run.status, run.task_exitcode, time.monotonic() - started)
    return exitcode


def scan_chunk_job(chunk_id: int, attempt: int) -> str:
    """Scan one chunk of a run spread over the workers, if it is still waiting."""
    get_engine().dispose(close=False)
    return execute_chunk(chunk_id, attempt, os.environ.get("RQ_WORKER_ID", ""),
                         os.environ.get("RQ_JOB_ID", ""))


def refresh_vulndb_job() -> list[dict]:
    """Refresh the vulnerability database from ``SCANAPP_VULNDB_URLS`` (queued on schedule)."""
    get_engine().dispose(close=False)
    return refresh_job()
