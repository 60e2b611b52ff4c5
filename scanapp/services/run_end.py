"""What follows a run's end, in order: alerts, counts, package summary, webhooks, next run.

:func:`finish_run` is the only place where that sequence is written. It is called by
whoever ended the run: the RQ job, the in-process ``scanapp run``, a stop request and
reconciliation (stale runs, runs whose job ended unstarted).
"""

from __future__ import annotations

from collections.abc import Callable

from scanapp import lifecycle
from scanapp.db import session_scope
from scanapp.models import Run, RunStatus
from scanapp.services.compliance import update_alerts_after_run
from scanapp.services.counts import refresh_counts_after_run
from scanapp.services.package_summary import refresh_after_run
from scanapp.services.queueing import start_next_run
from scanapp.services.webhook_delivery import fire_webhooks

#: Called with the run id once a run ended, in this order (webhooks see the new alerts and
#: the stored counts).
AFTER_RUN: tuple[Callable[[int], None], ...] = (
    update_alerts_after_run, refresh_counts_after_run, refresh_after_run, fire_webhooks
)


def finish_run(run_id: int, *, start_next: bool = True) -> None:
    """Recompute alerts, store counts, fire webhooks, then queue the next run after a success.

    A failing step is recorded as a project message and the others still run.
    ``start_next=False`` leaves the next run to the caller (the in-process ``scanapp run``).
    """
    for step in AFTER_RUN:
        _guarded(step, run_id)
    with session_scope() as session:
        run = session.get(Run, run_id)
        project_id, succeeded = run.project_id, run.status == RunStatus.SUCCESS
    if start_next and succeeded:
        _guarded(lambda _: start_next_run(project_id), run_id, name="start_next_run")


def _guarded(step: Callable[[int], object], run_id: int, name: str = "") -> None:
    try:
        step(run_id)
    except Exception as error:  # noqa: BLE001 - recorded; the run has ended already
        with session_scope() as session:
            run = session.get(Run, run_id)
            project_id, pipeline_name = run.project_id, run.pipeline_name
        name = name or step.__name__
        lifecycle.add_message(project_id, f"After-run step {name} failed: {error}",
                              model=pipeline_name, exception=error)
