"""scan_for_virus with the real clamscan and a signature database made in the test."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from tests.conftest import skip_for_missing_service

EVIL = b"scanapp test payload: not a real virus, matched by a hash signature\n"
CLEAN = b"print('hello')\n"



@pytest.fixture(autouse=True)
def clamscan_installed():
    """Skip without clamscan (make test installs Debian's clamav); fail under CI=true."""
    if shutil.which("clamscan") is None:
        skip_for_missing_service("clamscan not installed (make test installs Debian's clamav)")


@pytest.fixture
def signatures(tmp_path):
    """A ClamAV .hdb database holding one MD5 signature: the EVIL content."""
    folder = tmp_path / "clamav-db"
    folder.mkdir()
    digest = hashlib.md5(EVIL).hexdigest()  # noqa: S324 - ClamAV's hash signature format
    (folder / "scanapp-test.hdb").write_text(f"{digest}:{len(EVIL)}:Scanapp.Test.Payload\n")
    return folder


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "suspect.zip"
    with zipfile.ZipFile(path, "w") as target:
        target.writestr("suspect/bin/payload.dat", EVIL)
        target.writestr("suspect/main.py", CLEAN)
        target.writestr("suspect/setup.py", "from setuptools import setup\nsetup(name='suspect')\n")
    return path


def scanapp(settings, *args, clamav_database):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(
        SCANAPP_WORKDIRS=str(settings.workdirs),
        SCANAPP_CLAMAV_DATABASE=str(clamav_database),
        SCANAPP_REDIS_URL="redis://127.0.0.1:1/0",
        SCANAPP_PROCESSES="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "scanapp", *args], env=env, capture_output=True, text=True,
        timeout=300,
    )


def test_virus_is_detected_reported_and_gates(settings, client, signatures, archive, tmp_path):
    report = tmp_path / "report.xlsx"
    result = scanapp(
        settings, "run", "inspect_packages", str(archive), "--pipeline", "scan_for_virus",
        "--format", "xlsx", "--output", str(report), "--fail-level", "ERROR", "--quiet",
        "--name", "suspect", clamav_database=signatures,
    )
    infected = "suspect.zip-extract/suspect/bin/payload.dat"
    assert result.returncode == 1, result.stderr
    assert f"infected_file {infected}" in result.stderr

    [project] = client.get("/api/projects/?name=suspect").get_json()["results"]
    runs = {run["pipeline_name"]: run["status"] for run in project["runs"]}
    assert runs == {"inspect_packages": "success", "scan_for_virus": "success"}
    base = f"/api/projects/{project['uuid']}"
    flagged = client.get(f"{base}/resources/?status=virus-detected").get_json()["results"]
    # ClamAV looks inside archives too: the zip holding the payload is flagged as well.
    assert sorted(item["path"] for item in flagged) == ["suspect.zip", infected]
    assert flagged[-1]["extra_data"]["virus_report"] == {
        "clamav": {"status": "FOUND", "signature": "Scanapp.Test.Payload.UNOFFICIAL"}
    }
    clean = client.get(f"{base}/resources/?path=suspect.zip-extract/suspect/main.py").get_json()
    assert clean["results"][0]["status"] != "virus-detected"
    errors = client.get(f"{base}/errors/").get_json()["results"]
    assert any(
        item["description"] == f"Virus detected in {infected}: Scanapp.Test.Payload.UNOFFICIAL"
        and item["details"]["resource_path"] == infected
        for item in errors
    ), errors
    compliance = client.get(f"{base}/compliance/?fail_level=ERROR").get_json()
    assert compliance["compliance_alerts"]["infected_files"] == {"error": ["suspect.zip", infected]}

    todos = load_workbook(report, read_only=True)["TODOS"]
    header, *rows = list(todos.values)
    paths = [dict(zip(header, row, strict=False))["path"] for row in rows]
    assert sorted(paths) == ["suspect.zip", infected]


def inspect_then_scan_for_virus(settings, archive, tmp_path, database):
    """Run inspect_packages then scan_for_virus on ``archive`` with a signature directory."""
    return scanapp(
        settings, "run", "inspect_packages", str(archive), "--pipeline", "scan_for_virus",
        "--quiet", "--output", str(tmp_path / "out.json"), clamav_database=database,
    )


def test_no_signature_database_fails_the_run_clearly(settings, archive, tmp_path):
    empty = tmp_path / "no-signatures"
    empty.mkdir()
    (empty / "freshclam.conf").write_text("# not a signature\n")
    result = inspect_then_scan_for_virus(settings, archive, tmp_path, empty)
    assert result.returncode == 1
    assert "pipeline scan_for_virus failed" in result.stderr
    assert f"No ClamAV signature database in {empty}: no signature file" in result.stderr


def test_missing_database_directory_is_named(settings, archive, tmp_path):
    missing = tmp_path / "nowhere"
    result = inspect_then_scan_for_virus(settings, archive, tmp_path, missing)
    assert result.returncode == 1
    assert f"No ClamAV signature database: {missing} is not a directory" in result.stderr


def test_scan_for_virus_alone_needs_a_collected_codebase(settings, signatures, archive, tmp_path):
    result = scanapp(
        settings, "run", "scan_for_virus", str(archive), "--quiet",
        "--output", str(tmp_path / "out.json"), clamav_database=signatures,
    )
    assert result.returncode == 1
    assert "run a pipeline that collects the codebase first" in result.stderr


def test_a_broken_signature_file_fails_the_run_with_clamscans_reason(settings, archive, tmp_path):
    broken = tmp_path / "broken-db"
    broken.mkdir()
    (broken / "bad.hdb").write_text("this is not a signature line\n")
    result = inspect_then_scan_for_virus(settings, archive, tmp_path, broken)
    assert result.returncode == 1
    assert "clamscan failed (exit 2)" in result.stderr and "bad.hdb" in result.stderr
