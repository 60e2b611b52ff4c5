"""`scanapp serve`: the production server (gunicorn) in a subprocess, on a temporary SQLite."""

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


@pytest.fixture
def server(tmp_path):
    """Start ``scanapp serve`` on a free port; yield its base URL; terminate it after."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(tmp_path / "workdirs"), SCANAPP_MAX_UPLOAD_SIZE="1M")
    log = (tmp_path / "serve.log").open("w+")
    command = [*scanapp_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"{base}/api/openapi.json", timeout=2)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    if process.poll() is not None or time.monotonic() >= deadline:
        process.kill()
        log.seek(0)
        pytest.fail(f"scanapp serve did not start:\n{log.read()}")
    yield base
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


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
