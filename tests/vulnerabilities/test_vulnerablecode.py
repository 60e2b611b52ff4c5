"""find_vulnerabilities asking a VulnerableCode server (API v3), as ScanCode.io does.

The server is a real HTTP server on 127.0.0.1 speaking VulnerableCode's v3 package API:
``HEAD /api/v3``, ``POST /api/v3/packages`` paged by ``PAGE`` packages, and an advisory list
by URL for a package with more advisories than a page holds. It wants an API key.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from scanapp.cli import cli
from scanapp.config import load_settings, set_settings
from tests.vulnerabilities.test_find_vulnerabilities import by_purl, npm_project

KEY = "s3cret"
PAGE = 1  # packages per page: every answer of more than one package is paged


def advisory(advisory_id: str, weighted: float | None, fixed: list[str], aliases=()) -> dict:
    """An advisory as VulnerableCode v3 gives it in ``affected_by_vulnerabilities``."""
    return {"advisory_id": advisory_id, "advisory_uid": f"ghsa/{advisory_id.lower()}",
            "aliases": list(aliases), "weighted_severity": weighted, "exploitability_score": None,
            "risk_score": None, "summary": f"{advisory_id} summary", "fixed_by_packages": fixed}


#: What the server knows, by purl. The shop package has more advisories than it sends inline.
KNOWN = {
    "pkg:npm/left-pad@1.2.0": [advisory("GHSA-lp00-0000-0001", 7.5, ["pkg:npm/left-pad@1.3.0"],
                                        ["CVE-2099-0001"])],
    "pkg:npm/shop@1.0.0": [advisory("GHSA-sh00-0000-0001", 9.8, []),
                           advisory("GHSA-sh00-0000-0002", 2.0, [], ["CVE-2099-0002"])],
}
INLINE_AT_MOST = 1


class VulnerableCode:
    """The fake server; ``calls`` records (method, path, purls asked)."""

    def __init__(self):
        self.calls: list[tuple] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.owner = self
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def page(self, results: list, number: int, path: str) -> dict:
        start = (number - 1) * PAGE
        more = start + PAGE < len(results)
        joiner = "&" if "?" in path else "?"
        return {"count": len(results), "previous": None,
                "next": f"{self.url}{path.split('page=')[0].rstrip('&?')}{joiner}page={number + 1}"
                if more else None,
                "results": results[start:start + PAGE]}

    def packages(self, purls: list[str]) -> list[dict]:
        found = []
        for purl in sorted(purls):
            if purl not in KNOWN:
                continue
            entries = KNOWN[purl]
            package = {"purl": purl, "fixing_vulnerabilities": [], "risk_score": None}
            if len(entries) > INLINE_AT_MOST:
                package["affected_by_vulnerabilities_url"] = (
                    f"{self.url}/api/v3/affected-by-advisories?purl={purl}")
            else:
                package["affected_by_vulnerabilities"] = entries
            found.append(package)
        return found


class Handler(BaseHTTPRequestHandler):
    """VulnerableCode's v3 routes, answered from ``KNOWN`` (the server's ``owner``)."""

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Token {KEY}":
            return True
        self._send(401, {"detail": "Authentication credentials were not provided."})
        return False

    def _send(self, status: int, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _number(self) -> int:
        return int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])

    def do_HEAD(self):  # noqa: N802 - http.server's names
        self.server.owner.calls.append(("HEAD", self.path, None))
        if self._authorized():
            self._send(200 if self.path.rstrip("/") == "/api/v3" else 404)

    def do_POST(self):  # noqa: N802
        owner = self.server.owner
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        owner.calls.append(("POST", self.path, tuple(body["purls"])))
        if self._authorized():
            assert body["details"] is True
            self._send(200, owner.page(owner.packages(body["purls"]), self._number(),
                                       self.path))

    def do_GET(self):  # noqa: N802
        owner = self.server.owner
        owner.calls.append(("GET", self.path, None))
        if self._authorized():
            purl = parse_qs(urlsplit(self.path).query)["purl"][0]
            self._send(200, owner.page(KNOWN[purl], self._number(), self.path))

    def log_message(self, *args):
        pass


@pytest.fixture
def vulnerablecode(settings, monkeypatch):
    """The server, with SCANAPP_VULNERABLECODE_URL and the API key set; stopped after."""
    server = VulnerableCode()
    monkeypatch.setenv("SCANAPP_VULNERABLECODE_URL", server.url)
    monkeypatch.setenv("SCANAPP_VULNERABLECODE_API_KEY", KEY)
    set_settings(load_settings())
    yield server
    server.close()


def run(tmp_path, *more: str):
    output = tmp_path / "results.json"
    result = CliRunner().invoke(cli, [
        "run", "inspect_packages", str(npm_project(tmp_path / "shop.tar.gz")),
        "--pipeline", "find_vulnerabilities", "--output", str(output), "--quiet", *more])
    return result, (json.loads(output.read_text()) if output.exists() else None)


def test_packages_and_dependencies_get_the_servers_advisories_every_page_read(
        vulnerablecode, tmp_path):
    result, results = run(tmp_path)
    assert result.exit_code == 0, result.output
    shop = by_purl(results["packages"])["pkg:npm/shop@1.0.0"]["affected_by_vulnerabilities"]
    # Two advisories, given by URL and one per page: both read.
    assert [entry["advisory_id"] for entry in shop] == ["GHSA-sh00-0000-0001",
                                                       "GHSA-sh00-0000-0002"]
    assert [entry["severity_level"] for entry in shop] == ["critical", "low"]
    left_pad = by_purl(results["dependencies"])["pkg:npm/left-pad@1.2.0"]
    [entry] = left_pad["affected_by_vulnerabilities"]
    assert entry["advisory_uid"] == "ghsa/ghsa-lp00-0000-0001"  # as the server gave it
    assert (entry["vulnerability_id"], entry["fixed_versions"], entry["severity_level"],
            entry["source"]) == ("GHSA-lp00-0000-0001", ["1.3.0"], "high", "vulnerablecode")
    asked = [call for call in vulnerablecode.calls if call[0] != "HEAD"]
    assert ("GET", "/api/v3/affected-by-advisories?purl=pkg:npm/shop@1.0.0&page=2", None) in asked


def test_an_answer_of_several_pages_is_read_to_its_end(vulnerablecode):
    from scanapp.pipes import vulnerablecode as client

    found = client.search(["pkg:npm/shop@1.0.0", "pkg:npm/left-pad@1.2.0", "pkg:npm/none@1"])
    assert {purl: len(entries) for purl, entries in found.items()} == {
        "pkg:npm/left-pad@1.2.0": 1, "pkg:npm/shop@1.0.0": 2}
    assert [call[:2] for call in vulnerablecode.calls if call[0] == "POST"] == [
        ("POST", "/api/v3/packages"), ("POST", "/api/v3/packages?page=2")]


def test_the_ignored_vulnerabilities_setting_leaves_them_out(vulnerablecode, tmp_path):
    from pathlib import Path

    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.models import DiscoveredDependency, DiscoveredPackage, Run
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process

    project = create_project(ProjectRequest(
        name="ignoring", uploads=[(Path(npm_project(tmp_path / "shop.tar.gz")), "")],
        pipelines=["inspect_packages", "find_vulnerabilities"],
        settings={"ignored_vulnerabilities": ["CVE-2099-0002", "GHSA-lp00-0000-0001"]}))
    with session_scope() as session:
        runs = session.exec(select(Run.id).where(Run.project_id == project.id)
                            .order_by(Run.id)).all()
    assert [execute_in_process(run) for run in runs] == [0, 0]
    with session_scope() as session:
        shop = session.exec(select(DiscoveredPackage.affected_by_vulnerabilities).where(
            DiscoveredPackage.purl == "pkg:npm/shop@1.0.0")).one()
        left_pad = session.exec(select(DiscoveredDependency.affected_by_vulnerabilities).where(
            DiscoveredDependency.purl == "pkg:npm/left-pad@1.2.0")).one()
    assert [entry["advisory_id"] for entry in shop] == ["GHSA-sh00-0000-0001"]
    assert left_pad == []


def test_a_wrong_key_fails_the_run_saying_the_server_is_not_available(vulnerablecode,
                                                                      tmp_path, monkeypatch):
    monkeypatch.setenv("SCANAPP_VULNERABLECODE_API_KEY", "wrong")
    set_settings(load_settings())
    result, _ = run(tmp_path)
    assert result.exit_code == 1
    assert "VulnerableCode is not available" in result.output and "HTTP 401" in result.output
