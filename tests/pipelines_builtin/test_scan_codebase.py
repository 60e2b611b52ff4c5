"""A real scan_codebase run on flask's own tutorial project (flaskr, from the flask sdist).

Checked against ScanCode.io's scan_codebase: package manifests are parsed, not license
scanned; directories are ``scanned``; VCS files such as ``.gitignore`` join their package.
"""

from __future__ import annotations

import tarfile

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredPackage, RunStatus
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings  # noqa: F401

TUTORIAL = "flask-3.1.0/examples/tutorial"
ROOT = f"flaskr.tar.gz-extract/{TUTORIAL}"


@pytest.fixture(scope="module")
def scanned(scan_settings, tmp_path_factory):  # noqa: F811 - the imported fixture
    archive = tmp_path_factory.mktemp("flaskr") / "flaskr.tar.gz"
    with tarfile.open(DATA_DIR / "flask-3.1.0.tar.gz") as source, \
            tarfile.open(archive, "w:gz") as target:
        for member in source.getmembers():
            if member.name.startswith(f"{TUTORIAL}/") and member.isfile():
                target.addfile(member, source.extractfile(member))
    project, run = run_pipeline("flaskr", "scan_codebase", uploads=[archive])
    assert run.status == RunStatus.SUCCESS, run.task_output
    with db.session_scope() as session:
        rows = session.exec(
            select(CodebaseResource).where(CodebaseResource.project_id == project.id)
        ).all()
        packages = session.exec(
            select(DiscoveredPackage).where(DiscoveredPackage.project_id == project.id)
        ).all()
    return {row.path: row for row in rows}, packages


def test_the_manifest_is_parsed_not_license_scanned(scanned):
    files, packages = scanned
    assert [package.purl for package in packages] == ["pkg:pypi/flaskr@1.0.0"]
    manifest = files[f"{ROOT}/pyproject.toml"]
    assert manifest.status == "application-package"
    assert manifest.package_data and manifest.package_data[0]["name"] == "flaskr"
    assert manifest.license_detections == []
    assert manifest.detected_license_expression == ""


def test_the_other_files_are_scanned_for_licenses(scanned):
    files, _ = scanned
    assert files[f"{ROOT}/LICENSE.txt"].detected_license_expression == "bsd-new"
    assert files[f"{ROOT}/LICENSE.txt"].status == "scanned"
    assert files[f"{ROOT}/LICENSE.txt"].is_legal


def test_directories_are_scanned(scanned):
    files, _ = scanned
    statuses = {row.status for row in files.values() if row.type == "directory"}
    assert statuses == {"scanned"}
    assert {row.status for row in files.values() if row.type == "file"} <= {
        "scanned", "application-package"
    }


def test_vcs_files_join_their_package(scanned):
    files, packages = scanned
    uid = packages[0].package_uid
    assert files[f"{ROOT}/.gitignore"].for_packages == [uid]
    assert files[f"{ROOT}/flaskr/auth.py"].for_packages == [uid]
