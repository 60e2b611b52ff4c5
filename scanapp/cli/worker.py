"""``scanapp worker``: an RQ worker that executes runs and reconciles them with their jobs."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this module's command to the CLI group."""
    group.add_command(worker)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Quit once the queue is empty.")
@click.option("--queue", "queues", multiple=True, metavar="NAME",
              help="Queue to listen on (repeatable; default: SCANAPP_WEBHOOK_QUEUE_NAME, "
                   "then SCANAPP_QUEUE_NAME).")
@click.option("--name", default=None, help="Worker name (default: a random id).")
@click.option("--verbose", is_flag=True, help="Log at DEBUG level.")
def worker(burst: bool, queues: tuple[str, ...], name: str | None, verbose: bool) -> None:
    r"""Execute queued pipeline runs (an RQ worker with its scheduler).

    By default a worker serves the webhook deliveries, then the runs; give each its own
    workers with --queue. At start and every SCANAPP_WORKER_RECONCILE_INTERVAL seconds the
    worker reconciles runs with jobs: a running run whose worker or job is gone becomes
    stale; a queued run without a job is queued again. A Redis outage is waited out. Run as
    many workers, on as many hosts, as you like: a run's scan is spread over every idle
    worker in chunks (SCANAPP_SCAN_CHUNK_SIZE). A worker serving the run queue loads the
    license index once at start (SCANAPP_WORKER_LOAD_LICENSE_INDEX).

    \b
    Example:
      scanapp worker
      scanapp worker --burst --queue default
      scanapp worker --queue webhooks          # webhook deliveries only
    """
    from scanapp.worker import run_worker  # imported when run: see scanapp.cli

    run_worker(list(queues), name=name, burst=burst, verbose=verbose)
