"""RQ transport: a job carries only the run id; the database row is the record."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from scanapp.config import get_settings
from scanapp.models import Run


def get_redis() -> Redis:
    """Return a Redis connection for ``SCANAPP_REDIS_URL``."""
    return Redis.from_url(get_settings().redis_url, socket_connect_timeout=5)


def get_queue(name: str | None = None) -> Queue:
    """Return the RQ queue runs are sent to."""
    settings = get_settings()
    return Queue(name or settings.queue_name, connection=get_redis())


def enqueue_run(run: Run) -> None:
    """Enqueue the job of a run: job id = run uuid."""
    get_queue().enqueue(
        "scanapp.jobs.run_pipeline_job",
        run.id,
        job_id=run.uuid,
        job_timeout=get_settings().task_timeout,
        result_ttl=3600,
        failure_ttl=24 * 3600,
    )
