"""`scanapp serve`: the production server (gunicorn) in a subprocess, on a temporary SQLite."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The pid of the gunicorn master of each running server, by base URL.
server_pid: dict[str, int] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scanapp_command() -> list[str]:
    script = Path(sys.executable).with_name("scanapp")
    if script.exists():
        return [str(script)]
    found = shutil.which("scanapp")
    return [found] if found else [sys.executable, "-m", "scanapp"]


@contextlib.contextmanager
def serving(env: dict, log_path: Path):
    """Run ``scanapp serve`` (one gunicorn worker) with ``env`` on a free port; yield its URL."""
    port = free_port()
    log = log_path.open("w+")
    command = [*scanapp_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"{base}/api/openapi.json", timeout=10)
            break
        except requests.RequestException:  # not listening yet, or still importing on a busy CI
            time.sleep(0.2)
    if process.poll() is not None or time.monotonic() >= deadline:
        process.kill()
        log.seek(0)
        pytest.fail(f"scanapp serve did not start:\n{log.read()}")
    server_pid[base] = process.pid
    try:
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def server(request, tmp_path):
    """Start ``scanapp serve`` on a free port; yield its base URL; terminate it after.

    Parametrize it indirectly with a dict of more settings.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(tmp_path / "workdirs"), SCANAPP_MAX_UPLOAD_SIZE="1M")
    env.update(getattr(request, "param", {}))
    with serving(env, tmp_path / "serve.log") as base:
        yield base


def test_serve_answers_the_api_on_a_migrated_sqlite(server, tmp_path):
    response = requests.get(f"{server}/api/projects/", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert (tmp_path / "workdirs" / "scanapp.sqlite3").is_file()
    created = requests.post(f"{server}/api/projects/", json={"name": "served"}, timeout=10)
    assert created.status_code == 201
    assert created.json()["url"] == f"{server}/api/projects/{created.json()['uuid']}/"


def test_serve_refuses_a_chunked_upload_over_the_limit(server, tmp_path):
    """No Content-Length (chunked): the limit still holds while the body streams in."""
    boundary = "scanappboundary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbig\r\n"
               f"--{boundary}\r\nContent-Disposition: form-data; name=\"upload_file\"; "
               f"filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
        for _ in range(4):
            yield b"x" * (512 * 1024)
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = requests.post(f"{server}/api/projects/", data=body(), headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json()["code"] == 413
    assert requests.get(f"{server}/api/projects/", timeout=10).json()["count"] == 0
    projects = tmp_path / "workdirs" / "projects"
    assert not projects.exists() or list(projects.iterdir()) == []


def test_errors_gunicorn_answers_itself_are_json(server):
    long_path = requests.get(f"{server}/api/projects/{'a' * 5000}/", timeout=10)
    assert long_path.status_code == 414
    assert long_path.headers["Content-Type"] == "application/json"
    assert long_path.json()["code"] == 414 and long_path.json()["message"]
    big_header = requests.get(f"{server}/api/projects/", headers={"X-Big": "b" * 9000},
                              timeout=10)
    assert big_header.status_code in (400, 431)
    assert big_header.json()["code"] == big_header.status_code


def test_serve_writes_an_access_log(server, tmp_path):
    assert requests.get(f"{server}/api/projects/?page=1", timeout=10).status_code == 200
    assert requests.get(f"{server}/api/nothing/", timeout=10).status_code == 404
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = (tmp_path / "serve.log").read_text()
        if "GET /api/nothing/ 404" in log:
            break
        time.sleep(0.1)
    assert "scanapp.access INFO GET /api/projects/?page=1 200 " in log
    assert "GET /api/nothing/ 404 " in log and "user=-" in log


def _worker_peak_rss_kb(master: int) -> int:
    """Return the peak RSS (VmHWM, kB) of the gunicorn worker of a master process."""
    children = [int(pid) for pid in os.listdir("/proc") if pid.isdigit()
                and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
                == str(master)]
    [worker] = children
    status = Path(f"/proc/{worker}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1])


def _project_with_file(server: str, tmp_path: Path, size: int) -> str:
    created = requests.post(f"{server}/api/projects/", json={"name": "big"}, timeout=10).json()
    [codebase] = (tmp_path / "workdirs" / "projects").glob("big-*/codebase")
    with open(codebase / "big.txt", "wb") as handle:
        block = b"scanapp " * (1024 * 128)
        for _ in range(size // len(block)):
            handle.write(block)
    return created["uuid"]


@pytest.mark.parametrize("server", [{"SCANAPP_FILE_CONTENT_MAX_SIZE": "300M"}], indirect=True)
def test_file_content_of_a_200_mib_file_streams_in_flat_memory(server, tmp_path):
    uuid = _project_with_file(server, tmp_path, 200 * 1024 * 1024)
    url = f"{server}/api/projects/{uuid}/file_content/?path=big.txt"
    requests.get(url.replace("big.txt", "missing.txt"), timeout=10)  # warm the worker up
    before = _worker_peak_rss_kb(server_pid[server])
    received, head = 0, b""
    with requests.get(url, stream=True, timeout=120) as response:
        assert response.status_code == 200
        for chunk in response.iter_content(1024 * 1024):
            head = (head + chunk[:40])[:40] if len(head) < 40 else head
            received += len(chunk)
    growth_mb = (_worker_peak_rss_kb(server_pid[server]) - before) / 1024
    assert head.startswith(b'{"file_content": "scanapp scanapp')
    assert received == 200 * 1024 * 1024 + len('{"file_content": ""}')
    assert growth_mb < 50, f"the web worker grew by {growth_mb:.0f} MB"


def test_file_content_over_the_limit_is_413_naming_the_download(server, tmp_path):
    uuid = _project_with_file(server, tmp_path, 11 * 1024 * 1024)
    response = requests.get(f"{server}/api/projects/{uuid}/file_content/?path=big.txt",
                            timeout=10)
    assert response.status_code == 413
    assert f"/api/projects/{uuid}/file_download/?path=big.txt" in response.json()["message"]
    download = requests.get(f"{server}/api/projects/{uuid}/file_download/?path=big.txt",
                            timeout=30)
    assert download.status_code == 200 and len(download.content) == 11 * 1024 * 1024


@pytest.fixture
def killed_copy(tmp_path):
    """What a server killed while storing an upload leaves: a work directory without a row."""
    folder = tmp_path / "workdirs" / "projects" / "killed-0a1b2c3d"
    (folder / "input").mkdir(parents=True)
    (folder / "input" / ".big.iso.0a1b2c3d.part").write_bytes(b"x" * 1024)
    old = time.time() - 3600
    for path in (folder / "input" / ".big.iso.0a1b2c3d.part", folder / "input", folder):
        os.utime(path, (old, old))
    return folder


def test_serve_removes_leftovers_of_a_killed_copy_at_start(killed_copy, server, tmp_path):
    assert not killed_copy.exists()
    assert f"Removed a leftover of an interrupted write: {killed_copy}" in (
        tmp_path / "serve.log").read_text()


def test_metrics_add_up_the_requests_of_every_web_worker(server):
    from prometheus_client.parser import text_string_to_metric_families

    for _ in range(3):
        assert requests.get(f"{server}/api/projects/", timeout=10).status_code == 200
    text = requests.get(f"{server}/metrics", timeout=10).text
    found = {family.name: family for family in text_string_to_metric_families(text)}
    [count] = [s.value for s in found["scanapp_http_request_duration_seconds"].samples
               if s.name.endswith("_count") and s.labels.get("route") == "/api/projects/"]
    assert count == 3 and "scanapp_runs" in found
