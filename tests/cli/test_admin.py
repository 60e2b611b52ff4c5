"""Administration commands as real subprocesses: migrate, create-project, list-projects, --help."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

COMMANDS = ("serve", "migrate", "create-user", "create-project", "list-projects", "worker",
            "run", "output", "check-compliance")


@pytest.fixture
def scanapp(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env["SCANAPP_WORKDIRS"] = str(tmp_path / "workdirs")

    def call(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "scanapp", *args], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120,
        )

    return call


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(scanapp, command):
    result = scanapp(command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: python -m scanapp {command}")


def test_migrate_then_create_and_list_projects(scanapp, tmp_path):
    assert scanapp("migrate").stdout.strip() == "Database is up to date."
    source = tmp_path / "pkg-1.0.tar.gz"
    source.write_bytes(b"not really a tarball")
    result = scanapp(
        "create-project", "demo", "--input-file", str(source),
        "--input-url", "https://example.com/other.zip#to", "--pipeline", "scan_codebase",
        "--label", "audit", "--notes", "first",
    )
    assert result.returncode == 0, result.stderr
    uuid = result.stdout.split()[-1]
    [listed] = [json.loads(line) for line in scanapp("list-projects", "--json").stdout.splitlines()]
    assert (listed["uuid"], listed["name"]) == (uuid, "demo")
    assert uuid in scanapp("list-projects").stdout
    inputs = list((tmp_path / "workdirs" / "projects").glob("demo-*/input/*"))
    assert [path.name for path in inputs] == ["pkg-1.0.tar.gz"]


def test_create_project_refuses_an_unknown_pipeline_and_stores_nothing(scanapp):
    result = scanapp("create-project", "bad", "--pipeline", "nope")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and "nope" in result.stderr
    assert scanapp("list-projects", "--json").stdout == ""
