"""``/metrics`` in the Prometheus text format (prometheus-client).

Request latency is measured in every web worker (gunicorn's workers share it through
``PROMETHEUS_MULTIPROC_DIR``, which ``scanapp serve`` sets); the runs by status, the queue
length and the scan throughput are read from the stored state at each scrape. With
``SCANAPP_METRICS_REQUIRE_AUTHENTICATION=true`` the API key is needed, as on ``/api/``.
"""

from __future__ import annotations

import os
import time

from flask import Blueprint, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from scanapp.services import metrics as service

blp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "scanapp_http_request_duration_seconds",
    "Time to answer an API request, by method, route and status.",
    ["method", "route", "status"],
)


class StateCollector:
    """Collect the stored state at each scrape."""

    def collect(self):
        """Yield the runs by status, the queue length and the scan rate."""
        runs = GaugeMetricFamily("scanapp_runs", "Pipeline runs by status.", labels=["status"])
        for status, count in service.runs_by_status().items():
            runs.add_metric([status], count)
        yield runs
        queued = service.queued_jobs()
        if queued is not None:
            yield GaugeMetricFamily("scanapp_queue_jobs", "Jobs waiting in the runs queue.",
                                    value=queued)
        yield GaugeMetricFamily("scanapp_scan_files_per_second",
                                "Files scanned per second by the running runs.",
                                value=service.scan_rate())


def registry() -> CollectorRegistry:
    """Return the registry of one scrape: request latency of every worker and the state."""
    scraped = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(scraped)
    else:
        scraped.register(REQUEST_SECONDS)
    scraped.register(StateCollector())
    return scraped


@blp.route("/metrics", methods=["GET"])
def metrics():
    """Answer the metrics in the Prometheus text format."""
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)


def observe(response):
    """Record the duration of an API request (an ``after_request`` hook)."""
    if request.path.startswith("/api/") and "started" in g:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
            time.monotonic() - g.started
        )
    return response
