"""A real scan_single_package of the requests 2.32.3 sdist (one scan shared by the module)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
    RunStatus,
)
from scanapp.services import records
from scanapp.workdir import workdir_for
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline

ROOT = "requests-2.32.3"


@pytest.fixture(scope="module")
def scanned(scan_settings):
    project, run = run_pipeline(
        "requests", "scan_single_package", uploads=[DATA_DIR / "requests-2.32.3.tar.gz"]
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
    assert api.status == "application-package" and len(api.sha1) == 40 and api.is_text


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
    assert statuses == {"application-package"}  # every file of the package, as ScanCode.io
    assert run.progress["done"] == run.progress["total"] > 50


def test_summary_as_scancode_computes_it(scanned):
    project, _ = scanned
    summary = records.summary(project.uuid)
    # The figures of `scancode -clpieu --classify --summary --license-clarity-score` on it.
    assert summary["declared_license_expression"] == "apache-2.0"
    assert summary["license_clarity_score"] == {
        "score": 100,
        "declared_license": True,
        "identification_precision": True,
        "has_license_text": True,
        "declared_copyrights": True,
        "conflicting_license_categories": False,
        "ambiguous_compound_licensing": False,
    }
    assert summary["declared_holder"] == "Kenneth Reitz"
    assert summary["primary_language"] == "Python"
    assert {"value": "mit", "count": 1} in summary["other_license_expressions"]


def test_summary_key_files(scanned):
    project, _ = scanned
    summary = records.summary(project.uuid)
    files = {item["path"]: item for item in summary["key_files"]}
    assert {f"{ROOT}/LICENSE", f"{ROOT}/NOTICE", f"{ROOT}/README.md"} <= set(files)
    assert "Apache License" in files[f"{ROOT}/LICENSE"]["content"]
    assert [item["purl"] for item in summary["key_files_packages"]] == ["pkg:pypi/requests@2.32.3"]
    [detection] = summary["license_matches"]["apache-2.0"][f"{ROOT}/LICENSE"]
    assert detection["license_expression"] == "apache-2.0"
    assert "Apache License" in detection["matches"][0]["matched_text"]
    assert workdir_for(project.slug).summary_file.is_file()  # output/summary.json


def test_summary_endpoint(scanned):
    from scanapp.api import create_app

    project, _ = scanned
    client = create_app({"TESTING": True}).test_client()
    response = client.get(f"/api/projects/{project.uuid}/summary/")
    assert response.status_code == 200
    assert response.json["license_clarity_score"]["score"] == 100
    assert response.json["declared_license_expression"] == "apache-2.0"
    missing = client.get("/api/projects/00000000-0000-4000-8000-000000000000/summary/")
    assert missing.status_code == 404


def test_summary_missing_is_404(scan_settings):
    from scanapp.api import create_app
    from scanapp.services.projects import ProjectRequest, create_project

    project = create_project(ProjectRequest(name="no-summary"))
    response = create_app({"TESTING": True}).test_client().get(
        f"/api/projects/{project.uuid}/summary/"
    )
    assert response.status_code == 404
    assert response.json["status"] == "Summary file not available"


def test_single_package_without_input_fails_clearly(scan_settings):
    project, run = run_pipeline("no-input", "scan_single_package")
    assert run.status == RunStatus.FAILURE
    expected = "The scan_single_package pipeline needs exactly 1 input(s); the project has 0."
    assert expected in run.task_output
    messages = _all(ProjectMessage, project)
    assert [message.description for message in messages] == [expected]


def test_single_package_refuses_two_inputs(scan_settings, tmp_path):
    from scanapp.errors import InvalidInputError
    from scanapp.services.projects import ProjectRequest, create_project

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    request = ProjectRequest(
        name="two-inputs",
        uploads=[(tmp_path / "a.txt", ""), (tmp_path / "b.txt", "")],
        pipelines=["scan_single_package"],
    )
    with pytest.raises(InvalidInputError, match="at most 1 input"):
        create_project(request)


@pytest.mark.parametrize(
    ("fmt", "version"),
    [("json", ""), ("xlsx", ""), ("spdx", "2.3"), ("spdx", "2.2"), ("cyclonedx", "1.6"),
     ("cyclonedx", "1.4"), ("attribution", "")],
)
def test_every_output_of_the_real_scan(scanned, fmt, version):
    import json

    from openpyxl import load_workbook

    from scanapp.services import outputs
    from tests.reports.validators import cyclonedx_error, spdx_errors

    project, _ = scanned
    path = outputs.write_output(project.uuid, fmt, version=version or None)
    if fmt == "json":
        document = json.loads(path.read_text())
        assert document["packages"][0]["purl"] == "pkg:pypi/requests@2.32.3"
        assert len(document["files"]) > 50 and document["dependencies"]
    elif fmt == "xlsx":
        workbook = load_workbook(path, read_only=True)
        assert workbook.sheetnames[:3] == ["PACKAGES", "DEPENDENCIES", "RESOURCES"]
        packages = list(workbook["PACKAGES"].values)
        assert packages[1][packages[0].index("purl")] == "pkg:pypi/requests@2.32.3"
    elif fmt == "spdx":
        assert spdx_errors(path, version) == []
        names = {package["name"] for package in json.loads(path.read_text())["packages"]}
        assert "requests" in names
    elif fmt == "cyclonedx":
        assert cyclonedx_error(path.read_text(), version) is None
        document = json.loads(path.read_text())
        requests = next(c for c in document["components"] if c["name"] == "requests")
        assert requests["licenses"] == [{"expression": "Apache-2.0"}]
        graph = {entry["ref"]: entry.get("dependsOn", []) for entry in document["dependencies"]}
        assert len(graph[requests["bom-ref"]]) >= 4  # unresolved requirements kept
    else:
        html = path.read_text()
        assert "requests" in html and "Apache License" in html
