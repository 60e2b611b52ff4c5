"""The package search across projects on stored rows: namespaces, ranges, licenses, access."""

from __future__ import annotations

import pytest

from scanapp.services.users import create_user
from tests.conftest import override
from tests.factories import make_dependency, make_package, make_project

LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core"


def entries(client, query: str, headers=None) -> dict:
    answer = client.get(f"/api/packages/?{query}", headers=headers or {})
    assert answer.status_code == 200, answer.json
    return {entry["purl"]: [v["version"] for v in entry["versions"]]
            for entry in answer.json["results"]}

both_databases = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@both_databases
def test_a_purl_names_every_version_a_namespace_every_package_of_it(client):
    old, new = make_project("app-1.4"), make_project("app-1.5")
    make_package(old, f"{LOG4J}@2.14.1", declared_license_expression="apache-2.0")
    make_package(new, f"{LOG4J}@2.17.1", declared_license_expression="apache-2.0")
    make_package(new, "pkg:maven/org.apache.logging.log4j/log4j-api@2.17.1",
                 declared_license_expression="mit AND apache-2.0")
    make_package(new, "pkg:maven/org.apache.logging.log4jx/other@1.0",
                 declared_license_expression="gpl-2.0-plus")
    make_package(new, "pkg:maven/org.apache.logging.log4j/sub/deep@1.0")  # a longer namespace
    make_package(new, "pkg:maven/org.apache.logging.log40/x@1.0")  # '0' follows '/' in ASCII
    assert entries(client, f"purl={LOG4J}") == {LOG4J: ["2.14.1", "2.17.1"]}
    assert set(entries(client, "purl=pkg:maven/org.apache.logging.log4j")) == {
        LOG4J, "pkg:maven/org.apache.logging.log4j/log4j-api",
        "pkg:maven/org.apache.logging.log4j/sub/deep"}
    assert set(entries(client, "purl=pkg:maven/ORG.apache.logging.log4j/sub")) == {
        "pkg:maven/org.apache.logging.log4j/sub/deep"}
    assert entries(client, "purl=pkg:maven/org.apache") == {}  # a prefix ends at a segment
    # The CVE question: which projects ship log4j-core 2.0 to 2.16?
    vulnerable = client.get(f"/api/packages/?purl={LOG4J}&version_range=vers:maven/>=2.0|<2.17"
                            ).json["results"]
    assert [(v["version"], [p["name"] for p in v["projects"]])
            for v in vulnerable[0]["versions"]] == [("2.14.1", ["app-1.4"])]
    assert set(entries(client, "license=apache-2.0")) == {
        LOG4J, "pkg:maven/org.apache.logging.log4j/log4j-api"}  # a key of "mit AND apache-2.0"
    assert entries(client, "license=gpl-2.0") == {}  # not gpl-2.0-plus
    bad = client.get("/api/packages/?purl=pkg:")
    assert bad.status_code == 400 and "purl" in bad.json["errors"]
    unknown = client.get("/api/packages/?colour=red")
    assert unknown.status_code == 400


def test_a_namespaced_package_is_named_by_an_encoded_segment_or_a_parameter(client):
    project = make_project("app")
    package = make_package(project, f"{LOG4J}@2.14.1")
    make_dependency(project, f"{LOG4J}@2.14.1", type="maven",
                    namespace="org.apache.logging.log4j", name="log4j-core",
                    extracted_requirement="2.14.1", for_package_uid=package.package_uid)
    encoded = client.get("/api/packages/maven/org.apache.logging.log4j%2Flog4j-core/")
    assert encoded.status_code == 200 and encoded.json["namespace"] == "org.apache.logging.log4j"
    by_parameter = client.get(
        "/api/packages/maven/log4j-core/?namespace=org.apache.logging.log4j")
    assert by_parameter.json == encoded.json
    version = client.get("/api/packages/maven/org.apache.logging.log4j%2Flog4j-core"
                         "/versions/2.14.1/").json
    assert [d["extracted_requirement"] for d in version["dependencies"]] == ["2.14.1"]
    dependents = client.get(
        "/api/packages/maven/log4j-core/dependents/?namespace=org.apache.logging.log4j").json
    assert dependents["count"] == 1 and dependents["results"][0]["dependent_package"] == (
        f"{LOG4J}@2.14.1")


def test_pages_hold_the_page_size_of_packages(client):
    project = make_project("many")
    for number in range(7):
        make_package(project, f"pkg:npm/package-{number}@1.0.0")
    override(page_size=3)
    first = client.get("/api/packages/?type=npm").json
    assert first["count"] == 7 and len(first["results"]) == 3 and first["next"]
    last = client.get("/api/packages/?type=npm&page=3").json
    assert [e["name"] for e in last["results"]] == ["package-6"] and last["next"] is None
    assert client.get("/api/packages/?type=npm&page=4").status_code == 404


def test_the_search_and_stats_cover_only_what_the_caller_sees(client):
    alice, bob = create_user("alice"), create_user("bob")
    override(require_authentication=True)
    made = client.post("/api/projects/", json={"name": "alice-app"},
                       headers={"Authorization": f"Bearer {alice}"})
    assert made.status_code == 201
    from scanapp.services.lookup import load_project

    make_package(load_project(made.json["uuid"]), "pkg:pypi/secret@1.0")
    as_alice = {"Authorization": f"Bearer {alice}"}
    as_bob = {"Authorization": f"Bearer {bob}"}
    assert entries(client, "purl=pkg:pypi/secret", as_alice) == {"pkg:pypi/secret": ["1.0"]}
    assert entries(client, "purl=pkg:pypi/secret", as_bob) == {}
    assert client.get("/api/packages/pypi/secret/", headers=as_bob).status_code == 404
    assert client.get("/api/stats/", headers=as_bob).json["packages"] == 0
    assert client.get("/api/stats/", headers=as_bob).json["scan_cache"] is None
    assert client.get("/api/stats/", headers=as_alice).json["projects"] == 1
    assert client.get("/api/packages/").status_code == 401


def test_versions_are_in_their_schemes_order(client):
    project = make_project("app")
    for version in ("2.10.0", "2.9.0", "not-a-version", "2.9.1"):
        make_package(project, f"pkg:npm/%40example/lib@{version}")
    entry = client.get("/api/packages/npm/@example%2Flib/").json
    assert [v["version"] for v in entry["versions"]] == [
        "2.9.0", "2.9.1", "2.10.0", "not-a-version"]


def test_a_type_beside_a_purl_narrows_or_empties_it(client):
    project = make_project("app")
    make_package(project, f"{LOG4J}@2.14.1")
    assert set(entries(client, f"purl={LOG4J}&type=maven")) == {LOG4J}
    assert entries(client, f"purl={LOG4J}&type=npm") == {}
    assert set(entries(client, f"purl={LOG4J}&type=maven&version_range=vers:maven/<3")) == {LOG4J}


def test_the_search_answers_exactly_what_its_schema_documents(client):
    from scanapp.schemas.packages import PackagePageSchema

    project = make_project("app")
    make_package(project, f"{LOG4J}@2.14.1", declared_license_expression="apache-2.0",
                 compliance_alert="warning")
    answer = client.get("/api/packages/?purl=pkg:maven").json
    assert PackagePageSchema().dump(answer) == answer  # no field more, none less, same types
    holder = answer["results"][0]["versions"][0]["projects"][0]
    assert holder == {"name": "app", "uuid": project.uuid,
                      "package_uid": holder["package_uid"],
                      "declared_license_expression": "apache-2.0",
                      "compliance_alert": "warning"}


@both_databases
def test_a_page_reads_its_packages_by_identity_whatever_their_names_hold(client):
    project = make_project("odd-names")
    odd = ['pkg:npm/%40scope/it%22s', "pkg:npm/%40scope/back%5Cslash", "pkg:pypi/caf%C3%A9",
           "pkg:generic/a%2C%20b", "pkg:npm/UPPER"]
    for purl in odd:
        make_package(project, f"{purl}@1.0")
        make_package(project, f"{purl}@2.0")
    make_package(project, "pkg:npm/upper@3.0")  # the same package as UPPER, without case
    found = {purl.replace("UPPER", "upper"): versions  # shown as one of its rows has it
             for purl, versions in entries(client, "").items()}
    assert sorted(found) == sorted(['pkg:npm/@scope/it"s', "pkg:npm/@scope/back\\slash",
                                    "pkg:pypi/café", "pkg:generic/a, b", "pkg:npm/upper"])
    assert found["pkg:npm/upper"] == ["1.0", "2.0", "3.0"]
    assert all(versions[:2] == ["1.0", "2.0"] for versions in found.values())
