"""Run a per-file function on a project's files in a process pool; merge its dict into extra_data.

The add-on pipelines that inspect source files and binaries (symbols, strings, DWARF paths,
fingerprints) share this loop: ``function(location) -> dict`` runs in forked worker processes
(``SCANAPP_PROCESSES``) within ``SCANAPP_SCAN_FILE_TIMEOUT`` seconds per file; the parent
merges each returned mapping into the file's ``extra_data`` (as ScanCode.io's
``update_extra_data``) in batches, and records a project message for each file that failed.
The time limit uses scancode-toolkit's ``interruptible`` (SIGALRM) in the workers only: the
RQ work horse keeps its own alarm for the job timeout.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.lifecycle import new_message
from scanapp.models import CodebaseResource
from scanapp.pipes import chunked, resources

BATCH_SIZE = 200


@dataclass
class Stats:
    """Counts of one collection: files seen, files updated, files that failed."""

    files: int = 0
    updated: int = 0
    errors: int = 0


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _task(args: tuple) -> tuple[int, dict, str]:
    from scancode.interrupt import interruptible

    function, resource_id, location, timeout = args
    error, value = interruptible(function, args=(location,), timeout=timeout)
    if error:
        text = error.strip().splitlines()[-1] if error.strip() else "failed"
        if "timeout" in text.lower():
            text = f"timeout after {timeout} seconds"
        return resource_id, {}, text
    return resource_id, value or {}, ""


def collect(
    context,
    function: Callable[[str], dict],
    *,
    where: tuple = (),
    model: str = "",
    what: str = "data",
    error_status: str = "",
) -> Stats:
    """Run ``function`` on each file of the project matching ``where``; merge into extra_data.

    ``function`` must be a module-level function (it is sent to the worker processes).
    A failed file gets a project message ``Cannot collect <what> from <path>: <error>``
    (and the status ``error_status`` when given); the others keep their status.
    """
    settings = get_settings()
    total = resources.count_resources(context.project_id, no_status=False, where=where)
    context.log(f"Collecting {what} from {total} file(s)")
    stats = Stats()
    started = time.monotonic()
    rows = resources.iter_resources(
        context.project_id, CodebaseResource.path, CodebaseResource.extra_data, where=where
    )
    pool_context = multiprocessing.get_context("fork")
    with pool_context.Pool(settings.processes, initializer=_init_worker) as pool:
        for batch in chunked(rows, BATCH_SIZE):
            known = {row_id: (path, extra or {}) for row_id, path, extra in batch}
            tasks = [
                (function, row_id, str(context.workdir.codebase / path), settings.scan_file_timeout)
                for row_id, (path, _) in known.items()
            ]
            results = pool.map(_task, tasks, chunksize=4)
            _save(context, known, results, stats, model=model, what=what, status=error_status)
            context.set_progress(stats.files, total, started)
    context.log(f"Collected {what}: {stats.updated} file(s) updated, {stats.errors} error(s)")
    return stats


def _save(
    context, known: dict, results: list, stats: Stats, *, model: str, what: str, status: str
) -> None:
    updates, flagged, messages = [], [], []
    for resource_id, value, error in results:
        path, extra = known[resource_id]
        stats.files += 1
        if error:
            stats.errors += 1
            messages.append(
                new_message(
                    context.project_id,
                    f"Cannot collect {what} from {path}: {error}",
                    model=model,
                    details={"resource_path": path, "error": error},
                )
            )
            if status:
                flagged.append({"id": resource_id, "status": status})
        elif value:
            stats.updated += 1
            updates.append({"id": resource_id, "extra_data": {**extra, **value}})
    resources.bulk_update(updates)
    resources.bulk_update(flagged)
    if messages:
        with session_scope() as session:
            session.add_all(messages)
