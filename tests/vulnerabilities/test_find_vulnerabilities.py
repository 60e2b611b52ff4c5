"""find_vulnerabilities on real inputs: the requests sdist and an npm project with a lockfile."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from click.testing import CliRunner
from sqlmodel import select

from scanapp.cli import cli
from scanapp.db import session_scope
from scanapp.models import DiscoveredDependency
from scanapp.pipes import vulndb
from tests.pipelines_builtin.conftest import DATA_DIR
from tests.vulnerabilities.osv_data import write_zip

LOCKFILE = {
    "name": "shop", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "shop", "version": "1.0.0", "dependencies": {"left-pad": "^1.2.0"}},
        "node_modules/left-pad": {
            "version": "1.2.0", "license": "WTFPL",
            "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.2.0.tgz"},
    },
}


def npm_project(path):
    """Write an npm project's sdist-like tarball: package.json and package-lock.json."""
    manifest = {"name": "shop", "version": "1.0.0", "dependencies": {"left-pad": "^1.2.0"}}
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("package.json", manifest), ("package-lock.json", LOCKFILE)):
            content = json.dumps(data).encode()
            info = tarfile.TarInfo(f"shop/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """The JSON results of inspect_packages then find_vulnerabilities on both inputs."""
    from tests.pipelines_builtin.conftest import scan_settings_on

    folder = tmp_path_factory.mktemp("vulnerabilities")
    for _settings in scan_settings_on(folder / "workdirs"):
        vulndb.load([write_zip(folder / "osv.zip")])
        output = folder / "results.json"
        result = CliRunner().invoke(cli, [
            "run", "inspect_packages", str(DATA_DIR / "requests-2.32.3.tar.gz"),
            str(npm_project(folder / "shop.tar.gz")), "--pipeline", "find_vulnerabilities",
            "--output", str(output), "--quiet"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield json.loads(output.read_text())


def project_name() -> str:
    from scanapp.models import Project

    with session_scope() as session:
        return session.exec(select(Project.name)).one()


def write_output(output_format: str, target) -> None:
    """Write the project's output in ``output_format`` to ``target`` with ``scanapp output``."""
    written = CliRunner().invoke(cli, ["output", "--project", project_name(), "--format",
                                       output_format, "--output", str(target)])
    assert written.exit_code == 0, written.output


def by_purl(rows) -> dict:
    return {row["purl"]: row for row in rows}


def test_packages_get_the_records_of_their_version_only(results):
    packages = by_purl(results["packages"])
    requests = packages["pkg:pypi/requests@2.32.3"]["affected_by_vulnerabilities"]
    # PYSEC-2023-1 ends at 2.31.0: 2.32.3 is outside every one of its ranges.
    assert [v["vulnerability_id"] for v in requests] == ["GHSA-9hjg-9r4m-mvj7"]
    assert requests[0]["aliases"] == ["CVE-2024-47081"]
    assert requests[0]["fixed_versions"] == ["2.32.4"]
    assert requests[0]["severity_level"] == "medium"


def test_a_pinned_dependency_is_matched_an_unpinned_one_is_not_guessed(results):
    dependencies = by_purl(results["dependencies"])
    left_pad = dependencies["pkg:npm/left-pad@1.2.0"]
    assert [v["vulnerability_id"] for v in left_pad["affected_by_vulnerabilities"]] == [
        "GHSA-npm1-0000-0001"]  # SEMVER: introduced 0, fixed 1.3.0
    idna = next(d for purl, d in dependencies.items() if purl.startswith("pkg:pypi/idna"))
    assert idna["affected_by_vulnerabilities"] == []  # 3.6 is listed, but idna<4,>=2.5 is a range
    with session_scope() as session:  # the JSON results have no extra_data: as stored
        stored = session.exec(select(DiscoveredDependency.extra_data).where(
            DiscoveredDependency.purl == idna["purl"])).one()
    assert stored["vulnerabilities"] == "unpinned: cannot tell"
    messages = results["headers"][0]["messages"]
    warnings = [m["description"] for m in messages if m["severity"] == "warning"]
    assert any("neither resolved nor pinned" in text and "idna" in text for text in warnings)


def test_the_project_s_vulnerabilities_are_listed_and_filtered(results):
    from scanapp.api import create_app
    from scanapp.models import Project

    with session_scope() as session:
        uuid = session.exec(select(Project.uuid)).one()
    api = create_app({"TESTING": True}).test_client()

    def listed(query: str = "") -> list[tuple]:
        answer = api.get(f"/api/projects/{uuid}/vulnerabilities/?{query}")
        assert answer.status_code == 200, answer.json
        return [(e["vulnerability_id"], e["affects"]["kind"], e["affects"]["purl"])
                for e in answer.json["results"]]

    requests = ("GHSA-9hjg-9r4m-mvj7", "package", "pkg:pypi/requests@2.32.3")
    left_pad = ("GHSA-npm1-0000-0001", "dependency", "pkg:npm/left-pad@1.2.0")
    assert listed()[:2] == [left_pad, requests]  # high, medium, then those without a level
    assert listed("alias=cve-2024-47081") == [requests]
    assert listed("package=pkg:npm/") == [left_pad]
    assert listed("severity=medium") == [left_pad, requests]
    assert listed("severity=high") == [left_pad]
    assert listed("severity=critical") == []
    bad = api.get(f"/api/projects/{uuid}/vulnerabilities/?severity=urgent")
    assert bad.status_code in (400, 422) and "severity" in str(bad.json)


def test_the_default_policies_gate_a_release_on_a_high_severity_finding(results):
    name = project_name()
    runner = CliRunner()
    gate = runner.invoke(cli, ["check-compliance", "--project", name, "--fail-level", "ERROR"])
    assert gate.exit_code == 1, gate.output  # left-pad 1.2.0: high -> error
    assert "pkg:npm/left-pad@1.2.0: GHSA-npm1-0000-0001 (high)" in gate.output
    assert "requests" not in gate.output  # medium -> warning: not at ERROR
    warning = runner.invoke(cli, ["check-compliance", "--project", name, "--fail-level",
                                  "WARNING"])
    assert "pkg:pypi/requests@2.32.3: GHSA-9hjg-9r4m-mvj7 (medium)" in warning.output


def test_the_cyclonedx_sbom_lists_them_and_passes_the_strict_validator(results, tmp_path):
    from tests.reports.validators import cyclonedx_error

    target = tmp_path / "sbom.cdx.json"
    write_output("cyclonedx", target)
    assert cyclonedx_error(target.read_text(), "1.6") is None
    sbom = json.loads(target.read_text())
    found = {v["id"]: v for v in sbom["vulnerabilities"]}
    assert set(found) == {"GHSA-9hjg-9r4m-mvj7", "GHSA-npm1-0000-0001"}
    requests = found["GHSA-9hjg-9r4m-mvj7"]
    refs = {c["bom-ref"]: c.get("purl") for c in sbom["components"]}
    assert [refs[a["ref"]] for a in requests["affects"]] == ["pkg:pypi/requests@2.32.3"]
    assert requests["ratings"][0]["severity"] == "medium"
    assert requests["ratings"][0]["method"] == "CVSSv31"
    assert [r["id"] for r in requests["references"]] == ["CVE-2024-47081"]
    left_pad = found["GHSA-npm1-0000-0001"]
    assert [refs[a["ref"]] for a in left_pad["affects"]] == ["pkg:npm/left-pad@1.2.0"]


def test_the_xlsx_has_a_vulnerabilities_sheet(results, tmp_path):
    import openpyxl

    target = tmp_path / "results.xlsx"
    write_output("xlsx", target)
    sheet = openpyxl.load_workbook(target)["VULNERABILITIES"]
    rows = [dict(zip([c.value for c in sheet[1]], [c.value for c in row], strict=True))
            for row in sheet.iter_rows(min_row=2)]
    found = {(row["vulnerability_id"], row["affected_kind"], row["affected_purl"]): row
             for row in rows}
    requests = found[("GHSA-9hjg-9r4m-mvj7", "package", "pkg:pypi/requests@2.32.3")]
    assert (requests["aliases"], requests["severity_level"], requests["score"],
            requests["fixed_versions"]) == ("CVE-2024-47081", "medium", 5.3, "2.32.4")
    assert ("GHSA-npm1-0000-0001", "dependency", "pkg:npm/left-pad@1.2.0") in found


def test_the_spdx_document_has_security_references_and_stays_valid(results, tmp_path):
    from tests.reports.validators import spdx_errors

    target = tmp_path / "sbom.spdx.json"
    write_output("spdx", target)
    assert spdx_errors(target, "2.3") == []
    requests = next(package for package in json.loads(target.read_text())["packages"]
                    if package["name"] == "requests")
    security = [ref for ref in requests["externalRefs"]
                if ref["referenceCategory"] == "SECURITY"]
    assert [ref["referenceLocator"] for ref in security] == [
        "https://osv.dev/vulnerability/GHSA-9hjg-9r4m-mvj7",
        "https://osv.dev/vulnerability/CVE-2024-47081"]
    assert security[0]["referenceType"] == "advisory"
    assert security[0]["comment"].startswith("GHSA-9hjg-9r4m-mvj7 (medium): ")
