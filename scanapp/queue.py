"""RQ transport: a job carries only the run id; the database row is the record."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from scanapp.config import get_settings
from scanapp.models import Run

#: RQ job statuses after which the job will not run (again) by itself.
ENDED_JOB_STATUSES = tuple(
    status.value
    for status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
)


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


def enqueue_chunk(chunk_id: int, attempt: int, job_id: str) -> None:
    """Announce a pending scan chunk to the workers of the run queue."""
    get_queue().enqueue(
        "scanapp.jobs.scan_chunk_job",
        chunk_id,
        attempt,
        job_id=job_id,
        job_timeout=get_settings().task_timeout,
        result_ttl=600,
        failure_ttl=24 * 3600,
    )


def enqueue_vulndb_refresh() -> None:
    """Queue one refresh of the vulnerability database from ``SCANAPP_VULNDB_URLS``."""
    get_queue().enqueue(
        "scanapp.jobs.refresh_vulndb_job",
        job_timeout=get_settings().task_timeout,
        result_ttl=24 * 3600,
        failure_ttl=24 * 3600,
    )


def fetch_job(job_id: str, connection: Redis | None = None) -> Job | None:
    """Return the RQ job with this id, or None when Redis no longer knows it."""
    try:
        return Job.fetch(job_id, connection=connection or get_redis())
    except NoSuchJobError:
        return None


def job_status(job: Job) -> str:
    """Return the job's status as a plain string (``queued``, ``started``, ``failed``...)."""
    status = job.get_status()
    return getattr(status, "value", status)


def job_error(job: Job) -> str:
    """Return the last line of the job's latest error, or ""."""
    result = job.latest_result()
    lines = ((result.exc_string if result else "") or "").strip().splitlines()
    return lines[-1] if lines else ""


def remove_job(job_id: str) -> bool:
    """Take a job out of its queue and delete it; False when there was no such job."""
    job = fetch_job(job_id)
    if job is None:
        return False
    job.delete(remove_from_queue=True)
    return True


def stop_job(job_id: str) -> bool:
    """Ask the worker executing a job to kill its work horse; False when nobody executes it."""
    connection = get_redis()
    try:
        send_stop_job_command(connection, job_id)
    except (NoSuchJobError, InvalidJobOperation):
        return False
    return True


def worker_registered(name: str, connection: Redis | None = None) -> bool:
    """Return True while an RQ worker of this name is registered (its key has not expired)."""
    from rq.worker import Worker

    connection = connection or get_redis()
    key = f"{Worker.redis_worker_namespace_prefix}{name}"
    return bool(connection.exists(key)) and not connection.hexists(key, "death")
