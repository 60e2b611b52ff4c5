"""Execute a run's pipeline steps in this process, recording its log, current step and outcome.

The engine only executes: what follows the end of a run (alerts, webhooks, the next run) is
``scanapp.services.run_end.finish_run``, called by whoever executed or ended the run.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import select

from scanapp import lifecycle
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import InputSource, Project, Run
from scanapp.registry import get_pipeline
from scanapp.workdir import Workdir, workdir_for


@dataclass
class RunContext:
    """What a pipeline step sees of its run: ids, work directory and recording helpers."""

    run_id: int
    project_id: int
    project_name: str
    project_uuid: str
    workdir: Workdir
    pipeline_name: str = ""
    selected_groups: tuple[str, ...] = ()
    #: How scan steps reach the other workers (``scanapp.pipes.scan_spread.ChunkQueue``);
    #: None when the run executes in-process (``scanapp run``): it scans alone.
    chunk_queue: object | None = None

    def add_message(self, description: str, **values) -> None:
        """Record a project message (severity, model, details, exception); the run goes on."""
        lifecycle.add_message(self.project_id, description, **values)

    def set_progress(
        self, done: int, total: int, started: float, cached: int | None = None
    ) -> None:
        """Store scanning progress: done, total, rate (items/s), eta (s), and ``cached``.

        ``cached`` (when given) is how many of the done items came from the scan cache.
        """
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        eta = round((total - done) / rate, 1) if rate and total >= done else None
        progress = {"done": done, "total": total, "rate": round(rate, 2), "eta": eta}
        if cached is not None:
            progress["cached"] = cached
        lifecycle.record_progress(self.run_id, progress)

    def log(self, line: str) -> None:
        """Append a timestamped line to the run log."""
        lifecycle.append_log(self.run_id, line)


def build_context(run: Run, project: Project) -> RunContext:
    """Return the step context of a run."""
    return RunContext(
        run_id=run.id,
        project_id=project.id,
        project_name=project.name,
        project_uuid=project.uuid,
        workdir=workdir_for(project.slug).create(),
        pipeline_name=run.pipeline_name,
        selected_groups=tuple(run.selected_groups or ()),
    )


def execute_run(
    run_id: int, *, claimed: bool = False, worker_name: str = "", chunk_queue=None
) -> int:
    """Run every selected step of a run and return its exit code (0 on success).

    Unless ``claimed``, the run moves from not_started/queued to running first; a run in any
    other status is left alone and ``NOT_OWNED`` (-1) is returned. -1 is also returned when
    the run was stopped or marked stale while it ran (its outcome is then discarded). While it
    runs, a thread refreshes ``Run.heartbeat`` every ``SCANAPP_RUN_HEARTBEAT_INTERVAL``.
    ``chunk_queue`` lets its scan steps spread their files over the other workers.
    """
    if not claimed and not lifecycle.claim(run_id, worker_name):
        return lifecycle.NOT_OWNED
    with session_scope() as session:
        run = session.get(Run, run_id)
        project = session.get(Project, run.project_id)
    try:
        context = build_context(run, project)
        context.chunk_queue = chunk_queue
        with lifecycle.Heartbeat(run_id, get_settings().run_heartbeat_interval):
            exitcode, output = _run_steps(run, context)
    except BaseException as error:  # interrupted (Ctrl-C) or broken outside a step
        result = _end(run_id, lifecycle.FAILURE_EXITCODE, _trace(error))
        if not isinstance(error, Exception):
            raise
        return result
    return _end(run_id, exitcode, output)


def _end(run_id: int, exitcode: int, output: str) -> int:
    return exitcode if lifecycle.end(run_id, exitcode, output) else lifecycle.NOT_OWNED


def _trace(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def input_count(project_id: int) -> int:
    """Return how many inputs the project has."""
    with session_scope() as session:
        return session.exec(
            select(sa.func.count()).select_from(InputSource).where(
                InputSource.project_id == project_id
            )
        ).one()


def _run_steps(run: Run, context: RunContext) -> tuple[int, str]:
    try:
        pipeline = get_pipeline(run.pipeline_name)(context)
        steps = pipeline.selected_steps(run.selected_groups or ())
    except Exception as error:  # noqa: BLE001 - recorded as the run's failure
        return lifecycle.FAILURE_EXITCODE, _trace(error)
    problem = pipeline.input_count_problem(input_count(context.project_id), final=True)
    if problem:
        context.add_message(problem, model=run.pipeline_name)
        context.log(f"Pipeline [{run.pipeline_name}] not started: {problem}")
        return lifecycle.FAILURE_EXITCODE, problem
    context.log(f"Pipeline [{run.pipeline_name}] starting")
    for index, step in enumerate(steps, start=1):
        name = step.__name__
        if not lifecycle.is_running(run.id):
            context.log(f"Step [{name}] not started: the run is no longer running")
            return lifecycle.FAILURE_EXITCODE, "The run was stopped or marked stale."
        lifecycle.record_step(run.id, f"{index}/{len(steps)} {name}")
        context.log(f"Step [{name}] starting")
        started = time.monotonic()
        try:
            getattr(pipeline, name)()
        except Exception as error:  # noqa: BLE001 - a failing step ends the run
            context.log(f"Step [{name}] failed after {time.monotonic() - started:.2f} seconds")
            return lifecycle.FAILURE_EXITCODE, _trace(error)
        context.log(f"Step [{name}] completed in {time.monotonic() - started:.2f} seconds")
    context.log(f"Pipeline [{run.pipeline_name}] completed")
    return lifecycle.SUCCESS_EXITCODE, ""
