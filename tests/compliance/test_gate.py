"""The CI gate on a real scan: ``scanapp run --fail-level`` and ``scanapp check-compliance``.

One real scan of requests 2.32.3 (declared apache-2.0), as subprocesses on a temporary workdirs;
the policies file is switched between the commands.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parents[1] / "data"
ROOT = "requests-2.32.3"
ERROR_POLICY = """\
license_policies:
  - license_key: apache-2.0
    label: Prohibited License
    compliance_alert: error
"""
OK_POLICY = """\
license_policies:
  - license_key: Apache-2.0
    label: Approved License
    compliance_alert: ''
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """Call ``scanapp`` in a subprocess with one of the policy files (by name)."""
    base = tmp_path_factory.mktemp("gate")
    files = {"error": ERROR_POLICY, "ok": OK_POLICY, "invalid": "license_policies:\n  - x: 1\n"}
    for name, text in files.items():
        (base / f"{name}.yml").write_text(text)
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(
        SCANAPP_WORKDIRS=str(base / "workdirs"),
        SCANAPP_PROCESSES="2",
        SCANAPP_REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    def call(*args: str, policy: str) -> subprocess.CompletedProcess:
        policies_file = str(base / f"{policy}.yml") if policy != "absent" else "absent.yml"
        return subprocess.run(
            [sys.executable, "-m", "scanapp", *args], cwd=base,
            env={**env, "SCANAPP_POLICIES_FILE": policies_file},
            capture_output=True, text=True, timeout=600,
        )

    call.base = base
    return call


@pytest.fixture(scope="module")
def scanned(cli):
    """Scan once with ``scanapp run --fail-level ERROR`` under the error policy."""
    output = cli.base / "requests.json"
    result = cli("run", "scan_single_package", str(DATA_DIR / "requests-2.32.3.tar.gz"),
                 "--name", "requests", "--output", str(output), "--quiet",
                 "--fail-level", "error", policy="error")
    return result, output


def test_run_with_fail_level_exits_1_after_writing_the_output(scanned):
    result, output = scanned
    assert result.returncode == 1, result.stderr
    assert "compliance error: package pkg:pypi/requests@2.32.3" in result.stderr
    assert f"compliance error: resource {ROOT}/LICENSE" in result.stderr
    assert "Compliance alerts reach the ERROR level." in result.stderr
    data = json.loads(output.read_text())
    [package] = data["packages"]
    assert package["declared_license_expression"] == "apache-2.0"
    assert package["compliance_alert"] == "error"
    files = {item["path"]: item for item in data["files"]}
    assert files[f"{ROOT}/LICENSE"]["compliance_alert"] == "error"


def test_check_compliance_with_the_license_as_error_exits_1(cli, scanned):
    result = cli("check-compliance", "requests", "--fail-level", "ERROR", policy="error")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "error\tpackage\tpkg:pypi/requests@2.32.3"
    assert f"error\tresource\t{ROOT}/LICENSE" in lines
    assert all(line.startswith("error\t") for line in lines)
    assert f"{len(lines)} compliance alert(s) reach the ERROR level." in result.stderr


def test_check_compliance_with_the_license_ok_exits_0(cli, scanned):
    result = cli("check-compliance", "requests", "--fail-level", "error", policy="ok")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "No compliance alert reaches the ERROR level." in result.stderr
    # Other licenses found in the sources (mit) have no policy: missing, reported at MISSING.
    missing = cli("check-compliance", "requests", "--fail-level", "MISSING", policy="ok")
    assert missing.returncode == 1
    assert missing.stdout and all(
        line.startswith("missing\tresource\t") for line in missing.stdout.splitlines())


def test_check_compliance_by_uuid_and_errors(cli, scanned):
    listed = cli("list-projects", "--json", policy="ok")
    [project] = [json.loads(line) for line in listed.stdout.splitlines()]
    by_uuid = cli("check-compliance", project["uuid"], policy="error")
    assert by_uuid.returncode == 1 and "pkg:pypi/requests@2.32.3" in by_uuid.stdout
    unknown = cli("check-compliance", "nope", policy="ok")
    assert unknown.returncode == 3 and "No project named or with uuid 'nope'" in unknown.stderr
    invalid = cli("check-compliance", "requests", policy="invalid")
    assert invalid.returncode == 2
    assert "line 2 (license_policies[0].x): unknown key 'x'" in invalid.stderr
    bad_level = cli("check-compliance", "requests", "--fail-level", "FATAL", policy="ok")
    assert bad_level.returncode == 2 and "FATAL" in bad_level.stderr


def test_serve_refuses_an_invalid_policies_file(cli):
    result = cli("serve", "--port", str(closed_port()), policy="invalid")
    assert result.returncode == 2  # invalid policies: docs/cli.md
    assert "invalid.yml: line 2 (license_policies[0].x): unknown key 'x'" in result.stderr
    absent = cli("serve", "--port", str(closed_port()), policy="absent")
    assert absent.returncode == 2
    assert "SCANAPP_POLICIES_FILE=absent.yml: no such file" in absent.stderr
