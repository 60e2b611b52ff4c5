"""``/metrics``: the Prometheus text format, parsed by prometheus-client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import override
from tests.factories import make_project, make_run


def families(response) -> dict:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/plain"
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def test_metrics_report_runs_queue_scan_rate_and_latency(client, redis_url):
    project = make_project("measured")
    make_run(project, status="success")
    make_run(project, status="running", progress={"done": 5, "total": 9, "rate": 2.5})
    make_run(project, status="running", progress={"done": 1, "total": 9, "rate": 1.5})
    assert client.get("/api/projects/").status_code == 200
    found = families(client.get("/metrics"))
    runs = {sample.labels["status"]: sample.value for sample in found["scanapp_runs"].samples}
    assert runs["success"] == 1 and runs["running"] == 2 and runs["stale"] == 0
    assert found["scanapp_queue_jobs"].samples[0].value == 0
    assert found["scanapp_scan_files_per_second"].samples[0].value == 4.0
    latency = found["scanapp_http_request_duration_seconds"]
    counts = [s for s in latency.samples if s.name.endswith("_count")
              and s.labels == {"method": "GET", "route": "/api/projects/", "status": "200"}]
    assert counts and counts[0].value >= 1


def test_metrics_need_the_key_only_when_asked(client):
    override(require_authentication=True)
    assert client.get("/metrics").status_code == 200
    override(metrics_require_authentication=True)
    response = client.get("/metrics")
    assert response.status_code == 401 and response.json["code"] == 401
