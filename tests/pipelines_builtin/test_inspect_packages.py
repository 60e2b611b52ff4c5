"""A real inspect_packages run on the requests 2.32.3 sdist: manifests only, no license scan."""

from __future__ import annotations

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, RunStatus
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline

ROOT = "requests-2.32.3.tar.gz-extract/requests-2.32.3"


@pytest.fixture(scope="module")
def inspected(scan_settings):
    project, run = run_pipeline(
        "requests-inspect", "inspect_packages", uploads=[DATA_DIR / "requests-2.32.3.tar.gz"]
    )
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project, run


def _all(model, project, *where):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id, *where)).all()


def test_package_from_manifests(inspected):
    project, _ = inspected
    packages = _all(DiscoveredPackage, project)
    assert [package.purl for package in packages] == ["pkg:pypi/requests@2.32.3"]
    package = packages[0]
    assert package.datafile_paths == [f"{ROOT}/PKG-INFO"]
    # The declared license comes from the manifest itself, not from a file scan.
    assert package.declared_license_expression == "apache-2.0"


def test_dependencies_with_scope_and_datafile_path(inspected):
    project, _ = inspected
    package = _all(DiscoveredPackage, project)[0]
    rows = _all(DiscoveredDependency, project)
    dependencies = {(dep.purl, dep.datafile_path): dep for dep in rows}
    pytest_dep = dependencies[("pkg:pypi/pytest", f"{ROOT}/requirements-dev.txt")]
    assert pytest_dep.scope == "development"
    assert pytest_dep.extracted_requirement == "pytest>=2.8.0,<9"
    assert pytest_dep.for_package_uid == package.package_uid
    # What `scancode -p` finds in this sdist, plus the install requirements of its PKG-INFO
    # that the toolkit's sdist assembly leaves out (docs/fidelity.md).
    assert sorted(purl for purl, _ in dependencies) == [
        "pkg:pypi/certifi",
        "pkg:pypi/chardet",
        "pkg:pypi/charset-normalizer",
        "pkg:pypi/httpbin",
        "pkg:pypi/idna",
        "pkg:pypi/pysocks",
        "pkg:pypi/pytest",
        "pkg:pypi/pytest-cov",
        "pkg:pypi/pytest-httpbin@2.0.0",
        "pkg:pypi/trustme",
        "pkg:pypi/urllib3",
        "pkg:pypi/wheel",
    ]
    assert dependencies[("pkg:pypi/urllib3", f"{ROOT}/PKG-INFO")].scope == "install"
    assert dependencies[("pkg:pypi/urllib3", f"{ROOT}/PKG-INFO")].is_runtime
    assert dependencies[("pkg:pypi/pysocks", f"{ROOT}/PKG-INFO")].is_optional
    assert {dep.scope for path, dep in dependencies.items()
            if path[1].endswith("requirements-dev.txt")} == {"development"}
    pinned = dependencies[("pkg:pypi/pytest-httpbin@2.0.0", f"{ROOT}/requirements-dev.txt")]
    assert pinned.is_pinned and pinned.version == "2.0.0"


def test_only_manifests_scanned_and_no_license_detection(inspected):
    project, _ = inspected
    files = _all(CodebaseResource, project, CodebaseResource.type == "file")
    with_status = {row.path for row in files if row.status not in ("", "ignored-empty-file")}
    packaged = {row.path for row in files if row.package_data}
    assert with_status == packaged
    assert {row.status for row in files if row.path in packaged} == {"application-package"}
    assert f"{ROOT}/setup.py" in packaged and f"{ROOT}/src/requests/api.py" not in with_status
    assert all(not row.detected_license_expression and not row.license_detections for row in files)
    assert all(not row.copyrights and not row.urls for row in files)


def test_every_file_has_its_file_information(inspected):
    project, _ = inspected
    rows = _all(CodebaseResource, project, CodebaseResource.type == "file")
    files = {row.path: row for row in rows}
    license_file = files[f"{ROOT}/LICENSE"]
    assert license_file.status == ""
    assert len(license_file.sha1) == 40 and len(license_file.sha256) == 64
    assert license_file.sha1_git and license_file.mime_type == "text/plain"
    assert files[f"{ROOT}/src/requests/api.py"].programming_language == "Python"
    assert all(row.sha1 for row in files.values() if row.size)


def test_files_linked_to_package(inspected):
    project, _ = inspected
    package = _all(DiscoveredPackage, project)[0]
    api = _all(CodebaseResource, project, CodebaseResource.path == f"{ROOT}/src/requests/api.py")
    assert api[0].for_packages == [package.package_uid]


def test_top_level_manifest_upload(scan_settings, tmp_path):
    manifest = tmp_path / "package.json"
    manifest.write_text(
        '{"name": "demo-app", "version": "1.0.0", "license": "MIT",'
        ' "dependencies": {"left-pad": "^1.3.0"}, "devDependencies": {"mocha": "10.0.0"}}'
    )
    project, run = run_pipeline("npm-inspect", "inspect_packages", uploads=[manifest])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert [package.purl for package in _all(DiscoveredPackage, project)] == [
        "pkg:npm/demo-app@1.0.0"
    ]
    dependencies = {dep.purl: dep for dep in _all(DiscoveredDependency, project)}
    assert dependencies["pkg:npm/left-pad"].scope == "dependencies"
    assert dependencies["pkg:npm/mocha"].scope == "devDependencies"
    assert dependencies["pkg:npm/mocha"].extracted_requirement == "10.0.0"
    assert {dep.datafile_path for dep in dependencies.values()} == {"package.json"}


def test_a_second_scan_of_a_collected_codebase_fails_clearly(scan_settings, tmp_path):
    import tarfile

    from scanapp.models import CodebaseResource, ProjectMessage, Run
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process, project_runs

    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "package.json").write_text('{"name": "twice", "version": "1.0"}')
    archive = tmp_path / "twice.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="pkg")
    project = create_project(ProjectRequest(name="twice", uploads=[(archive, "")],
                                            pipelines=["inspect_packages", "inspect_packages"]))
    first, second = project_runs(project.id)
    assert execute_in_process(first.id) == 0
    with db.session_scope() as session:
        collected = len(session.exec(select(CodebaseResource).where(
            CodebaseResource.project_id == project.id)).all())
    assert execute_in_process(second.id) == 1
    with db.session_scope() as session:
        run = session.get(Run, second.id)
        messages = session.exec(select(ProjectMessage.description).where(
            ProjectMessage.project_id == project.id)).all()
        still = len(session.exec(select(CodebaseResource).where(
            CodebaseResource.project_id == project.id)).all())
    assert "already collected by an earlier run" in run.task_output
    assert "IntegrityError" not in run.task_output
    assert any("reset the project" in text for text in messages)
    assert still == collected
