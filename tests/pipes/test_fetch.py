"""Input fetching against real HTTP servers on 127.0.0.1 and a local git repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scanapp import downloads
from scanapp.downloads import FetchError, FetchOptions
from scanapp.pipes import fetch


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    routes = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, routes
    httpd.shutdown()
    httpd.server_close()


ALLOW = FetchOptions(timeout=5, allow_private=True)


def test_download_names_from_content_disposition_and_url(server, tmp_path):
    base, routes = server
    routes["/dl?id=1"] = (
        200,
        {"Content-Disposition": 'attachment; filename="pkg-1.0.tar.gz"'},
        b"data",
    )
    routes["/files/lib-2.0.zip"] = (200, {}, b"zip")
    assert downloads.download(f"{base}/dl?id=1", tmp_path, ALLOW).name == "pkg-1.0.tar.gz"
    path = downloads.download(f"{base}/files/lib-2.0.zip", tmp_path, ALLOW)
    assert path.name == "lib-2.0.zip" and path.read_bytes() == b"zip"


def test_redirect_followed_and_final_name_used(server, tmp_path):
    base, routes = server
    routes["/start"] = (302, {"Location": "/final/real-name.whl"}, b"")
    routes["/final/real-name.whl"] = (200, {}, b"wheel")
    assert downloads.download(f"{base}/start", tmp_path, ALLOW).read_bytes() == b"wheel"
    assert (tmp_path / "real-name.whl").exists()


def test_private_address_refused_by_default(server, tmp_path):
    base, routes = server
    routes["/x.zip"] = (200, {}, b"zip")
    with pytest.raises(
        FetchError, match=r"x\.zip: host 127\.0\.0\.1 resolves to the non-public address"
    ):
        downloads.download(f"{base}/x.zip", tmp_path, FetchOptions(timeout=5))
    assert list(tmp_path.iterdir()) == []


def test_redirect_to_private_address_refused(server, tmp_path, monkeypatch):
    base, routes = server
    port = base.rsplit(":", 1)[1]
    routes["/hop"] = (302, {"Location": f"http://127.0.0.1:{port}/secret"}, b"")
    routes["/secret"] = (200, {}, b"secret")
    real_check = downloads.checked_address
    # "localhost" plays a public host: only the redirect target is checked for real.
    monkeypatch.setattr(
        downloads,
        "checked_address",
        lambda host, allow_private: "127.0.0.1" if host == "localhost"
        else real_check(host, allow_private=allow_private),
    )
    with pytest.raises(FetchError, match=r"/secret: host 127\.0\.0\.1 resolves to the non-public"):
        downloads.download(f"http://localhost:{port}/hop", tmp_path, FetchOptions(timeout=5))
    assert list(tmp_path.iterdir()) == []


def test_size_cap_and_http_errors(server, tmp_path):
    base, routes = server
    routes["/big.bin"] = (200, {}, b"x" * 5000)
    with pytest.raises(FetchError, match="5000 bytes is over the 1000 bytes limit"):
        downloads.download(
            f"{base}/big.bin", tmp_path, FetchOptions(timeout=5, max_size=1000, allow_private=True)
        )
    with pytest.raises(FetchError, match="HTTP 404"):
        downloads.download(f"{base}/nothing.zip", tmp_path, ALLOW)
    assert list(tmp_path.iterdir()) == []


def test_purls_resolved_through_registries(server, tmp_path):
    base, routes = server
    pypi = {
        "urls": [
            {"packagetype": "bdist_wheel", "url": f"{base}/f/attrs-1.0-py3-none-any.whl"},
            {"packagetype": "sdist", "url": f"{base}/f/attrs-1.0.tar.gz"},
        ]
    }
    routes["/pypi/attrs/1.0/json"] = (
        200,
        {"Content-Type": "application/json"},
        json.dumps(pypi).encode(),
    )
    npm = {"dist": {"tarball": f"{base}/f/core-2.0.tgz"}}
    routes["/@babel%2Fcore/2.0"] = (200, {}, json.dumps(npm).encode())
    routes["/f/attrs-1.0.tar.gz"] = (200, {}, b"sdist")
    options = FetchOptions(timeout=5, allow_private=True, pypi_url=base, npm_url=base)
    assert fetch.resolve_purl("pkg:pypi/attrs@1.0", options) == f"{base}/f/attrs-1.0.tar.gz"
    assert fetch.resolve_purl("pkg:npm/%40babel/core@2.0", options) == f"{base}/f/core-2.0.tgz"
    assert fetch.fetch("pkg:pypi/attrs@1.0", tmp_path, options).read_bytes() == b"sdist"
    with pytest.raises(FetchError, match="only pkg:pypi and pkg:npm"):
        fetch.resolve_purl("pkg:maven/a/b@1", options)


@pytest.mark.skipif(not shutil.which("git"), reason="git not installed")
def test_git_shallow_clone(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t", "-C", str(source)]
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    for text in ("one", "two"):
        (source / "README").write_text(text)
        subprocess.run([*git, "add", "README"], check=True)
        subprocess.run([*git, "commit", "-qm", text], check=True)
    bare = tmp_path / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
    inputs = tmp_path / "input"
    inputs.mkdir()
    cloned = fetch.fetch(f"file://{bare}", inputs, ALLOW)
    assert cloned == inputs / "repo"
    assert (cloned / "README").read_text() == "two" and not (cloned / ".git").exists()
    with pytest.raises(FetchError, match="git clone failed"):
        fetch.fetch(f"file://{tmp_path}/missing.git", inputs, ALLOW)


def test_failed_download_fails_the_run_with_a_message(settings, server):
    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.models import ProjectMessage, Run
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process as execute_run

    base, _ = server
    url = f"{base}/input.zip"
    project = create_project(
        ProjectRequest(name="dl", input_urls=[url], pipelines=["scan_codebase"])
    )
    with session_scope() as session:
        run = session.exec(select(Run).where(Run.project_id == project.id)).one()
    assert execute_run(run.id) == 1
    with session_scope() as session:
        run = session.get(Run, run.id)
        messages = session.exec(select(ProjectMessage)).all()
    assert run.status == "failure" and url in run.task_output
    assert len(messages) == 1 and messages[0].description.startswith(
        f"Failed to fetch {url}: host 127.0.0.1"
    )
    assert messages[0].details == {"download_url": url}
    from scanapp.workdir import workdir_for

    assert list(workdir_for(project.slug).input.iterdir()) == []
