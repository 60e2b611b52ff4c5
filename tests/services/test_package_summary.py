"""The package summary follows every insert, change and deletion of packages, whoever writes."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import DiscoveredPackage, PackageChange, PackageSummary
from scanapp.services import package_summary, packages
from scanapp.services.projects import delete_project, reset_project
from scanapp.services.stats import stats
from tests.factories import make_package, make_project

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def summary() -> dict:
    """Return the summary as {(type, namespace, name, license, alert): occurrences}."""
    with session_scope() as session:
        rows = session.exec(select(PackageSummary)).all()
    counts: dict = {}
    for row in rows:
        key = (row.type, row.namespace, row.name, row.declared_license_expression,
               row.compliance_alert)
        counts[key] = counts.get(key, 0) + row.occurrences
    return counts


def counted_from_packages() -> dict:
    """Return what the summary must hold, counted from the package rows themselves."""
    with session_scope() as session:
        rows = session.exec(select(DiscoveredPackage)).all()
    counts: dict = {}
    for row in rows:
        key = (row.type, row.namespace.lower(), row.name.lower(),
               row.declared_license_expression, row.compliance_alert)
        counts[key] = counts.get(key, 0) + 1
    return counts


def changes_listed() -> int:
    with session_scope() as session:
        return len(session.exec(select(PackageChange.id)).all())


@both_databases
def test_inserts_changes_and_deletions_are_counted(settings):
    first, second = make_project("first"), make_project("second")
    make_package(first, "pkg:maven/org.Example/Lib@1.0", declared_license_expression="mit")
    make_package(second, "pkg:maven/org.example/lib@2.0", declared_license_expression="mit")
    flagged = make_package(second, "pkg:npm/left-pad@1.3.0")
    assert changes_listed() == 3  # the triggers listed each identity
    assert package_summary.refresh() == 2 and changes_listed() == 0
    assert summary() == {("maven", "org.example", "lib", "mit", ""): 2,
                         ("npm", "", "left-pad", "", ""): 1}

    with session_scope() as session:  # no change of what the summary counts
        session.execute(sa.update(DiscoveredPackage).values(extra_data={"seen": True}))
    assert changes_listed() == 0
    with session_scope() as session:  # a change of license and alert, as a policy makes
        session.execute(sa.update(DiscoveredPackage).where(DiscoveredPackage.id == flagged.id)
                        .values(declared_license_expression="gpl-3.0", compliance_alert="error"))
    assert changes_listed() >= 1
    package_summary.refresh()
    assert summary() == counted_from_packages()
    assert ("npm", "", "left-pad", "gpl-3.0", "error") in summary()

    delete_project(second.uuid)  # refreshes after deleting
    assert changes_listed() == 0
    assert summary() == counted_from_packages() == {("maven", "org.example", "lib", "mit", ""): 1}
    reset_project(first.uuid)
    assert summary() == {}


@both_databases
def test_the_search_and_the_stats_refresh_a_stale_summary_first(client):
    project = make_project("app")
    make_package(project, "pkg:pypi/flask@3.0.3", declared_license_expression="bsd-new")
    package_summary.refresh()
    make_package(project, "pkg:pypi/Flask@3.1.0", declared_license_expression="bsd-new")
    make_package(project, "pkg:pypi/jinja2@3.1.4", declared_license_expression="bsd-new")
    answer = client.get("/api/packages/?license=bsd-new").json  # stale: refreshed first
    assert [(e["name"], [v["version"] for v in e["versions"]]) for e in answer["results"]] == [
        ("flask", ["3.0.3", "3.1.0"]), ("jinja2", ["3.1.4"])]
    assert changes_listed() == 0
    make_package(project, "pkg:pypi/jinja2@3.1.5")
    figures = stats()
    assert figures["packages"] == 4  # summed from the summary, as many as stored
    assert figures["top_packages"] == [{"purl": "pkg:pypi/flask", "occurrences": 2},
                                       {"purl": "pkg:pypi/jinja2", "occurrences": 2}]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_writers_and_refreshes_agree_with_the_packages(settings):
    projects = [make_project(f"p{n}") for n in range(4)]
    failures = []

    def write(project, offset):
        try:
            for n in range(30):
                number = (n * 7 + offset) % 20  # the same identities, in different orders
                make_package(project, f"pkg:pypi/lib-{number}@1.{n}",
                             declared_license_expression=["mit", "apache-2.0"][n % 2])
                if n % 5 == 0:
                    package_summary.refresh()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(project, index * 3))
               for index, project in enumerate(projects)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    package_summary.refresh()
    assert summary() == counted_from_packages()
    assert sum(summary().values()) == 120


@both_databases
def test_many_changes_recount_every_package_at_once(settings, monkeypatch):
    monkeypatch.setattr(package_summary, "FULL_RECOUNT", 2)
    project = make_project("bulk")
    for number in range(4):
        make_package(project, f"pkg:npm/package-{number % 3}@1.{number}",
                     declared_license_expression="mit")
    assert package_summary.refresh() == 3 and changes_listed() == 0
    assert summary() == counted_from_packages()
    assert summary()[("npm", "", "package-0", "mit", "")] == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_search_during_a_refresh_reads_the_packages_themselves(client):
    from scanapp.db import get_engine

    project = make_project("app")
    make_package(project, "pkg:pypi/flask@3.0.3", declared_license_expression="bsd-new")
    with get_engine().connect() as holder:  # another refresh, holding the summary
        holder.execute(sa.text("LOCK TABLE packagesummary IN SHARE ROW EXCLUSIVE MODE"))
        assert package_summary.refresh(wait=False) == -1
        answer = client.get("/api/packages/?license=bsd-new").json
        assert [entry["purl"] for entry in answer["results"]] == ["pkg:pypi/flask"]
        assert changes_listed() == 1  # still listed: the next refresh counts it
        holder.rollback()
    assert package_summary.refresh() == 1


@both_databases
def test_a_count_is_kept_until_a_refresh_changes_the_summary(client):
    project = make_project("app")
    make_package(project, "pkg:pypi/flask@3.0.3", declared_license_expression="bsd-new")
    assert client.get("/api/packages/?license=bsd-new").json["count"] == 1
    with session_scope() as session:
        token = package_summary.state(session)
    assert token
    assert package_summary.refresh() == 0  # nothing changed: the same state, the count kept
    with session_scope() as session:
        assert package_summary.state(session) == token
        kept = [key for key in packages._COUNTS if key[1] == token]
    assert [dict(key[2]) for key in kept] == [{"license": "bsd-new"}]
    make_package(project, "pkg:pypi/jinja2@3.1.4", declared_license_expression="bsd-new")
    assert client.get("/api/packages/?license=bsd-new").json["count"] == 2  # a new state
    with session_scope() as session:
        assert package_summary.state(session) not in {None, token}
    delete_project(project.uuid)
    assert client.get("/api/packages/?license=bsd-new").json["count"] == 0
