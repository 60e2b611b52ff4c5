"""The RQ worker of ``scanapp worker``: it executes queued runs and reconciles runs with jobs."""

from __future__ import annotations

import gc
import logging
import time

from redis.exceptions import RedisError
from rq.worker import Worker

from scanapp.config import get_settings
from scanapp.db import dispose_engines, migrate
from scanapp.pipes.scancode import load_license_index
from scanapp.queue import get_redis
from scanapp.services.maintenance import remove_leftovers
from scanapp.services.reconcile import reconcile as reconcile_runs
from scanapp.services.vulndb_refresh import schedule as schedule_vulndb_refresh

log = logging.getLogger("scanapp.worker")

#: Seconds between the worker's checks of its work horse (RQ's default is 30).
JOB_MONITORING_INTERVAL = 30
#: Seconds to wait before the next loop while Redis does not answer.
REDIS_RETRY_WAIT = 2


def _tolerate(call, what: str):
    """Return ``call()``; when Redis does not answer, log it and return None."""
    try:
        return call()
    except RedisError as error:
        log.warning("Redis unreachable during %s: %s; going on", what, error)
        return None


class ScanappWorker(Worker):
    """An RQ worker that reconciles runs, and outlives Redis outages.

    Reconciliation runs in the worker process (never in a work horse) at start and every
    reconcile interval: while idle, between dequeue waits no longer than the interval; while
    a job runs, at the horse checks. When Redis does not answer, RQ's own worker quits
    ("unhandled exception"); this one logs it and goes on: a run keeps running in its work
    horse, idle waits reconnect with backoff, and the scheduler (which sends webhook
    retries) is started again at the next reconciliation once Redis is back.
    """

    reconcile_interval: int = 60

    def __init__(self, *args, reconcile_interval: int = 60, **kwargs):
        """Create the worker; ``reconcile_interval`` is in seconds."""
        kwargs.setdefault(
            "job_monitoring_interval", min(JOB_MONITORING_INTERVAL, reconcile_interval)
        )
        # Set before RQ's __init__: it sizes the Redis socket timeout from dequeue_timeout.
        self.reconcile_interval = reconcile_interval
        self._reconciled_at: float | None = None
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        """Wake from an idle wait in time for the next reconciliation."""
        return max(1, min(self.worker_ttl - 15, self.reconcile_interval))

    def reconcile_due(self) -> bool:
        """Return True when the last reconciliation is older than the interval."""
        if self._reconciled_at is None:
            return True
        return time.monotonic() - self._reconciled_at >= self.reconcile_interval

    def reconcile(self) -> None:
        """Reconcile runs with jobs and queue a due vulnerability database refresh.

        Database connections are closed after: a forked work horse must not inherit them.
        """
        self._reconciled_at = time.monotonic()
        try:
            self._reconcile_runs()
            self._schedule_vulndb_refresh()
        finally:
            dispose_engines()

    @staticmethod
    def _reconcile_runs() -> None:
        try:
            report = reconcile_runs()
        except Exception:  # noqa: BLE001 - the worker keeps working; tried again next interval
            log.exception("Reconciliation failed")
            return
        for uuid in report.stale:
            log.warning("Run %s marked stale", uuid)
        for uuid in report.requeued:
            log.warning("Run %s re-queued", uuid)

    @staticmethod
    def _schedule_vulndb_refresh() -> None:
        try:
            if schedule_vulndb_refresh():
                log.info("Vulnerability database refresh queued")
        except Exception:  # noqa: BLE001 - tried again at the next reconciliation
            log.exception("Scheduling the vulnerability database refresh failed")

    @property
    def should_run_maintenance_tasks(self) -> bool:
        """Run RQ's maintenance on its schedule and reconciliation on ours."""
        return super().should_run_maintenance_tasks or self.reconcile_due()

    def run_maintenance_tasks(self) -> None:
        """Clean RQ registries when due, then reconcile when due."""
        if super().should_run_maintenance_tasks:
            _tolerate(super().run_maintenance_tasks, "cleaning registries")
        if self.reconcile_due():
            self.reconcile()
            _tolerate(self.restart_scheduler, "restarting the scheduler")

    def maintain_heartbeats(self, job, execution) -> None:
        """Keep RQ's heartbeats while a job runs, reconciling when due."""
        _tolerate(lambda: super(ScanappWorker, self).maintain_heartbeats(job, execution),
                  f"the heartbeat of job {job.id}")
        if self.reconcile_due():
            self.reconcile()
            _tolerate(self.restart_scheduler, "restarting the scheduler")

    def restart_scheduler(self) -> None:
        """Start the scheduler again when its process died (a Redis outage ends it)."""
        scheduler = self.scheduler
        if scheduler is not None and not (scheduler._process and scheduler._process.is_alive()):
            if scheduler.acquire_locks(auto_start=True):
                log.warning("Scheduler started again")

    def heartbeat(self, *args, **kwargs):
        """Refresh the worker's key; a missed beat while Redis is down is only logged."""
        return _tolerate(lambda: super(ScanappWorker, self).heartbeat(*args, **kwargs),
                         "the worker's heartbeat")

    def check_for_suspension(self, burst: bool) -> None:
        """Check for a suspension; while Redis is down, wait a little and go on."""
        try:
            super().check_for_suspension(burst)
        except RedisError as error:
            log.warning("Redis unreachable: %s; trying again in %s s", error, REDIS_RETRY_WAIT)
            time.sleep(REDIS_RETRY_WAIT)

    def execute_job(self, job, queue) -> None:
        """Execute a job; Redis lost while starting or ending it leaves it to reconciliation."""
        _tolerate(lambda: super(ScanappWorker, self).execute_job(job, queue),
                  f"starting or ending job {job.id} (reconciliation will settle its run)")


def load_shared_license_index() -> None:
    """Load the license index here, once, for every work horse this worker forks.

    A work horse is forked per job: what it loads dies with it, so a run or chunk would pay
    the index (about 8 s) each time. Frozen out of the garbage collector, its pages stay
    shared with the horses instead of being copied when a collection touches them.
    """
    started = time.monotonic()
    load_license_index()
    gc.freeze()
    log.info("License index loaded in %.1f s", time.monotonic() - started)


def run_worker(queues: list[str], *, name: str | None, burst: bool, verbose: bool) -> None:
    """Migrate (or wait for the schema), reconcile once, then work until stopped."""
    settings = get_settings()
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    migrate()
    remove_leftovers()
    queues = queues or [settings.webhook_queue_name, settings.queue_name]
    if settings.worker_load_license_index and settings.queue_name in queues:
        load_shared_license_index()
    rq_worker = ScanappWorker(
        queues,
        name=name,
        connection=get_redis(),
        reconcile_interval=settings.worker_reconcile_interval,
    )
    rq_worker.reconcile()
    rq_worker.work(burst=burst, with_scheduler=True,
                   logging_level="DEBUG" if verbose else "INFO")
