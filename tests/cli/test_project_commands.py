"""ScanCode.io's ``scanpipe`` project commands as scanapp commands, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scanapp import __version__
from scanapp.cli import cli
from tests.conftest import TEST_PIPELINES

COMMANDS = ("create-project", "batch-create", "add-input", "add-pipeline", "execute", "status",
            "show-pipeline", "list-pipelines", "list-project", "archive-project",
            "reset-project", "delete-project", "output", "check-compliance", "create-user")


@pytest.fixture
def scanapp(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(tmp_path / "workdirs"),
               SCANAPP_PIPELINES_DIRS=str(TEST_PIPELINES))

    def call(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "scanapp", *args], cwd=tmp_path, env={**env, **extra_env},
            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        )

    return call


@pytest.fixture
def demo(scanapp, tmp_path):
    """A project with one tagged input file and the do_nothing pipeline, not run yet."""
    (tmp_path / "a.txt").write_text("hello\n")
    result = scanapp("create-project", "demo", "--input-file", f"{tmp_path / 'a.txt'}:mytag",
                     "--pipeline", "do_nothing")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])  # in-process: help needs no subprocess
    assert result.exit_code == 0, result.output
    assert "Example" in result.output and f"scanapp {command}" in result.output


def test_version(scanapp):
    result = scanapp("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"scanapp, version {__version__}"


def test_add_pipeline_execute_status_and_show_pipeline(scanapp, demo):
    assert scanapp("add-pipeline", "--project", "demo", "with_groups:Foo").returncode == 0
    shown = scanapp("show-pipeline", "--project", demo)
    assert shown.stdout.splitlines() == [" [NOT_STARTED] do_nothing", " [NOT_STARTED] with_groups"]
    executed = scanapp("execute", "--project", "demo")
    assert executed.returncode == 0, executed.stderr
    assert "do_nothing successfully executed" in executed.stdout
    shown = scanapp("show-pipeline", "--project", "demo").stdout.splitlines()
    assert [line.split(" (")[0] for line in shown] == [" [SUCCESS] do_nothing",
                                                        " [SUCCESS] with_groups"]
    status = scanapp("status", "--project", "demo").stdout
    assert status.startswith("demo\n") and " - a.txt [source=uploaded]" in status
    assert "Step [step1] completed" in status
    again = scanapp("execute", "--project", "demo")
    assert again.returncode == 2 and "no pipeline to run" in again.stderr


def test_a_failed_run_exits_1(scanapp, demo):
    scanapp("add-pipeline", "--project", "demo", "raise_exception")
    result = scanapp("execute", "--project", "demo")
    assert result.returncode == 1
    assert "Error: pipeline raise_exception failed" in result.stderr


def test_add_input_with_tags_and_a_copied_codebase(scanapp, demo, tmp_path):
    (tmp_path / "b.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    source = tmp_path / "src"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "m.py").write_text("x = 1\n")
    result = scanapp("add-input", "--project", "demo", "--input-file", f"{tmp_path / 'b.zip'}:to",
                     "--copy-codebase", str(source))
    assert result.returncode == 0, result.stderr
    project_dir = next((tmp_path / "workdirs" / "projects").glob("demo-*"))
    assert sorted(path.name for path in (project_dir / "input").iterdir()) == ["a.txt", "b.zip"]
    assert (project_dir / "codebase" / "pkg" / "m.py").read_text() == "x = 1\n"
    missing = scanapp("add-input", "--project", "demo", "--input-file", "nope.zip")
    assert missing.returncode == 2 and "nope.zip" in missing.stderr


def test_an_unknown_project_exits_3_in_one_line(scanapp):
    for command in ("status", "show-pipeline", "execute", "delete-project"):
        extra = ["--no-input"] if command == "delete-project" else []
        result = scanapp(command, "--project", "nope", *extra)
        assert result.returncode == 3, (command, result.stderr)
        assert result.stderr.strip() == "Error: No project named or with uuid 'nope'."
    assert scanapp("output", "--project", "nope").returncode == 3


def test_list_project_search_and_archived(scanapp, demo):
    scanapp("create-project", "other")
    assert [line.split()[-1] for line in scanapp("list-project").stdout.splitlines()] == [
        "demo", "other"]
    assert scanapp("list-project", "--search", "DEM").stdout.split()[-1] == "demo"
    refused = scanapp("archive-project", "--project", "demo")
    assert refused.returncode == 2 and "--no-input" in refused.stderr
    archived = scanapp("archive-project", "--project", "demo", "--no-input", "--remove-input")
    assert archived.returncode == 0, archived.stderr
    assert scanapp("list-project").stdout.split()[-1] == "other"
    listed = scanapp("list-project", "--include-archived", "--json").stdout.splitlines()
    assert {json.loads(line)["name"] for line in listed} == {"demo", "other"}
    assert scanapp("delete-project", "--project", "demo", "--no-input").returncode == 0
    assert scanapp("list-project", "--include-archived").stdout.split()[-1] == "other"


def test_reset_project_restores_and_reruns(scanapp, demo, tmp_path):
    assert scanapp("execute", "--project", "demo").returncode == 0
    result = scanapp("reset-project", "--project", "demo", "--no-input", "--restore-pipelines")
    assert result.returncode == 0, result.stderr
    assert scanapp("show-pipeline", "--project", "demo").stdout == " [NOT_STARTED] do_nothing\n"
    project_dir = next((tmp_path / "workdirs" / "projects").glob("demo-*"))
    assert [path.name for path in (project_dir / "input").iterdir()] == ["a.txt"]
    assert scanapp("execute", "--project", "demo").returncode == 0
    scanapp("reset-project", "--project", "demo", "--no-input", "--remove-input")
    assert scanapp("show-pipeline", "--project", "demo").stdout == ""
    assert list((project_dir / "input").iterdir()) == []


def test_batch_create_from_a_directory_and_a_list(scanapp, tmp_path):
    folder = tmp_path / "dists"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("1")
    (folder / "sub" / "two.txt").write_text("2")
    listing = tmp_path / "list.csv"
    listing.write_text("project_name,input_urls\nremote,\"https://example.com/a.zip,"
                       "https://example.com/b.zip\"\n")
    result = scanapp("batch-create", "--input-directory", str(folder), "--input-list",
                     str(listing), "--project-name-suffix", "v1", "--pipeline", "do_nothing",
                     "--execute")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("3 projects created.")
    names = [line.split(None, 3)[-1] for line in scanapp("list-project").stdout.splitlines()]
    assert sorted(names) == ["one.txt v1", "remote v1", "two.txt v1"]
    shown = scanapp("show-pipeline", "--project", "one.txt v1").stdout
    assert shown.startswith(" [SUCCESS] do_nothing")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,url\n")
    refused = scanapp("batch-create", "--input-list", str(bad))
    assert refused.returncode == 2 and "project_name and input_urls" in refused.stderr


def test_output_and_check_compliance_take_project_as_scancodeio_does(scanapp, demo):
    scanapp("execute", "--project", "demo")
    printed = scanapp("output", "--project", "demo", "--format", "json", "--print")
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["headers"][0]["uuid"] == demo
    assert scanapp("check-compliance", "--project", demo).returncode == 0
    both = scanapp("output", "demo", "--project", "demo")
    assert both.returncode == 2 and "once" in both.stderr


def test_an_unexpected_error_is_one_line_unless_verbose(scanapp):
    broken = {"SCANAPP_DATABASE_URL": "postgresql://scanapp@127.0.0.1:1/none"}
    result = scanapp("list-project", **broken)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "OperationalError" in result.stderr
    verbose = scanapp("--verbose", "list-project", **broken)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr
