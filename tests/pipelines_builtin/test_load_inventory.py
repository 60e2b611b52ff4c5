"""load_inventory on a real ``scancode -clpieu`` scan of requests 2.32.3, and on scanapp JSON.

One scancode-toolkit run per module (about 25 s), loaded once; the round trip renders the
loaded project as scanapp JSON and loads that into another project.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from scanapp import db
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    Project,
    ProjectMessage,
    RunStatus,
)
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline

ROOT = "requests-2.32.3"
SCANCODE = Path(sys.executable).parent / "scancode"


@pytest.fixture(scope="module")
def toolkit_scan(tmp_path_factory) -> Path:
    """A real ScanCode toolkit JSON scan of the extracted requests sdist."""
    folder = tmp_path_factory.mktemp("toolkit")
    with tarfile.open(DATA_DIR / "requests-2.32.3.tar.gz") as archive:
        archive.extractall(folder / "src", filter="data")
    result = folder / "requests-scan.json"
    subprocess.run(
        [str(SCANCODE), "-clpieu", "--json", str(result), "-n", "2", "--quiet", ROOT],
        cwd=folder / "src",
        check=True,
        timeout=600,
    )
    return result


@pytest.fixture(scope="module")
def scan_data(toolkit_scan) -> dict:
    return json.loads(toolkit_scan.read_bytes())


@pytest.fixture(scope="module")
def loaded(scan_settings, toolkit_scan):
    project, run = run_pipeline("inventory", "load_inventory", uploads=[toolkit_scan])
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project, run


def _all(model, project, *where):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id, *where)).all()


def _count(model, project) -> int:
    with db.session_scope() as session:
        return session.execute(
            select(sa.func.count()).where(model.project_id == project.id)
        ).scalar_one()


def test_counts_reproduce_the_scan(loaded, scan_data):
    project, run = loaded
    assert len(scan_data["files"]) > 90
    assert _count(CodebaseResource, project) == len(scan_data["files"])
    assert _count(DiscoveredPackage, project) == len(scan_data["packages"]) == 1
    assert _count(DiscoveredDependency, project) == len(scan_data["dependencies"]) == 6
    assert run.progress["done"] == run.progress["total"] == len(scan_data["files"])
    assert _all(ProjectMessage, project) == []


def test_package_and_dependencies(loaded, scan_data):
    project, _ = loaded
    package = _all(DiscoveredPackage, project)[0]
    assert package.purl == "pkg:pypi/requests@2.32.3"
    assert package.declared_license_expression == "apache-2.0"
    assert package.package_uid == scan_data["packages"][0]["package_uid"]
    assert package.datafile_paths == [f"{ROOT}/PKG-INFO"]
    dependency = _all(
        DiscoveredDependency, project, DiscoveredDependency.purl == "pkg:pypi/pytest"
    )[0]
    assert dependency.scope == "development"
    assert dependency.datafile_path == f"{ROOT}/requirements-dev.txt"
    assert dependency.for_package_uid == package.package_uid
    assert dependency.name == "pytest" and dependency.type == "pypi"


def test_resources_keep_licenses_copyrights_and_links(loaded):
    project, _ = loaded
    package = _all(DiscoveredPackage, project)[0]
    by_path = {row.path: row for row in _all(CodebaseResource, project)}
    license_file = by_path[f"{ROOT}/LICENSE"]
    assert license_file.detected_license_expression == "apache-2.0"
    assert license_file.license_detections[0]["license_expression"] == "apache-2.0"
    assert license_file.is_legal and license_file.status == "scanned"
    assert [holder["holder"] for holder in by_path[f"{ROOT}/NOTICE"].holders] == ["Kenneth Reitz"]
    api = by_path[f"{ROOT}/src/requests/api.py"]
    assert api.for_packages == [package.package_uid]
    assert api.programming_language == "Python" and len(api.sha1) == 40
    assert api.extra_data["is_source"] is True
    assert by_path[f"{ROOT}/PKG-INFO"].status == "application-package"
    assert by_path[f"{ROOT}/src"].type == "directory" and by_path[f"{ROOT}/src"].status == ""


def test_scan_recorded_on_project(loaded):
    project, _ = loaded
    with db.session_scope() as session:
        record = session.get(Project, project.id).extra_data["loaded_inventories"][0]
    assert record["tool_name"] == "scancode-toolkit"
    assert record["filename"] == "requests-scan.json" and record["packages"] == 1


@pytest.fixture(scope="module")
def round_trip(loaded, tmp_path_factory):
    """Render the loaded project as scanapp JSON (with a relation and a scorecard), reload it."""
    from outputs import json_results

    project, _ = loaded
    by_path = {row.path: row for row in _all(CodebaseResource, project)}
    with db.session_scope() as session:
        session.add(
            CodebaseRelation(
                project_id=project.id,
                from_resource_id=by_path[f"{ROOT}/src/requests/api.py"].id,
                to_resource_id=by_path[f"{ROOT}/src/requests/models.py"].id,
                map_type="path",
                score=0.5,
            )
        )
        package = session.exec(
            select(DiscoveredPackage).where(DiscoveredPackage.project_id == project.id)
        ).one()
        package.extra_data = {**package.extra_data, "scorecard": {"score": 7.5}}
        session.add(
            CodebaseResource(
                project_id=project.id, path="todo.c", name="todo.c", status="requires-review"
            )
        )
    result = tmp_path_factory.mktemp("roundtrip") / "requests-results.json"
    with open(result, "wb") as target:
        json_results.render(project.id, target, "")
    copy, run = run_pipeline("inventory-roundtrip", "load_inventory", uploads=[result])
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project, copy


def _rows(model, project, exclude=("id", "project_id", "uuid")) -> list[dict]:
    rows = [row.model_dump(exclude=set(exclude)) for row in _all(model, project)]
    return sorted(rows, key=lambda row: json.dumps(row, sort_keys=True, default=str))


def test_round_trip_scanapp_json(round_trip):
    original, copy = round_trip
    assert _rows(CodebaseResource, copy) == _rows(CodebaseResource, original)
    assert _rows(DiscoveredPackage, copy) == _rows(DiscoveredPackage, original)
    # ScanCode.io's JSON has no extra_data for a dependency (pip's hash options...).
    without = ("id", "project_id", "uuid", "extra_data")
    copied = _rows(DiscoveredDependency, copy, without)
    assert copied == _rows(DiscoveredDependency, original, without)
    package = _all(DiscoveredPackage, copy)[0]
    assert package.extra_data["scorecard"] == {"score": 7.5}
    todo = _all(CodebaseResource, copy, CodebaseResource.path == "todo.c")[0]
    assert todo.status == "requires-review"


def test_round_trip_relations(round_trip):
    _, copy = round_trip
    relations = _all(CodebaseRelation, copy)
    assert [(rel.map_type, rel.score) for rel in relations] == [("path", 0.5)]
    with db.session_scope() as session:
        source = session.get(CodebaseResource, relations[0].from_resource_id)
        target = session.get(CodebaseResource, relations[0].to_resource_id)
    assert (source.project_id, target.project_id) == (copy.id, copy.id)
    assert source.path == f"{ROOT}/src/requests/api.py"
    assert target.path == f"{ROOT}/src/requests/models.py"


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("bad.json", b'{"headers": [{"tool_name": "scancode-toolkit"}], "files": [', "invalid"),
        ("list.json", b"[1, 2]", "not a JSON object"),
        ("other.json", b'{"headers": [{"tool_name": "x"}], "files": []}', "tool_name 'x'"),
        ("spdx.json", b'{"spdxVersion": "SPDX-2.3", "packages": []}', "layout: no headers"),
    ],
)
def test_bad_input_fails_clearly_and_writes_nothing(
    scan_settings, tmp_path, name, content, expected
):
    location = tmp_path / name
    location.write_bytes(content)
    project, run = run_pipeline(f"bad-{name}", "load_inventory", uploads=[location])
    assert run.status == RunStatus.FAILURE
    assert f"{name}: " in run.task_output and expected in run.task_output
    messages = [message.description for message in _all(ProjectMessage, project)]
    assert len(messages) == 1 and messages[0].startswith(f"{name}: ") and expected in messages[0]
    assert _count(CodebaseResource, project) == _count(DiscoveredPackage, project) == 0


def test_truncated_scan_writes_nothing(scan_settings, toolkit_scan, tmp_path):
    location = tmp_path / "truncated.json"
    data = toolkit_scan.read_bytes()
    location.write_bytes(data[: len(data) * 3 // 4])
    project, run = run_pipeline("truncated", "load_inventory", uploads=[location])
    assert run.status == RunStatus.FAILURE
    assert "truncated.json: invalid JSON" in run.task_output
    assert _count(CodebaseResource, project) == 0


def test_no_input_fails_clearly(scan_settings):
    project, run = run_pipeline("no-scan", "load_inventory")
    assert run.status == RunStatus.FAILURE
    expected = "The load_inventory pipeline needs at least one JSON scan input."
    assert expected in run.task_output
    assert [message.description for message in _all(ProjectMessage, project)] == [expected]
