"""A ScanCode.io client, written from ScanCode.io's REST API document, against a real server.

``scanapp serve`` and ``scanapp worker`` in subprocesses; the client creates a project with an
upload, adds a pipeline, starts its run, polls it and downloads the JSON results, the way
ScanCode.io's users script it. It works unchanged with authentication off and with an
organization member's token; with authentication on, another user does not see the project.
"""

from __future__ import annotations

import os
import time

import pytest
import requests

from scanapp.services import organizations, users
from tests.cli.test_serve import serving
from tests.conftest import DATA_DIR


class ScanCodeIOClient:
    """What a ScanCode.io script does: Token auth, multipart create, run URL, poll, download."""

    def __init__(self, base: str, key: str | None = None):
        self.api = f"{base}/api"
        self.session = requests.Session()
        if key:
            self.session.headers["Authorization"] = f"Token {key}"

    def create_project(self, name: str, path) -> dict:
        with open(path, "rb") as upload:
            response = self.session.post(f"{self.api}/projects/", data={"name": name},
                                         files={"upload_file": upload}, timeout=30)
        response.raise_for_status()
        return response.json()

    def add_pipeline(self, project: dict, pipeline: str) -> None:
        response = self.session.post(f"{project['url']}add_pipeline/",
                                     data={"pipeline": pipeline}, timeout=30)
        response.raise_for_status()

    def start(self, project: dict) -> str:
        detail = self.session.get(project["url"], timeout=30).json()
        run_url = detail["runs"][0]["url"]
        self.session.post(f"{run_url}start_pipeline/", timeout=30).raise_for_status()
        return run_url

    def wait(self, run_url: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.session.get(run_url, timeout=30).json()["status"]
            if status not in ("not_started", "queued", "running"):
                return status
            time.sleep(0.3)
        raise AssertionError(f"{run_url} still running after {timeout} s")

    def results(self, project: dict) -> dict:
        response = self.session.get(f"{project['url']}results_download/",
                                    params={"output_format": "json"}, timeout=60)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def served(redis_url, workers, tmp_path, request):
    """``scanapp serve`` and a worker on the test database and Redis; yield its base URL."""
    env = dict(os.environ, SCANAPP_REQUIRE_AUTHENTICATION=str(request.param).lower())
    with serving(env, tmp_path / "serve.log") as base:
        workers.start()
        yield base


def _member_key() -> str:
    key = users.create_user("carol")
    users.create_user("alice")
    owner = users.user_by_name("alice").id
    organizations.create_organization(owner, {"name": "acme"})
    organizations.invite(owner, "acme", "carol", "member", "alice")
    organizations.accept_invitation(users.user_by_name("carol").id, "acme")
    return key


@pytest.mark.parametrize("served", [False, True], indirect=True,
                         ids=["authentication-off", "member-token"])
def test_a_scancodeio_script_works_unchanged(served, request):
    auth_on = request.node.callspec.params["served"]
    key = _member_key() if auth_on else None
    client = ScanCodeIOClient(served, key)
    project = client.create_project("from-a-script", DATA_DIR / "requests-2.32.3.tar.gz")
    assert project["input_sources"][0]["filename"] == "requests-2.32.3.tar.gz"
    client.add_pipeline(project, "do_nothing")
    run_url = client.start(project)
    assert client.wait(run_url) == "success"
    results = client.results(project)
    assert results["headers"][0]["runs"][0]["pipeline_name"] == "do_nothing"
    outsider = ScanCodeIOClient(served, users.create_user("dave"))
    seen = outsider.session.get(project["url"], timeout=30)
    assert seen.status_code == (404 if auth_on else 200)
    listed = outsider.session.get(f"{served}/api/projects/", timeout=30).json()
    assert listed["count"] == (0 if auth_on else 1)
