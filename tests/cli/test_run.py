"""``scanapp run``: the one-shot scan, as a real subprocess, with no Redis reachable."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import TEST_PIPELINES


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scanapp(tmp_path):
    """Run ``scanapp`` in a subprocess on a fresh workdirs, Redis pointing at a closed port."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")
    }
    env.update(
        SCANAPP_WORKDIRS=str(tmp_path / "workdirs"),
        SCANAPP_PIPELINES_DIRS=str(TEST_PIPELINES),
        SCANAPP_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    def call(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "scanapp", *args], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=300,
        )

    return call


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "hello.py"
    path.write_text("print('hello')\n")
    return path


def test_run_writes_json_to_stdout_without_redis(scanapp, input_file):
    result = scanapp("run", "do_nothing", str(input_file))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    [header] = data["headers"]
    assert [run["pipeline_name"] for run in header["runs"]] == ["do_nothing"]
    assert header["runs"][0]["status"] == "success"
    assert "[do_nothing] success" in result.stderr


def test_run_chains_pipelines_with_groups_and_writes_a_file(scanapp, input_file, tmp_path):
    target = tmp_path / "out.json"
    result = scanapp("run", "do_nothing", str(input_file), "--pipeline", "with_groups:Foo",
                     "--output", str(target), "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    runs = json.loads(target.read_text())["headers"][0]["runs"]
    assert [(run["pipeline_name"], run["status"]) for run in runs] == [
        ("do_nothing", "success"), ("with_groups", "success")]
    assert "foo ran" in runs[1]["log"] and "bar ran" not in runs[1]["log"]


def test_failing_pipeline_exits_1_with_the_error(scanapp, input_file):
    result = scanapp("run", "raise_exception", str(input_file), "--pipeline", "do_nothing")
    assert result.returncode == 1
    assert "pipeline raise_exception failed: ValueError: Error message" in result.stderr
    assert result.stdout == ""


def test_bad_arguments_are_clear_errors(scanapp, tmp_path):
    missing = scanapp("run", "do_nothing", str(tmp_path / "missing.zip"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr
    unknown = scanapp("run", "nope", str(tmp_path))
    assert unknown.returncode == 1 and "'nope' is not a valid pipeline" in unknown.stderr
    groups = scanapp("run", "with_groups:Nope", str(tmp_path))
    assert groups.returncode == 1 and "Unknown group(s) Nope" in groups.stderr


def test_local_directory_input_with_tag(scanapp, tmp_path):
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "a.py").write_text("x = 1\n")
    result = scanapp("run", "do_nothing", f"{source}#from", "--quiet")
    assert result.returncode == 0, result.stderr
    [header] = json.loads(result.stdout)["headers"]
    [source_info] = header["input_sources"]
    assert source_info["filename"] == "src" and source_info["tag"] == "from"


def test_an_output_that_cannot_be_written_is_refused_before_the_scan(scanapp, input_file, tmp_path):
    for output in (str(tmp_path / "missing" / "x.json"), str(tmp_path)):
        result = scanapp("run", "do_nothing", str(input_file), "--output", output)
        assert result.returncode == 2, result.stderr
        assert "--output" in result.stderr
    assert not (tmp_path / "workdirs").exists()  # nothing was created, let alone scanned
