"""Across projects, on real scans of two flask releases (3.0.3 and 3.1.0, scan_single_package).

The comparison is checked against the sdists themselves (their files and SHA-256, their
``pyproject.toml`` requirements), read here with tarfile and tomllib, not with scanapp.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
import tomllib

import openpyxl
import pytest
from click.testing import CliRunner

from scanapp.api import create_app
from scanapp.cli import cli
from scanapp.models import RunStatus
from scanapp.services.compliance import set_project_policies
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings_on

RELEASES = ("3.0.3", "3.1.0")


@pytest.fixture(scope="module")
def flask_scans(tmp_path_factory) -> dict:
    """``{version: project}``: each flask sdist scanned once for the module."""
    for _settings in scan_settings_on(tmp_path_factory.mktemp("flask-workdirs")):
        projects = {}
        for version in RELEASES:
            project, run = run_pipeline(f"flask-{version}", "scan_single_package",
                                        uploads=[DATA_DIR / f"flask-{version}.tar.gz"])
            assert run.status == RunStatus.SUCCESS, run.task_output
            projects[version] = project
        yield projects


@pytest.fixture(scope="module")
def api(flask_scans):
    return create_app({"TESTING": True}).test_client()


def sdist_files(version: str) -> dict[str, str]:
    """``{path below the sdist's folder: sha256}`` of every file of the sdist."""
    with tarfile.open(DATA_DIR / f"flask-{version}.tar.gz") as archive:
        return {member.name.split("/", 1)[1]:
                hashlib.sha256(archive.extractfile(member).read()).hexdigest()
                for member in archive.getmembers() if member.isfile()}


def pyproject_requirements(version: str) -> dict[str, str]:
    """``{name: requirement}`` of the sdist's pyproject.toml ``dependencies``."""
    with tarfile.open(DATA_DIR / f"flask-{version}.tar.gz") as archive:
        text = archive.extractfile(f"flask-{version}/pyproject.toml").read().decode()
    found = {}
    for line in tomllib.loads(text)["project"]["dependencies"]:
        name, requirement = re.match(r"([A-Za-z0-9_.-]+)(.*)", line).groups()
        found[name.lower()] = requirement.split(";")[0].strip()
    return found


def test_compare_lists_exactly_the_files_the_sdists_differ_by(api, flask_scans):
    old, new = (flask_scans[v] for v in RELEASES)
    answer = api.get(f"/api/projects/{old.uuid}/compare/?with={new.uuid}")
    assert answer.status_code == 200, answer.json
    comparison = answer.json
    before, after = sdist_files("3.0.3"), sdist_files("3.1.0")
    assert comparison["project"]["root"] == "flask-3.0.3"
    assert comparison["with"]["root"] == "flask-3.1.0"
    assert [(f["path"], f["sha256"]) for f in comparison["files_added"]] == sorted(
        (path, after[path]) for path in after.keys() - before.keys())
    assert [(f["path"], f["sha256"]) for f in comparison["files_removed"]] == sorted(
        (path, before[path]) for path in before.keys() - after.keys())
    assert [(f["path"], f["from_sha256"], f["to_sha256"])
            for f in comparison["files_changed"]] == sorted(
        (path, before[path], after[path]) for path in before.keys() & after.keys()
        if before[path] != after[path])
    assert len(after) == 235
    assert comparison["summary"]["files_with_known_content"] == 187
    assert comparison["summary"]["files_added"] == 9
    # A license change found by the scans: this example's pyproject.toml gained its license.
    relicensed = [f for f in comparison["files_changed"] if f["license_changed"]]
    assert ("examples/javascript/pyproject.toml", "unknown-license-reference", "bsd-new") in [
        (f["path"], f["from_detected_license_expression"], f["to_detected_license_expression"])
        for f in relicensed]


def test_compare_lists_the_requirement_and_version_changes(api, flask_scans):
    old, new = (flask_scans[v] for v in RELEASES)
    comparison = api.get(f"/api/projects/{old.uuid}/compare/?with=flask-3.1.0").json
    before, after = pyproject_requirements("3.0.3"), pyproject_requirements("3.1.0")
    expected = sorted((name, before[name], after[name]) for name in before
                      if before[name] != after[name])
    assert len(expected) == 4
    found = sorted((c["package"].rsplit("/", 1)[1].lower(), c["from_extracted_requirement"],
                    c["to_extracted_requirement"])
                   for c in comparison["dependency_requirement_changes"]
                   if c["datafile_path"] == "pyproject.toml")
    assert found == expected
    assert comparison["dependencies_added"] == comparison["dependencies_removed"] == []
    assert [(c["package"], c["from_version"], c["to_version"])
            for c in comparison["package_version_changes"]] == [
        ("pkg:pypi/Flask", "3.0.3", "3.1.0")]
    assert comparison["packages_added"] == comparison["packages_removed"] == []


def test_compare_as_xlsx_has_a_sheet_per_kind_with_the_same_rows(api, flask_scans):
    old, new = (flask_scans[v] for v in RELEASES)
    path = f"/api/projects/{old.uuid}/compare/?with={new.uuid}"
    comparison = api.get(path).json
    download = api.get(f"{path}&output_format=xlsx")
    assert download.status_code == 200
    assert "compare-flask-3.0.3-flask-3.1.0.xlsx" in download.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert workbook.sheetnames[0] == "SUMMARY"
    for kind in ("files_added", "files_changed", "dependency_requirement_changes",
                 "package_version_changes"):
        rows = list(workbook[kind.upper()].iter_rows(values_only=True))
        assert len(rows) - 1 == len(comparison[kind])
        header = rows[0]
        assert [row[header.index("path" if kind.startswith("files") else "package")]
                for row in rows[1:]] == [
            item["path" if kind.startswith("files") else "package"] for item in comparison[kind]]


def test_compare_refuses_what_it_cannot_find_or_read(api, flask_scans):
    old = flask_scans["3.0.3"]
    missing = api.get(f"/api/projects/{old.uuid}/compare/?with=nothing-like-it")
    assert missing.status_code == 404 and "nothing-like-it" in missing.json["message"]
    assert api.get(f"/api/projects/{old.uuid}/compare/").status_code == 400  # no with
    bad = api.get(f"/api/projects/{old.uuid}/compare/?with=flask-3.1.0&output_format=pdf")
    assert bad.status_code == 400 and "output_format" in bad.json["errors"]


def test_scanapp_compare_gates_a_release_on_new_alerts(flask_scans):
    runner = CliRunner()
    forward = runner.invoke(cli, ["compare", "flask-3.0.3", "flask-3.1.0", "--fail-on",
                                  "missing"])
    assert forward.exit_code == 0, forward.output
    assert "version\tpkg:pypi/Flask\t3.0.3 -> 3.1.0" in forward.output
    # Backwards, 3.0.3's example pyproject.toml has a license reference no policy names.
    backward = runner.invoke(cli, ["compare", "flask-3.1.0", "flask-3.0.3", "--fail-on",
                                   "MISSING"])
    assert backward.exit_code == 1
    assert "new missing\tfile\texamples/javascript/pyproject.toml" in backward.output
    assert runner.invoke(cli, ["compare", "flask-3.1.0", "flask-3.0.3", "--fail-on",
                               "error"]).exit_code == 0
    # With a policy that makes it an error (recomputed first), --fail-on error fails too.
    policy = {"license_policies": [
        {"license_key": "unknown-license-reference", "compliance_alert": "error"},
        {"license_key": "bsd-new", "compliance_alert": ""}]}
    try:
        for project in flask_scans.values():
            set_project_policies(project.uuid, policy)
        gate = runner.invoke(cli, ["compare", "flask-3.1.0", "flask-3.0.3", "--fail-on",
                                   "error", "--json"])
        assert gate.exit_code == 1
        assert "1 new alert(s) reach the ERROR level." in gate.output
        document = json.loads(gate.output[:gate.output.rindex("}") + 1])
        assert [(a["identity"], a["compliance_alert"]) for a in document["alerts_new"]] == [
            ("examples/javascript/pyproject.toml", "error")]
    finally:
        for project in flask_scans.values():
            set_project_policies(project.uuid, None)


def test_search_by_purl_prefix_version_range_and_license(api, flask_scans):
    def versions(query):
        page = api.get(f"/api/packages/?{query}").json
        assert page["count"] == len(page["results"])
        return {(entry["purl"], version["version"], project["name"])
                for entry in page["results"] for version in entry["versions"]
                for project in version["projects"]}

    both = {("pkg:pypi/Flask", "3.0.3", "flask-3.0.3"), ("pkg:pypi/Flask", "3.1.0", "flask-3.1.0")}
    assert versions("purl=pkg:pypi/flask") == both  # every version, names without case
    assert versions("purl=pkg:pypi/Flask@3.1.0") == {("pkg:pypi/Flask", "3.1.0", "flask-3.1.0")}
    assert versions("purl=pkg:pypi/fla") == set()  # a prefix ends at a segment
    assert versions("purl=pkg:pypi/flask&version_range=vers:pypi/>=3.1|<4") == {
        ("pkg:pypi/Flask", "3.1.0", "flask-3.1.0")}
    assert versions("version_range=vers:pypi/<3.0") == set()
    assert versions("license=bsd-new") == both
    assert versions("license=mit") == set()
    entry = api.get("/api/packages/?name=flask").json["results"][0]
    assert entry["versions"][0]["projects"][0]["declared_license_expression"] == "bsd-new"
    assert entry["versions"][0]["projects"][0]["package_uid"].startswith("pkg:pypi/flask@3.0.3")


def test_a_package_its_version_and_its_dependents_through_unresolved_requirements(api,
                                                                                  flask_scans):
    package = api.get("/api/packages/pypi/flask/").json
    assert [v["version"] for v in package["versions"]] == list(RELEASES)
    assert package["licenses"] == ["bsd-new"]
    assert [p["name"] for p in package["projects"]] == ["flask-3.0.3", "flask-3.1.0"]
    version = api.get("/api/packages/pypi/flask/versions/3.1.0/").json
    assert [p["name"] for p in version["projects"]] == ["flask-3.1.0"]
    declared = {d["purl"].rsplit("/", 1)[1].lower(): d["extracted_requirement"]
                for d in version["dependencies"] if d["scope"] == "install"}
    assert declared == pyproject_requirements("3.1.0")
    dependents = api.get("/api/packages/pypi/werkzeug/dependents/").json
    assert dependents["count"] == 2
    assert sorted((d["project"]["name"], d["extracted_requirement"], d["is_resolved"],
                   d["dependent_package"]) for d in dependents["results"]) == [
        ("flask-3.0.3", ">=3.0.0", False, "pkg:pypi/flask@3.0.3"),
        ("flask-3.1.0", ">=3.1", False, "pkg:pypi/flask@3.1.0")]
    assert api.get("/api/packages/pypi/flask/versions/9.9/").status_code == 404
    assert api.get("/api/packages/pypi/no-such-thing/").status_code == 404


def test_stats_count_the_stored_rows(api, flask_scans):
    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.models import CodebaseResource, DiscoveredPackage, Project, Run

    figures = api.get("/api/stats/").json
    with session_scope() as session:
        def count(model, *where):
            return len(session.exec(select(model).where(*where)).all())

        assert figures["projects"] == count(Project) == 2
        assert figures["runs"] == {"total": count(Run), "success": count(Run)}
        assert figures["files"] == count(CodebaseResource, CodebaseResource.type == "file")
        assert figures["packages"] == count(DiscoveredPackage) == 2
        bsd = count(CodebaseResource, CodebaseResource.detected_license_expression == "bsd-new")
    assert figures["top_licenses"][0] == {"license_expression": "bsd-new", "files": bsd}
    assert figures["top_packages"] == [{"purl": "pkg:pypi/flask", "occurrences": 2}]
    assert [p["name"] for p in figures["newest_projects"]] == ["flask-3.1.0", "flask-3.0.3"]
    cache = figures["scan_cache"]  # the second scan took the files the first had
    assert cache["files_served"] >= 182
