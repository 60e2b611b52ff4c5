"""A real scan of the requests 2.32.3 sdist (one scan shared by the module)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, RunStatus
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline

ROOT = "requests-2.32.3.tar.gz-extract/requests-2.32.3"


@pytest.fixture(scope="module")
def scanned(scan_settings):
    project, run = run_pipeline(
        "requests", "scan_codebase", uploads=[DATA_DIR / "requests-2.32.3.tar.gz"]
    )
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project, run


def _all(model, project, *where):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id, *where)).all()


def test_package_with_declared_license(scanned):
    project, _ = scanned
    packages = _all(DiscoveredPackage, project)
    assert [package.purl for package in packages] == ["pkg:pypi/requests@2.32.3"]
    package = packages[0]
    assert package.declared_license_expression == "apache-2.0"
    assert package.declared_license_expression_spdx == "Apache-2.0"
    assert f"{ROOT}/PKG-INFO" in package.datafile_paths
    assert package.type == "pypi" and package.name == "requests" and package.version == "2.32.3"


def test_dependencies_with_scope_and_datafile(scanned):
    project, _ = scanned
    package = _all(DiscoveredPackage, project)[0]
    dependencies = {dep.purl: dep for dep in _all(DiscoveredDependency, project)}
    pytest_dep = dependencies["pkg:pypi/pytest"]
    assert pytest_dep.scope == "development"
    assert pytest_dep.datafile_path == f"{ROOT}/requirements-dev.txt"
    assert pytest_dep.extracted_requirement == "pytest>=2.8.0,<9"
    assert pytest_dep.for_package_uid == package.package_uid
    assert pytest_dep.name == "pytest" and pytest_dep.package_type == "pypi"


def test_resources_linked_to_package(scanned):
    project, _ = scanned
    package = _all(DiscoveredPackage, project)[0]
    api = _all(CodebaseResource, project, CodebaseResource.path == f"{ROOT}/src/requests/api.py")[0]
    assert api.for_packages == [package.package_uid]
    assert api.programming_language == "Python"
    assert api.status == "scanned" and len(api.sha1) == 40 and api.is_text


def test_copyright_holders_in_named_file(scanned):
    project, _ = scanned
    notice = _all(CodebaseResource, project, CodebaseResource.path == f"{ROOT}/NOTICE")[0]
    assert [holder["holder"] for holder in notice.holders] == ["Kenneth Reitz"]
    assert notice.is_legal and notice.is_key_file
    license_file = _all(CodebaseResource, project, CodebaseResource.path == f"{ROOT}/LICENSE")[0]
    assert license_file.detected_license_expression == "apache-2.0"


def test_statuses_and_progress(scanned):
    project, run = scanned
    statuses = {
        row.status for row in _all(CodebaseResource, project, CodebaseResource.type == "file")
    }
    assert statuses == {"scanned", "application-package", "ignored-empty-file"}
    assert run.progress["done"] == run.progress["total"] > 50
