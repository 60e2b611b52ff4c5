"""The compliance and vulnerability pages of a project: the API's facts, its permissions."""

from __future__ import annotations

import pytest

from scanapp.pipes.vulnerabilities import UNPINNED
from scanapp.services.users import user_by_name
from tests.conftest import override
from tests.factories import make_dependency, make_package, make_project, make_resource
from tests.web.conftest import text


def finding(vulnerability_id: str, level: str, score: float, **values) -> dict:
    return {"vulnerability_id": vulnerability_id, "aliases": values.get("aliases", []),
            "summary": values.get("summary", f"{vulnerability_id} summary"),
            "severity": [{"type": "CVSS_V3", "vector": "CVSS:3.1/AV:N", "score": score,
                          "level": level}],
            "severity_level": level, "fixed_versions": values.get("fixed", []),
            "references": [{"type": "ADVISORY",
                            "url": f"https://example.com/advisory/{vulnerability_id}"}],
            "source": "osv"}


@pytest.fixture
def scanned(settings):
    """A project: alerted packages and files, two vulnerable packages, an unpinned dependency."""
    project = make_project("scanned")
    make_package(project, "pkg:pypi/gplthing@1.0", declared_license_expression="gpl-2.0")
    make_package(project, "pkg:npm/%40scope/lgplthing@2.0",
                 declared_license_expression="lgpl-2.1")
    make_package(project, "pkg:pypi/requests@2.31.0", declared_license_expression="apache-2.0",
                 affected_by_vulnerabilities=[finding(
                     "GHSA-9wx4-h78v-vm56", "medium", 5.6, aliases=["CVE-2024-35195"],
                     fixed=["2.32.0"])])
    make_package(project, "pkg:pypi/urllib3@1.26.0", declared_license_expression="mit",
                 affected_by_vulnerabilities=[finding("PYSEC-2023-192", "critical", 9.8,
                                                      aliases=["CVE-2023-43804"])])
    make_resource(project, "src/copying.c", type="file", detected_license_expression="gpl-2.0")
    make_resource(project, "src/lgpl.c", type="file", detected_license_expression="lgpl-2.1")
    make_dependency(project, "pkg:pypi/flask", extracted_requirement="flask",
                    datafile_path="requirements.txt",
                    extra_data={"vulnerabilities": UNPINNED})
    return project


def test_compliance_lists_the_alerts_the_api_answers(client, scanned):
    page = client.get(f"/projects/{scanned.uuid}/compliance")
    assert page.status_code == 200
    html = text(page)
    api = client.get(f"/api/projects/{scanned.uuid}/compliance/").json["compliance_alerts"]
    assert api["packages"] == {"error": ["pkg:pypi/gplthing@1.0"]}
    assert api["resources"] == {"error": ["src/copying.c"]}
    assert api["vulnerabilities"] == {
        "error": ["pkg:pypi/urllib3@1.26.0: PYSEC-2023-192 (critical)"]}
    for purl in api["packages"]["error"] + ["pkg:pypi/urllib3@1.26.0"]:
        assert purl in html
    assert f'href="/projects/{scanned.uuid}/resources/src/copying.c"' in html
    assert 'href="/packages/pypi/gplthing?version=1.0"' in html
    assert "PYSEC-2023-192 (critical)" in html  # the vulnerability alert of the thresholds
    assert "src/lgpl.c" not in html and "GHSA-9wx4-h78v-vm56" not in html  # warnings
    assert 'aria-current="page">Compliance' in html


def test_the_fail_level_selects_warnings_and_counts_them(client, scanned):
    html = text(client.get(f"/projects/{scanned.uuid}/compliance?fail_level=warning"))
    api = client.get(f"/api/projects/{scanned.uuid}/compliance/?fail_level=WARNING").json
    assert set(api["compliance_alerts"]["resources"]) == {"error", "warning"}
    assert "src/lgpl.c" in html and "pkg:npm/%40scope/lgplthing@2.0" in html
    assert "GHSA-9wx4-h78v-vm56 (medium)" in html
    assert '<option value="WARNING" selected>' in html
    # the counts add up every kind's items of each level
    errors = sum(len(groups.get("error", [])) for groups in api["compliance_alerts"].values())
    assert f'alert-error">error</span></td><td>{errors}</td>' in html
    assert client.get(f"/projects/{scanned.uuid}/compliance?fail_level=bad").status_code == 400


def test_vulnerabilities_most_severe_first_with_their_facts(client, scanned):
    page = client.get(f"/projects/{scanned.uuid}/vulnerabilities")
    assert page.status_code == 200
    html = text(page)
    api = client.get(f"/api/projects/{scanned.uuid}/vulnerabilities/").json
    assert [item["vulnerability_id"] for item in api["results"]] == [
        "PYSEC-2023-192", "GHSA-9wx4-h78v-vm56"]
    assert html.index("PYSEC-2023-192") < html.index("GHSA-9wx4-h78v-vm56")
    for fact in ("CVE-2024-35195", "GHSA-9wx4-h78v-vm56 summary", "CVSS_V3 5.6", "2.32.0",
                 'href="https://example.com/advisory/GHSA-9wx4-h78v-vm56"',
                 "pkg:pypi/requests@2.31.0", "severity-critical"):
        assert fact in html, fact
    assert UNPINNED in html and "pkg:pypi/flask" in html  # the dependency it cannot tell


def test_vulnerability_filters_are_the_apis(client, scanned):
    base = f"/projects/{scanned.uuid}/vulnerabilities"
    html = text(client.get(f"{base}?severity=high"))
    assert "PYSEC-2023-192" in html and "GHSA-9wx4-h78v-vm56" not in html
    html = text(client.get(f"{base}?alias=cve-2024-35195"))
    assert "GHSA-9wx4-h78v-vm56" in html and "PYSEC-2023-192" not in html
    html = text(client.get(f"{base}?package=pkg:pypi/url"))
    assert "PYSEC-2023-192" in html and "GHSA-9wx4-h78v-vm56" not in html
    assert "No known vulnerability matches" in text(client.get(f"{base}?alias=CVE-1999-0001"))
    assert client.get(f"{base}?severity=dreadful").status_code == 400


def test_vulnerabilities_are_paged(client, scanned):
    override(page_size=1)
    first = text(client.get(f"/projects/{scanned.uuid}/vulnerabilities"))
    assert "PYSEC-2023-192" in first and "GHSA-9wx4-h78v-vm56" not in first
    assert "page 1 of 2" in first and "page=2" in first
    second = text(client.get(f"/projects/{scanned.uuid}/vulnerabilities?page=2"))
    assert "GHSA-9wx4-h78v-vm56" in second and "PYSEC-2023-192" not in second


def test_no_vulnerability_says_how_to_find_them(client, settings):
    project = make_project("clean")
    html = text(client.get(f"/projects/{project.uuid}/vulnerabilities"))
    assert "scanapp vulndb load" in html and "find_vulnerabilities" in html
    assert "No alert at ERROR" in text(client.get(f"/projects/{project.uuid}/compliance"))


def test_a_project_one_may_not_see_answers_404(app, as_user, scanned):
    alice = user_by_name("alice")
    mine = make_project("alice-own", created_by_id=alice.id)
    client, _ = as_user("bob")
    for path in ("compliance", "vulnerabilities"):
        assert client.get(f"/projects/{scanned.uuid}/{path}").status_code == 404
        assert client.get(f"/projects/{mine.uuid}/{path}").status_code == 404
    client, _ = as_user("alice")
    assert client.get(f"/projects/{mine.uuid}/compliance").status_code == 200
    assert client.get(f"/projects/{mine.uuid}/vulnerabilities").status_code == 200
