"""Matching versions against OSV ranges and listed versions, on a loaded test dataset."""

from __future__ import annotations

import pytest

from scanapp.db import session_scope
from scanapp.pipes import vulndb
from scanapp.pipes.vulnerability_match import in_events, match
from tests.vulnerabilities.osv_data import write_zip


def ids(purl_type: str, name: str, version: str, namespace: str = "") -> list[str]:
    with session_scope() as session:
        return [finding.record.id for finding in match(session, purl_type, namespace, name,
                                                       version)]


@pytest.fixture
def loaded(settings, tmp_path):
    vulndb.load([write_zip(tmp_path / "all.zip")])


@pytest.mark.parametrize(("version", "affected"), [
    ("2.2.9", False), ("2.3.0", True), ("2.30.0", True), ("2.31.0", False), ("3.0", False)])
def test_ecosystem_ranges_in_pypi_order(loaded, version, affected):
    found = set(ids("pypi", "requests", version)) - {"GHSA-9hjg-9r4m-mvj7"}  # below 2.32.4
    assert found == ({"PYSEC-2023-1"} if affected else set())


def test_semver_ranges_listed_versions_and_withdrawn_records(loaded):
    assert ids("npm", "left-pad", "1.2.9") == ["GHSA-npm1-0000-0001"]
    assert ids("npm", "left-pad", "1.3.0") == []
    assert ids("pypi", "IDNA", "3.6") == ["PYSEC-2024-9"]  # listed, the name normalized
    assert ids("pypi", "idna", "3.7") == []
    assert ids("pypi", "click", "8.1.8") == []  # withdrawn: every version, but ignored
    assert ids("pypi", "requests", "") == []  # no version: cannot tell


def test_a_finding_keeps_aliases_severity_and_fixed_versions(loaded):
    with session_scope() as session:
        found = {f.record.id: f for f in match(session, "pypi", "", "requests", "2.30.0")}
        entry = found["PYSEC-2023-1"].as_dict()
    assert entry["vulnerability_id"] == "PYSEC-2023-1"
    assert entry["aliases"] == ["CVE-2023-32681"]
    assert entry["fixed_versions"] == ["2.31.0"]
    assert entry["severity"][0]["score"] == 6.1 and entry["severity_level"] == "medium"


def test_events_in_version_order_with_several_intervals():
    events = [{"introduced": "1.0"}, {"fixed": "1.2"}, {"introduced": "2.0"},
              {"last_affected": "2.3"}]
    assert [in_events(v, events, "pypi") for v in ("0.9", "1.1", "1.5", "2.0", "2.3", "2.4")] \
        == [False, True, False, True, True, False]
    assert in_events("1.10.0", [{"introduced": "1.9.0"}, {"fixed": "1.11.0"}], "semver")
