"""Loading OSV records: zips, folders, replacement by modified date, refused records."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from scanapp.cli import cli
from scanapp.db import session_scope
from scanapp.models import Vulnerability, VulnerabilityAffected
from scanapp.pipes import osv, vulndb
from tests.vulnerabilities.osv_data import RECORDS, record, write_folder, write_zip

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def invoke(runner, *arguments) -> dict:
    result = runner.invoke(cli, [*arguments, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@both_databases
def test_a_zip_and_a_folder_load_and_the_stats_count_them(settings, runner, tmp_path):
    figures = invoke(runner, "vulndb", "load", str(write_zip(tmp_path / "all.zip")))
    assert figures == {"read": 5, "added": 5, "replaced": 0, "unchanged": 0, "invalid": 0}
    again = invoke(runner, "vulndb", "load", str(write_folder(tmp_path / "records")))
    assert again == {"read": 5, "added": 0, "replaced": 0, "unchanged": 5, "invalid": 0}
    assert invoke(runner, "vulndb", "stats") == {
        "records": 5, "withdrawn": 1, "newest_modified": "2024-05-01T00:00:00+00:00",
        "ecosystems": {"npm": 1, "pypi": 4}, "sources": []}  # no SCANAPP_VULNDB_URLS
    with session_scope() as session:
        requests = session.get(Vulnerability, "PYSEC-2023-1")
        affected = session.exec(select(VulnerabilityAffected).where(
            VulnerabilityAffected.vulnerability_id == "PYSEC-2023-1")).one()
    assert requests.aliases == ["CVE-2023-32681"]
    assert requests.severity[0]["score"].startswith("CVSS:3.1/")
    assert (affected.ecosystem, affected.name) == ("pypi", "requests")  # PEP 503 name
    assert affected.ranges == RECORDS[0]["affected"][0]["ranges"]


@both_databases
def test_a_newer_record_replaces_its_id_an_older_one_does_not(settings, tmp_path):
    vulndb.load([write_zip(tmp_path / "first.zip")])
    newer = record("PYSEC-2023-1", "PyPI", "requests", modified="2024-07-01T00:00:00Z",
                   versions=["2.30.0"], summary="corrected")
    older = record("GHSA-npm1-0000-0001", "npm", "left-pad", modified="2020-01-01T00:00:00Z")
    report = vulndb.load([write_folder(tmp_path / "update", [newer, older])])
    assert (report.replaced, report.unchanged, report.added) == (1, 1, 0)
    with session_scope() as session:
        assert session.get(Vulnerability, "PYSEC-2023-1").summary == "corrected"
        assert session.get(Vulnerability, "GHSA-npm1-0000-0001").summary == "left-pad before 1.3.0"
        rows = session.exec(select(VulnerabilityAffected).where(
            VulnerabilityAffected.vulnerability_id == "PYSEC-2023-1")).all()
    assert [row.versions for row in rows] == [["2.30.0"]]  # the old affected rows are gone


def test_records_that_are_not_osv_are_counted_and_skipped(settings, tmp_path):
    folder = write_folder(tmp_path / "mixed", RECORDS[:1])
    (folder / "broken.json").write_text("{not json")
    (folder / "nodate.json").write_text(json.dumps({"id": "X-1", "affected": []}))
    (folder / "list.json").write_text("[]")
    report = vulndb.load([folder])
    assert (report.read, report.added, report.invalid) == (4, 1, 3)


def test_a_purl_finds_the_key_osv_names_its_package_by():
    assert osv.package_key("pypi", "", "Zope.Interface") == ("pypi", "zope-interface")
    assert osv.affected_key({"ecosystem": "PyPI", "name": "zope_interface"}) == (
        "pypi", "zope-interface")
    assert osv.package_key("maven", "org.apache.logging.log4j", "log4j-core") == (
        "maven", "org.apache.logging.log4j:log4j-core")
    assert osv.package_key("npm", "@babel", "core") == ("npm", "@babel/core")
    assert osv.package_key("golang", "github.com/gin-gonic", "gin") == (
        "go", "github.com/gin-gonic/gin")
    assert osv.package_key("deb", "debian", "openssl") == ("debian", "openssl")
    assert osv.affected_key({"ecosystem": "Debian:12", "name": "openssl"}) == (
        "debian", "openssl")
    assert osv.package_key("generic", "", "thing") is None
