"""The vulnerability database refreshed from SCANAPP_VULNDB_URLS: by command and by workers.

The exports are served by a real HTTP server on 127.0.0.1 that honours ``If-None-Match``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from scanapp.config import load_settings, set_settings
from scanapp.db import session_scope
from scanapp.models import VulnerabilitySource, utcnow
from scanapp.pipes import vulndb
from tests.runs.conftest import Workers, wait_for
from tests.vulnerabilities.osv_data import RECORDS, record, write_zip
from tests.vulnerabilities.osv_server import OSVServer
from tests.vulnerabilities.test_vulndb_load import both_databases

PYPI = "/PyPI/all.zip"


@pytest.fixture
def osv_server():
    """The OSV export server, stopped after the test."""
    server = OSVServer()
    yield server
    server.close()


def use_urls(monkeypatch, *urls: str) -> None:
    """Set SCANAPP_VULNDB_URLS here and for the workers a test starts."""
    monkeypatch.setenv("SCANAPP_VULNDB_URLS", " ".join(urls))
    set_settings(load_settings())


def refresh(runner, *options: str) -> tuple[int, list[dict]]:
    from scanapp.cli import cli

    result = runner.invoke(cli, ["vulndb", "refresh", "--json", *options])
    return result.exit_code, [json.loads(line) for line in result.output.splitlines()
                              if line.startswith("{")]


@both_databases
def test_an_export_is_loaded_then_not_downloaded_again_until_it_changes(
        settings, runner, tmp_path, monkeypatch, osv_server):
    url = osv_server.publish(PYPI, write_zip(tmp_path / "osv.zip"))
    use_urls(monkeypatch, url)

    code, [first] = refresh(runner)
    assert code == 0
    assert first["status"] == "loaded" and first["figures"]["added"] == len(RECORDS)
    assert vulndb.stats()["records"] == len(RECORDS)
    assert osv_server.gets(PYPI)[0]["if_none_match"] is None

    code, [second] = refresh(runner)
    asked = osv_server.gets(PYPI)[1]
    assert code == 0 and second["status"] == "not modified"
    assert asked["if_none_match"].startswith('"') and asked["if_modified_since"]

    newer = record("PYSEC-2024-9", "PyPI", "idna", versions=["3.6", "3.7"],
                   modified="2024-09-01T00:00:00Z", summary="exact versions, one more")
    osv_server.publish(PYPI, write_zip(tmp_path / "newer.zip", [*RECORDS[:3], newer]))
    code, [third] = refresh(runner)
    assert third["status"] == "loaded"
    assert (third["figures"]["replaced"], third["figures"]["unchanged"]) == (1, 3)

    code, [forced] = refresh(runner, "--force")
    assert osv_server.gets(PYPI)[-1]["if_none_match"] is None
    assert forced["status"] == "loaded" and forced["figures"]["unchanged"] == 4


def test_a_failing_url_is_recorded_and_the_others_still_load(settings, runner, tmp_path,
                                                             monkeypatch, osv_server):
    good = osv_server.publish(PYPI, write_zip(tmp_path / "osv.zip"))
    missing = osv_server.url("/npm/all.zip")
    use_urls(monkeypatch, missing, good)

    code, outcomes = refresh(runner)
    assert code == 1
    assert [outcome["status"] for outcome in outcomes] == ["failed", "loaded"]
    assert "HTTP 404" in outcomes[0]["error"]
    assert vulndb.stats()["records"] == len(RECORDS)
    from scanapp.cli import cli

    shown = json.loads(runner.invoke(cli, ["vulndb", "stats", "--json"]).output)
    assert [(source["url"], source["status"]) for source in shown["sources"]] == [
        (missing, "failed"), (good, "loaded")]


def test_refresh_without_urls_says_what_to_set(settings, runner):
    from scanapp.cli import cli

    result = runner.invoke(cli, ["vulndb", "refresh"])
    assert result.exit_code == 2 and "SCANAPP_VULNDB_URLS is not set" in result.output


@both_databases
def test_workers_refresh_when_due_and_one_worker_only(settings, redis_url, tmp_path,
                                                       monkeypatch, osv_server):
    url = osv_server.publish(PYPI, write_zip(tmp_path / "osv.zip"))
    use_urls(monkeypatch, url)
    workers = Workers(tmp_path)
    try:
        together = [workers.start("--burst"), workers.start("--burst")]
        for process in together:
            process.wait(timeout=120)
        assert len(osv_server.gets(PYPI)) == 1, [workers.log_text(p) for p in together]
        wait_for(lambda: vulndb.stats()["records"] == len(RECORDS), 30)

        workers.burst()  # checked less than SCANAPP_VULNDB_REFRESH_INTERVAL ago: not asked
        assert len(osv_server.gets(PYPI)) == 1

        with session_scope() as session:
            session.execute(sa.update(VulnerabilitySource).values(
                checked_date=utcnow() - timedelta(days=2)))
        workers.burst()
        assert len(osv_server.gets(PYPI)) == 2
        assert osv_server.gets(PYPI)[1]["if_none_match"]
        with session_scope() as session:
            source = session.exec(select(VulnerabilitySource)).one()
            assert source.status == "not modified"
            assert utcnow() - source.checked_date.replace(tzinfo=utcnow().tzinfo) \
                < timedelta(minutes=5)
    finally:
        workers.stop_all()
