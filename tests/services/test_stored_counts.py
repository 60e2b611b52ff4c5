"""Stored project counts: equal to the recomputed ones after a run and after writes outside runs."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlmodel import select

from scanapp import lifecycle
from scanapp.db import get_engine, session_scope
from scanapp.models import CodebaseResource, Run, RunStatus, StoredCounts
from scanapp.services import counts, listing, pages
from scanapp.services.run_end import finish_run
from tests.conftest import override
from tests.factories import (
    make_dependency,
    make_message,
    make_package,
    make_project,
    make_resource,
    make_run,
)

BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def stored(project) -> StoredCounts | None:
    with session_scope() as session:
        return session.get(StoredCounts, project.id)


def recomputed(project) -> dict:
    with session_scope() as session:
        return counts.compute_counts(session, project.id)


def detail(client, project) -> dict:
    response = client.get(f"/api/projects/{project.uuid}/")
    assert response.status_code == 200
    return response.json


def forget_counts(project) -> None:
    """Remove the stored counts, as a database from before they were stored has none."""
    with session_scope() as session:
        session.execute(sa.delete(StoredCounts).where(StoredCounts.project_id == project.id))


def many_resources(project, items) -> list[dict]:
    """Store resources of (path, status) in one bulk insert; return their rows."""
    defaults = CodebaseResource(project_id=project.id, path="").model_dump(exclude={"id"})
    rows = [{**defaults, "path": path, "name": path, "status": status} for path, status in items]
    with get_engine().begin() as connection:
        connection.execute(sa.insert(CodebaseResource), rows)
    return rows


def scan_file(tmp_path):
    """A small ScanCode toolkit JSON scan: files of two statuses, a package, a dependency."""
    uid = "pkg:pypi/demo@1.0?uuid=1"
    document = {
        "headers": [{"tool_name": "scancode-toolkit", "tool_version": "32.0.0",
                     "errors": ["one header error"]}],
        "packages": [{"type": "pypi", "name": "demo", "version": "1.0",
                      "purl": "pkg:pypi/demo@1.0", "package_uid": uid}],
        "dependencies": [{"purl": "pkg:pypi/dep", "dependency_uid": "pkg:pypi/dep?uuid=2",
                          "for_package_uid": uid, "is_runtime": True, "is_optional": False}],
        "files": [
            {"path": "demo", "type": "directory"},
            {"path": "demo/a.py", "type": "file", "programming_language": "Python",
             "detected_license_expression": "mit", "for_packages": [uid]},
            {"path": "demo/b.txt", "type": "file"},
        ],
    }
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(document))
    return path


@BOTH
def test_a_run_stores_the_counts_it_ends_with(client, settings, tmp_path):
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process

    project = create_project(ProjectRequest(name="loaded", uploads=[(scan_file(tmp_path), "")],
                                            pipelines=["load_inventory"]))
    with session_scope() as session:
        run = session.exec(select(Run).where(Run.project_id == project.id)).one()
    assert execute_in_process(run.id) == 0
    kept = stored(project)
    assert kept.counts == recomputed(project)
    assert kept.counts["resource_count"] == 3 and kept.counts["message_count"] == 1
    assert kept.counts["discovered_dependencies_summary"]["is_runtime"] == 1
    served = detail(client, project)
    forget_counts(project)
    assert detail(client, project) == served  # recomputed on a database without them
    assert stored(project).counts == kept.counts  # and stored again


@BOTH
def test_writes_outside_runs_refresh_the_counts(client, settings):
    project = make_project("outside")
    make_resource(project, "a.py", status="scanned")
    make_package(project)
    make_dependency(project, is_optional=True)
    assert detail(client, project)["resource_count"] == 1
    assert stored(project).counts == recomputed(project)

    lifecycle.add_message(project.id, "after the run")
    assert stored(project).counts is None
    assert detail(client, project)["message_count"] == 1
    assert stored(project).counts == recomputed(project)

    response = client.post(f"/api/projects/{project.uuid}/reset/", json={})
    assert response.status_code == 200
    after = detail(client, project)
    assert after["resource_count"] == after["message_count"] == after["package_count"] == 0
    assert stored(project).counts == recomputed(project)


def test_counts_are_not_stored_while_a_run_is_running(client, settings):
    project = make_project("running")
    run = make_run(project, status=RunStatus.NOT_STARTED)
    assert lifecycle.claim(run.id)
    make_resource(project, "a.py", status="scanned")
    assert detail(client, project)["resource_count"] == 1
    make_resource(project, "b.py")  # the run writes on
    assert detail(client, project)["resource_count"] == 2
    page = client.get(f"/api/projects/{project.uuid}/resources/").json
    assert page["count"] == 2
    assert stored(project).counts is None
    assert lifecycle.end(run.id, 0, "")
    finish_run(run.id, start_next=False)
    assert stored(project).counts == recomputed(project)
    assert stored(project).counts["codebase_resources_summary"] == {"": 1, "scanned": 1}


def test_a_late_run_end_makes_the_counts_stale(settings):
    project = make_project("late")
    run = make_run(project)
    assert lifecycle.claim(run.id) and lifecycle.stop(run.id)
    counts.refresh_counts(project.id)
    make_resource(project, "written-after-the-stop.py")
    assert not lifecycle.end(run.id, 0, "")  # the stopped run's process ends late
    assert stored(project).counts is None
    with session_scope() as session:
        assert counts.current_counts(session, project.id)["resource_count"] == 1


def test_a_stale_store_is_dropped(settings):
    project = make_project("raced")
    counts.refresh_counts(project.id)
    generation = stored(project).generation
    with session_scope() as session:
        lifecycle.invalidate_counts(session, project.id)
    make_resource(project, "a.py")
    counts._store(project.id, generation, {"resource_count": 0})  # computed before the write
    assert stored(project).counts is None
    counts.refresh_counts(project.id)
    assert stored(project).counts["resource_count"] == 1


def test_filtered_list_lengths_are_kept_until_the_next_write(settings):
    project = make_project("lists")
    name = pages.list_name("resources", {"status": "scanned"})
    with session_scope() as session:  # no current counts: nothing kept
        assert pages.list_count(session, project.id, name, lambda: 7) == 7
    counts.refresh_counts(project.id)
    long = pages.LIST_COUNT_MIN
    with session_scope() as session:
        assert pages.list_count(session, project.id, name, lambda: 5) == 5  # short: not kept
        assert pages.list_count(session, project.id, name, lambda: long) == long
        assert pages.list_count(session, project.id, name, lambda: 1) == long
        other = pages.list_name("resources", {"status": "ignored"})
        assert pages.list_count(session, project.id, other, lambda: 3) == 3
    with session_scope() as session:  # compliance alerts changed: the lists only
        lifecycle.invalidate_counts(session, project.id, lists_only=True)
    assert stored(project).counts is not None and stored(project).list_counts is None
    with session_scope() as session:
        assert pages.list_count(session, project.id, name, lambda: 2) == 2


def test_compliance_alerts_changed_clear_the_counts_and_the_charts_count_them(settings):
    from scanapp.services.compliance import set_project_policies

    project = make_project("alerts")
    make_resource(project, "a.py", detected_license_expression="gpl-2.0")
    counts.refresh_counts(project.id)
    generation = stored(project).generation
    set_project_policies(project.uuid, {"license_policies": [
        {"license_key": "gpl-2.0", "compliance_alert": "error"}]})
    assert stored(project).generation == generation + 1
    assert stored(project).counts is None  # the charts count the alerts
    refreshed = counts.refresh_counts(project.id)
    assert refreshed["charts"]["file_alerts"] == {"error": 1}
    assert stored(project).counts == recomputed(project)


def test_pages_far_down_are_found_by_their_keys(client, settings):
    override(page_size=2)
    project = make_project("deep")
    rows = many_resources(project, [(f"f{n:05d}", "scanned" if n % 2 else "")
                                    for n in range(2 * listing.KEYED_OFFSET + 10)])
    counts.refresh_counts(project.id)
    number = listing.KEYED_OFFSET // 2 + 3
    page = client.get(f"/api/projects/{project.uuid}/resources/?page={number}").json
    skipped = (number - 1) * 2
    assert [item["path"] for item in page["results"]] == [f"f{skipped:05d}", f"f{skipped + 1:05d}"]
    assert page["count"] == len(rows)
    number = listing.KEYED_OFFSET // 2 + 2
    filtered = client.get(f"/api/projects/{project.uuid}/resources/?status=scanned&page={number}")
    skipped = (number - 1) * 2
    expected = [f"f{n:05d}" for n in range(1, len(rows), 2)][skipped:skipped + 2]
    assert [item["path"] for item in filtered.json["results"]] == expected
    assert filtered.json["count"] == len(rows) // 2


@BOTH
def test_pages_far_down_start_from_kept_anchors(client, settings):
    project = make_project("anchored")
    total = 2 * pages.ANCHOR_EVERY + 120
    rows = many_resources(project, [(f"d{n % 7}/f{n:06d}", "scanned" if n % 3 else "")
                                    for n in range(total)])
    counts.refresh_counts(project.id)
    paths = sorted(row["path"] for row in rows)
    size = 50
    base = f"/api/projects/{project.uuid}/resources/"
    for number in (pages.ANCHOR_EVERY // size + 1, total // size - 1, total // size + 1):
        page = client.get(f"{base}?page={number}").json
        start = (number - 1) * size
        assert [item["path"] for item in page["results"]] == paths[start:start + size]
    assert stored(project).list_anchors[pages.list_name("resources", {})]["keys"][1] == [
        paths[pages.ANCHOR_EVERY]]
    scanned = sorted(row["path"] for row in rows if row["status"] == "scanned")
    number = pages.ANCHOR_EVERY // size + 5
    page = client.get(f"{base}?status=scanned&page={number}").json
    start = (number - 1) * size
    assert [item["path"] for item in page["results"]] == scanned[start:start + size]
    assert page["count"] == len(scanned)
    make_message(project)  # a write outside a run: anchors and lengths go with the counts
    lifecycle.add_message(project.id, "written")
    assert stored(project).list_anchors is None and stored(project).list_counts is None


def test_license_filter_matches_long_expressions(client, settings):
    project = make_project("license")
    long = " AND ".join(f"license-{n}" for n in range(60))
    make_resource(project, "long.txt", detected_license_expression=long)
    make_resource(project, "prefix.txt", detected_license_expression=long + " AND more")
    make_resource(project, "mit.txt", detected_license_expression="mit")
    url = f"/api/projects/{project.uuid}/resources/?detected_license_expression="
    assert [item["path"] for item in client.get(url + long).json["results"]] == ["long.txt"]
    assert [item["path"] for item in client.get(url + "mit").json["results"]] == ["mit.txt"]


def test_webhook_summary_uses_the_same_counts(settings):
    from scanapp.services.webhooks import project_summary

    project = make_project("hooked")
    make_resource(project, "a.py", status="scanned")
    make_message(project)
    with session_scope() as session:
        first = project_summary(session, project)
    assert stored(project).counts == recomputed(project)
    with session_scope() as session:
        assert project_summary(session, project) == first
    assert first["resource_count"] == first["message_count"] == 1
