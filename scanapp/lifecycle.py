"""The run lifecycle: every state change of a run, its log and heartbeat, project messages.

A run goes ``not_started`` -> ``queued`` -> ``running`` -> ``success`` or ``failure``; a
running run may instead be ``stopped`` (on request) or ``stale`` (its worker was lost), and
a queued run whose job ended before it started ends in ``failure``. Each change is one UPDATE
that names the statuses it may start from, so when a worker, a stop request and a
reconciliation race, exactly one of them wins and the others change nothing.

This module imports only the models and the database: every layer may use it.
"""

from __future__ import annotations

import threading
import traceback
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp import audit
from scanapp.db import dialect_insert, session_scope
from scanapp.models import ProjectMessage, Run, RunStatus, StoredCounts, utcnow

#: ``task_exitcode`` values (ScanCode.io's): stopped and stale runs have their own.
SUCCESS_EXITCODE = 0
FAILURE_EXITCODE = 1
STOPPED_EXITCODE = 99
STALE_EXITCODE = 88
#: What ``execute_run`` returns when the run was not its to execute or to end.
NOT_OWNED = -1


def update_run(run_id: int, *, expected: tuple[str, ...] | None = None,
               event: str | None = None, **values) -> bool:
    """Update a run in one statement, only from ``expected`` statuses when given.

    ``event``: the audit event to record with the change, in its transaction.
    """
    statement = sa.update(Run).where(Run.id == run_id)
    if expected is not None:
        statement = statement.where(Run.status.in_(expected))
    with session_scope() as session:
        changed = session.execute(statement.values(**values)).rowcount == 1
        if changed and event:
            run = session.get(Run, run_id)
            audit.record(session, event, project_id=run.project_id, run=run.uuid,
                         pipeline=run.pipeline_name)
        return changed


def append_log(run_id: int, line: str) -> None:
    """Append one timestamped line to the run log (append-only, in the database)."""
    stamp = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    text = f"{stamp} {line}\n"
    with session_scope() as session:
        session.execute(sa.update(Run).where(Run.id == run_id).values(log=Run.log + text))


def mark_queued(run_id: int, task_id: str, event: str | None = None) -> bool:
    """Move a not_started run to queued with its job id; False when it was not not_started."""
    return update_run(run_id, expected=(RunStatus.NOT_STARTED,), event=event,
                      status=RunStatus.QUEUED, task_id=task_id)


def unqueue(run_id: int) -> bool:
    """Move a queued run back to not_started (its job could not be sent)."""
    return update_run(
        run_id, expected=(RunStatus.QUEUED,), status=RunStatus.NOT_STARTED, task_id=None
    )


def claim(run_id: int, worker_name: str = "") -> bool:
    """Move a not_started or queued run to running; False when another process has it.

    The project's stored counts become stale in the same transaction (the run writes rows).
    """
    now = utcnow()
    with session_scope() as session:
        claimed = session.execute(
            sa.update(Run)
            .where(Run.id == run_id, Run.status.in_((RunStatus.NOT_STARTED, RunStatus.QUEUED)))
            .values(status=RunStatus.RUNNING, task_start_date=now, heartbeat=now,
                    worker_name=worker_name)
        ).rowcount == 1
        if claimed:
            invalidate_counts(session, _project_of(session, run_id))
    return claimed


def end(run_id: int, exitcode: int, output: str) -> bool:
    """Store a running run's outcome (success when ``exitcode`` is 0, else failure).

    False, and nothing stored, when the run is no longer running (stopped or stale meanwhile):
    the project's counts are then made stale, as they may miss what this process wrote since.
    """
    status = RunStatus.SUCCESS if exitcode == SUCCESS_EXITCODE else RunStatus.FAILURE
    ended = update_run(
        run_id,
        expected=(RunStatus.RUNNING,),
        status=status,
        task_exitcode=exitcode,
        task_output=output,
        task_end_date=utcnow(),
        current_step="",
        heartbeat=utcnow(),
    )
    if not ended:
        with session_scope() as session:
            project_id = _project_of(session, run_id)
            if project_id is not None:
                invalidate_counts(session, project_id)
    return ended


def _project_of(session: Session, run_id: int) -> int | None:
    return session.exec(select(Run.project_id).where(Run.id == run_id)).first()


def invalidate_counts(session: Session, project_id: int, *, lists_only: bool = False) -> None:
    """Mark the project's stored counts stale, in the caller's transaction.

    Whatever writes a project's messages, resources, packages, dependencies or relations
    while none of its runs is running calls it (a run's own writes are covered by
    :func:`claim`); ``scanapp.services.counts`` then recomputes the counts when next read.
    ``lists_only``: the write changed no count, only values the lists filter on.
    """
    table = StoredCounts.__table__
    stale = {"generation": table.c.generation + 1, "list_counts": sa.null(),
             "list_anchors": sa.null()}
    if not lists_only:
        stale["counts"] = sa.null()
    statement = dialect_insert(session, table).values(
        project_id=project_id, generation=1, counts=sa.null(), list_counts=sa.null(),
        list_anchors=sa.null(),
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=[table.c.project_id], set_=stale)
    )


def stop(run_id: int, event: str | None = None) -> bool:
    """Mark a running run stopped (exit code 99); False when it was not running."""
    changed = update_run(
        run_id,
        expected=(RunStatus.RUNNING,),
        event=event,
        status=RunStatus.STOPPED,
        task_end_date=utcnow(),
        task_exitcode=STOPPED_EXITCODE,
        current_step="",
    )
    if changed:
        append_log(run_id, "Pipeline stopped on request")
    return changed


def mark_stale(run: Run, reason: str) -> bool:
    """Mark a running run stale (exit code 88) with a message saying why, in one transaction.

    False, and nothing changed, when the run is no longer running.
    """
    description = f"Pipeline {run.pipeline_name} run {run.uuid} marked stale: {reason}"
    details = {"run_uuid": run.uuid, "worker_name": run.worker_name, "reason": reason}
    with session_scope() as session:
        changed = session.execute(
            sa.update(Run)
            .where(Run.id == run.id, Run.status == RunStatus.RUNNING)
            .values(status=RunStatus.STALE, task_end_date=utcnow(),
                    task_exitcode=STALE_EXITCODE, current_step="")
        ).rowcount
        if changed != 1:
            return False
        session.add(new_message(run.project_id, description, model=run.pipeline_name,
                                details=details))
        invalidate_counts(session, run.project_id)
    append_log(run.id, f"Run marked stale: {reason}")
    return True


def fail_unstarted(run_id: int, output: str) -> bool:
    """End a queued run whose job ended before it started in failure; False otherwise."""
    changed = update_run(
        run_id,
        expected=(RunStatus.QUEUED,),
        status=RunStatus.FAILURE,
        task_end_date=utcnow(),
        task_exitcode=FAILURE_EXITCODE,
        task_output=output,
    )
    if changed:
        append_log(run_id, "Failed: its job ended before the run started")
    return changed


def record_step(run_id: int, step: str) -> None:
    """Store the step a running run is at (``"2/6 extract_archives"``)."""
    update_run(run_id, current_step=step)


def record_progress(run_id: int, progress: dict) -> None:
    """Store how far a running run's scan is (done, total, rate, eta)."""
    update_run(run_id, progress=progress)


def beat(run_id: int) -> bool:
    """Refresh a running run's heartbeat; False when it is no longer running."""
    return update_run(run_id, expected=(RunStatus.RUNNING,), heartbeat=utcnow())


class Beating:
    """Call ``beat_once`` every ``interval`` seconds from a daemon thread while entered."""

    def __init__(self, beat_once, interval: float, name: str = "heartbeat"):
        """Beat with ``beat_once()`` every ``interval`` seconds once entered."""
        self.beat_once = beat_once
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=name, daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat_once()
            except Exception:  # noqa: BLE001, S112 - a missed beat is retried next interval
                continue

    def __enter__(self):
        """Start beating."""
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop beating."""
        self._stop.set()
        self._thread.join(timeout=5)


class Heartbeat(Beating):
    """Refresh a running run's heartbeat every ``interval`` seconds from a daemon thread."""

    def __init__(self, run_id: int, interval: float):
        """Beat for ``run_id`` every ``interval`` seconds once entered."""
        super().__init__(lambda: beat(run_id), interval, name=f"heartbeat-{run_id}")
        self.run_id = run_id


def is_running(run_id: int) -> bool:
    """Return True while the run's status is still running (not stopped or stale)."""
    with session_scope() as session:
        status = session.exec(select(Run.status).where(Run.id == run_id)).first()
    return status == RunStatus.RUNNING


def next_run(session: Session, project_id: int) -> Run | None:
    """Return the project's first not_started run, if any."""
    return session.exec(
        select(Run)
        .where(Run.project_id == project_id, Run.status == RunStatus.NOT_STARTED)
        .order_by(Run.created_date, Run.id)
    ).first()


def execution_time(run: Run) -> float | None:
    """Seconds between start and end (or now while running)."""
    if not run.task_start_date:
        return None
    end_date: datetime = run.task_end_date or utcnow()
    start = run.task_start_date
    if start.tzinfo is None:
        end_date = end_date.replace(tzinfo=None)
    return round((end_date - start).total_seconds(), 2)


def new_message(
    project_id: int,
    description: str,
    *,
    severity: str = "error",
    model: str = "",
    details: dict | None = None,
    exception: BaseException | None = None,
) -> ProjectMessage:
    """Build a project message (not stored); ``exception`` gives its traceback."""
    return ProjectMessage(
        project_id=project_id,
        severity=severity,
        description=description,
        model=model,
        details=details or {},
        traceback="".join(traceback.format_exception(exception)) if exception else "",
    )


def add_message(project_id: int, description: str, **values) -> None:
    """Store a project message in its own transaction (see :func:`new_message`)."""
    with session_scope() as session:
        session.add(new_message(project_id, description, **values))
        invalidate_counts(session, project_id)
