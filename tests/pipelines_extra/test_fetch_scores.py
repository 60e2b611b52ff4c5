"""fetch_scores on click 8.1.8 inspected for real, its scorecard served by a Scorecard API.

The API is a real HTTP server on 127.0.0.1 answering ``GET /projects/github.com/<org>/<repo>``
with a document shaped like api.securityscorecards.dev's (the internet is mocked, not the
client: the requests go through scanapp.downloads and the address guard).
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.config import SettingsError, get_settings, load_settings, set_settings
from scanapp.models import DiscoveredPackage, Project, Run, RunStatus
from scanapp.services.compliance import scorecard_alert
from scanapp.services.projects import ProjectRequest, create_project
from scanapp.services.runs import execute_in_process
from tests.pipelines_builtin.conftest import DATA_DIR, scan_settings_on

DOCS = "https://github.com/ossf/scorecard/blob/4edb07802fbad6b8aa3d7c0bd2cc6e4ebf6e6ffb/docs"
CLICK_SCORECARD = {
    "date": "2025-01-20T08:11:23Z",
    "repo": {"name": "github.com/pallets/click",
             "commit": "cdab890e57a30a9f437b88ce9652f7bfce980c1f"},
    "scorecard": {"version": "v5.0.0", "commit": "4edb07802fbad6b8aa3d7c0bd2cc6e4ebf6e6ffb"},
    "score": 6.8,
    "checks": [
        {"name": "Code-Review", "score": 10,
         "reason": "all changesets reviewed", "details": None,
         "documentation": {"short": "Determines if the project requires human code review.",
                           "url": f"{DOCS}/checks.md#code-review"}},
        {"name": "Fuzzing", "score": 0, "reason": "project is not fuzzed",
         "details": ["Warn: no fuzzer integrations found"],
         "documentation": {"short": "Determines if the project uses fuzzing.",
                           "url": f"{DOCS}/checks.md#fuzzing"}},
    ],
}
POLICIES = "scorecard_score_thresholds:\n  9.0: ok\n  6.0: warning\n"


class ScorecardAPI(ThreadingHTTPServer):
    """A Scorecard API knowing one repository; records the paths asked for."""

    def __init__(self):
        """Listen on a free port of 127.0.0.1 and serve in a thread."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.paths: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.paths.append(self.path)
        if self.path == "/":
            return self._send(200, {"message": "OpenSSF Scorecard API"})
        if self.path == "/projects/github.com/pallets/click":
            return self._send(200, CLICK_SCORECARD)
        return self._send(404, {"code": 404, "message": "not found"})

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def api():
    server = ScorecardAPI()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def settings(tmp_path_factory, api):
    saved = dict(os.environ)
    os.environ.update({"SCANAPP_SCORECARD_URL": api.url, "SCANAPP_ALLOW_PRIVATE_URLS": "true"})
    yield from scan_settings_on(tmp_path_factory.mktemp("workdirs"))
    os.environ.clear()
    os.environ.update(saved)


def _run_all(name, pipelines, uploads=(), settings=None):
    project = create_project(ProjectRequest(
        name=name, uploads=[(path, "") for path in uploads], pipelines=pipelines,
        settings=settings or {},
    ))
    with db.session_scope() as session:
        runs = session.exec(select(Run).where(Run.project_id == project.id).order_by(Run.id)).all()
    for run in runs:
        execute_in_process(run.id)
    with db.session_scope() as session:
        runs = session.exec(select(Run).where(Run.project_id == project.id).order_by(Run.id)).all()
        return session.get(Project, project.id), runs


@pytest.fixture(scope="module")
def scored(settings):
    project, runs = _run_all("click-scores", ["inspect_packages", "fetch_scores"],
                             uploads=[DATA_DIR / "click-8.1.8.tar.gz"],
                             settings={"policies": POLICIES})
    assert [run.status for run in runs] == [RunStatus.SUCCESS] * 2, runs[-1].task_output
    return project


def test_the_score_is_stored_on_the_package(scored, api):
    with db.session_scope() as session:
        packages = session.exec(
            select(DiscoveredPackage).where(DiscoveredPackage.project_id == scored.id)
        ).all()
    assert [package.purl for package in packages] == ["pkg:pypi/click@8.1.8"]
    stored = packages[0].extra_data["scorecard"]
    assert stored["score"] == 6.8
    assert stored["scoring_tool"] == "ossf-scorecard"
    assert stored["scoring_tool_version"] == "v5.0.0"
    assert stored["scoring_tool_documentation_url"] == f"{DOCS}/checks.md"
    assert stored["score_date"] == "2025-01-20T08:11:23Z"
    assert [(c["check_name"], c["check_score"]) for c in stored["checks"]] == [
        ("Code-Review", "10"), ("Fuzzing", "0")]
    assert stored["url"] == f"{api.url}/projects/github.com/pallets/click"
    assert "/projects/github.com/pallets/click" in api.paths


def test_the_alert_is_evaluated_and_stored(scored):
    with db.session_scope() as session:
        project = session.get(Project, scored.id)
    # 6.8 reaches the 6.0 threshold, not the 9.0 one.
    assert project.extra_data["scorecard_compliance_alert"] == "warning"
    assert scorecard_alert(scored.uuid) == "warning"


def test_repository_urls_and_an_unknown_repository(settings, api):
    from scanapp.pipes import scorecard

    repo = scorecard.repository("git+https://github.com/nobody/nothing.git")
    assert (repo.platform, repo.org, repo.repo) == ("github.com", "nobody", "nothing")
    assert scorecard.repository("https://example.com/a/b") is None
    base_url, options = scorecard.fetch_settings()
    with pytest.raises(scorecard.FetchError, match="HTTP 404"):
        scorecard.fetch_scorecard(base_url, repo, options)


def test_an_unreachable_service_fails_the_first_step(settings, api):
    set_settings(dataclasses.replace(get_settings(), scorecard_url="http://127.0.0.1:9"))
    try:
        project, runs = _run_all("no-service", ["fetch_scores"])
    finally:
        set_settings(settings)
    assert runs[0].status == RunStatus.FAILURE
    assert "ScoreCode service is not available: http://127.0.0.1:9" in runs[0].task_output
    assert "check_scorecode_service_availability" in runs[0].task_output


def test_the_setting_is_parsed_and_checked():
    assert load_settings({}).scorecard_url == "https://api.securityscorecards.dev"
    assert load_settings({"SCANAPP_SCORECARD_URL": "http://h:1/"}).scorecard_url == "http://h:1"
    with pytest.raises(SettingsError, match="SCANAPP_SCORECARD_URL"):
        load_settings({"SCANAPP_SCORECARD_URL": "ftp://h"})
