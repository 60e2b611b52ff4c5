"""Execute a run's pipeline steps in this process, recording log, step and outcome."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import Project, ProjectMessage, Run, RunStatus, utcnow
from scanapp.registry import get_pipeline
from scanapp.workdir import Workdir, workdir_for

#: Extra callables(run_id) called after a run ended, after those of ``scanapp.hooks``
#: (tests may append here).
RUN_ENDED_HOOKS: list[Callable[[int], None]] = []


@dataclass
class RunContext:
    """What a pipeline step sees of its run: ids, work directory and recording helpers."""

    run_id: int
    project_id: int
    project_name: str
    project_uuid: str
    workdir: Workdir
    selected_groups: tuple[str, ...] = ()

    def add_message(
        self,
        description: str,
        *,
        severity: str = "error",
        model: str = "",
        details: dict | None = None,
        exception: BaseException | None = None,
    ) -> None:
        """Record a project message; a failing item never stops the run."""
        tb = "".join(traceback.format_exception(exception)) if exception else ""
        with session_scope() as session:
            session.add(
                ProjectMessage(
                    project_id=self.project_id,
                    severity=severity,
                    description=description,
                    model=model,
                    details=details or {},
                    traceback=tb,
                )
            )

    def set_progress(self, done: int, total: int, started: float) -> None:
        """Store scanning progress: done, total, rate (items/s) and eta (s)."""
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        eta = round((total - done) / rate, 1) if rate and total >= done else None
        progress = {"done": done, "total": total, "rate": round(rate, 2), "eta": eta}
        update_run(self.run_id, progress=progress)

    def log(self, line: str) -> None:
        """Append a timestamped line to the run log."""
        append_log(self.run_id, line)


def update_run(run_id: int, *, expected: tuple[str, ...] | None = None, **values) -> bool:
    """Update a run in one statement, only from ``expected`` statuses when given."""
    statement = sa.update(Run).where(Run.id == run_id)
    if expected is not None:
        statement = statement.where(Run.status.in_(expected))
    with session_scope() as session:
        return session.execute(statement.values(**values)).rowcount == 1


def append_log(run_id: int, line: str) -> None:
    """Append one line to the run log (append-only, in the database)."""
    stamp = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    text = f"{stamp} {line}\n"
    with session_scope() as session:
        session.execute(sa.update(Run).where(Run.id == run_id).values(log=Run.log + text))


def build_context(run: Run, project: Project) -> RunContext:
    """Return the step context of a run."""
    return RunContext(
        run_id=run.id,
        project_id=project.id,
        project_name=project.name,
        project_uuid=project.uuid,
        workdir=workdir_for(project.slug).create(),
        selected_groups=tuple(run.selected_groups or ()),
    )


def execute_run(run_id: int, *, claimed: bool = False, worker_name: str = "") -> int:
    """Run every selected step of a run and return its exit code (0 on success).

    Unless ``claimed``, the run moves from not_started/queued to running first; a run
    in any other status is left alone and -1 is returned. -1 is also returned when the
    run was stopped or marked stale while it ran (its outcome is then discarded).
    While it runs, a thread refreshes ``Run.heartbeat`` every ``SCANAPP_RUN_HEARTBEAT_INTERVAL``.
    """
    if not claimed and not update_run(
        run_id,
        expected=(RunStatus.NOT_STARTED, RunStatus.QUEUED),
        status=RunStatus.RUNNING,
        task_start_date=utcnow(),
        heartbeat=utcnow(),
        worker_name=worker_name,
    ):
        return -1
    with session_scope() as session:
        run = session.get(Run, run_id)
        project = session.get(Project, run.project_id)
    try:
        context = build_context(run, project)
        with Heartbeat(run_id):
            exitcode, output = _run_steps(run, context)
    except BaseException as error:  # interrupted (Ctrl-C) or broken outside a step
        result = _record_end(run_id, 1, "".join(traceback.format_exception(error)))
        if not isinstance(error, Exception):
            raise
        return result
    return _record_end(run_id, exitcode, output)


def _record_end(run_id: int, exitcode: int, output: str) -> int:
    """Store a running run's outcome then fire the run-ended hooks; -1 if it was not running."""
    status = RunStatus.SUCCESS if exitcode == 0 else RunStatus.FAILURE
    if not update_run(
        run_id,
        expected=(RunStatus.RUNNING,),
        status=status,
        task_exitcode=exitcode,
        task_output=output,
        task_end_date=utcnow(),
        current_step="",
        heartbeat=utcnow(),
    ):
        return -1
    notify_run_ended(run_id)
    return exitcode


class Heartbeat:
    """Refresh a running run's heartbeat from a daemon thread (a context manager)."""

    def __init__(self, run_id: int, interval: float | None = None):
        """Beat for ``run_id`` every ``interval`` seconds (default: the setting)."""
        self.run_id = run_id
        self.interval = interval or get_settings().run_heartbeat_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                update_run(self.run_id, expected=(RunStatus.RUNNING,), heartbeat=utcnow())
            except Exception:  # noqa: BLE001, S112 - a missed beat is retried next interval
                continue

    def __enter__(self) -> Heartbeat:
        """Start beating."""
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop beating."""
        self._stop.set()
        self._thread.join(timeout=5)


def is_running(run_id: int) -> bool:
    """Return True while the run's status is still running (not stopped or stale)."""
    with session_scope() as session:
        status = session.exec(select(Run.status).where(Run.id == run_id)).first()
    return status == RunStatus.RUNNING


def _run_steps(run: Run, context: RunContext) -> tuple[int, str]:
    try:
        pipeline = get_pipeline(run.pipeline_name)(context)
        steps = pipeline.selected_steps(run.selected_groups or ())
    except Exception as error:  # noqa: BLE001 - recorded as the run's failure
        return 1, "".join(traceback.format_exception(error))
    context.log(f"Pipeline [{run.pipeline_name}] starting")
    for index, step in enumerate(steps, start=1):
        name = step.__name__
        if not is_running(run.id):
            context.log(f"Step [{name}] not started: the run is no longer running")
            return 1, "The run was stopped or marked stale."
        update_run(run.id, current_step=f"{index}/{len(steps)} {name}")
        context.log(f"Step [{name}] starting")
        started = time.monotonic()
        try:
            getattr(pipeline, name)()
        except Exception as error:  # noqa: BLE001 - a failing step ends the run
            context.log(f"Step [{name}] failed after {time.monotonic() - started:.2f} seconds")
            return 1, "".join(traceback.format_exception(error))
        context.log(f"Step [{name}] completed in {time.monotonic() - started:.2f} seconds")
    context.log(f"Pipeline [{run.pipeline_name}] completed")
    return 0, ""


def notify_run_ended(run_id: int) -> None:
    """Call every run-ended hook; a failing hook is recorded, never raised."""
    from scanapp.hooks import run_ended_hooks

    for hook in [*run_ended_hooks(), *RUN_ENDED_HOOKS]:
        try:
            hook(run_id)
        except Exception as error:  # noqa: BLE001
            with session_scope() as session:
                run = session.get(Run, run_id)
                session.add(
                    ProjectMessage(
                        project_id=run.project_id,
                        severity="error",
                        description=f"Run-ended hook {hook.__name__} failed: {error}",
                        model=run.pipeline_name,
                        traceback=traceback.format_exc(),
                    )
                )


def execution_time(run: Run) -> float | None:
    """Seconds between start and end (or now while running)."""
    if not run.task_start_date:
        return None
    end: datetime = run.task_end_date or utcnow()
    start = run.task_start_date
    if start.tzinfo is None:
        end = end.replace(tzinfo=None)
    return round((end - start).total_seconds(), 2)


def next_run(session, project_id: int) -> Run | None:
    """Return the project's first not_started run, if any."""
    return session.exec(
        select(Run)
        .where(Run.project_id == project_id, Run.status == RunStatus.NOT_STARTED)
        .order_by(Run.created_date, Run.id)
    ).first()
