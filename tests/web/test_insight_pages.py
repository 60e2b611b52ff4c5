"""The package search and pages, the stats panel, and the comparison of two projects."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from scanapp.services.users import user_by_name
from tests.conftest import override
from tests.factories import make_dependency, make_package, make_project, make_resource
from tests.web.conftest import text


@pytest.fixture
def two(settings):
    """Two releases: flask 2.0 then 3.0, with log4j-core, a dependency, changed files."""
    old = make_project("app-1.0")
    new = make_project("app-2.0")
    make_package(old, "pkg:pypi/flask@2.0.0", declared_license_expression="bsd-new")
    make_package(old, "pkg:pypi/oldlib@1.0", declared_license_expression="mit")
    flask = make_package(new, "pkg:pypi/flask@3.0.0", declared_license_expression="bsd-new")
    make_package(new, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                 declared_license_expression="apache-2.0")
    make_package(new, "pkg:pypi/gplthing@1.0", declared_license_expression="gpl-2.0",
                 compliance_alert="error")
    make_dependency(new, "pkg:pypi/werkzeug@3.0.1", type="pypi", name="werkzeug",
                    namespace="", extracted_requirement=">=3.0", scope="install",
                    datafile_path="app/pyproject.toml", for_package_uid=flask.package_uid)
    make_dependency(old, "pkg:pypi/flask", type="pypi", name="flask", namespace="",
                    extracted_requirement="flask>=2", scope="install",
                    datafile_path="app/requirements.txt")
    for project, content in ((old, "a" * 64), (new, "b" * 64)):
        make_resource(project, "app/main.py", type="file", sha256=content,
                      detected_license_expression="mit")
    make_resource(new, "app/new.py", type="file", sha256="c" * 64)
    return old, new


def test_search_groups_versions_and_projects_as_the_api(client, two):
    old, new = two
    page = client.get("/packages/?purl=pkg:pypi/flask")
    assert page.status_code == 200
    html = text(page)
    api = client.get("/api/packages/?purl=pkg:pypi/flask").json["results"]
    assert [(entry["purl"], [v["version"] for v in entry["versions"]]) for entry in api] == [
        ("pkg:pypi/flask", ["2.0.0", "3.0.0"])]
    assert html.count('class="package-entry"') == 1
    assert html.index(">2.0.0<") < html.index(">3.0.0<")
    assert f'href="/projects/{old.uuid}/">app-1.0' in html
    assert f'href="/projects/{new.uuid}/">app-2.0' in html
    assert 'href="/packages/pypi/flask?version=3.0.0"' in html


@pytest.mark.parametrize(("query", "found", "absent"), [
    ("type=maven", "log4j-core", "pkg:pypi/flask"),
    ("namespace=org.apache.logging.log4j&name=log4j-core", "log4j-core", "pkg:pypi/flask"),
    ("version_range=vers:pypi/>=3.0", ">3.0.0<", ">2.0.0<"),
    ("license=gpl-2.0", "gplthing", "pkg:pypi/flask"),
    ("compliance_alert=error", "gplthing", "pkg:pypi/oldlib"),
    ("compliance_alert=ok", "pkg:pypi/oldlib", "gplthing"),
    ("name=flask&version=2.0.0", ">2.0.0<", ">3.0.0<"),
])
def test_search_filters(client, two, query, found, absent):
    html = text(client.get(f"/packages/?{query}"))
    assert found in html and absent not in html.split('class="stats"')[0]


def test_search_pages_and_refusals(client, two):
    override(page_size=1)
    first = text(client.get("/packages/?type=pypi"))
    assert "page 1 of 3" in first and "page=2" in first
    assert "pkg:pypi/gplthing" in text(client.get("/packages/?type=pypi&page=2"))
    assert client.get("/packages/?version_range=notvers").status_code == 400


def test_stats_panel(client, two):
    html = text(client.get("/packages/"))
    api = client.get("/api/stats/").json
    assert "Figures" in html and f"<strong>{api['projects']}</strong>" in html
    assert f"<strong>{api['packages']}</strong>" in html
    assert "app-2.0" in html and "mit" in html  # the newest projects, the top licenses


def test_a_package_page(client, two):
    old, new = two
    page = client.get("/packages/pypi/flask")
    assert page.status_code == 200
    html = text(page)
    assert "bsd-new" in html and "2.0.0" in html and "3.0.0" in html
    assert "Pick a version" in html
    # the dependents: app-1.0's requirements.txt names flask
    assert "flask&gt;=2" in html and f"/projects/{old.uuid}/resources/app/requirements.txt" in html
    version = text(client.get("/packages/pypi/flask?version=3.0.0"))
    assert "Dependencies of 3.0.0" in version and "pkg:pypi/werkzeug@3.0.1" in version
    assert f"/projects/{new.uuid}/resources/app/pyproject.toml" in version


def test_a_namespaced_package_by_query_or_in_the_name(client, two):
    for path in ("/packages/maven/log4j-core?namespace=org.apache.logging.log4j",
                 "/packages/maven/org.apache.logging.log4j%2Flog4j-core"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "pkg:maven/org.apache.logging.log4j/log4j-core" in text(page)
    assert client.get("/packages/maven/log4j-core").status_code == 404
    assert client.get("/packages/pypi/flask?version=9.9").status_code == 404


def test_compare_shows_every_kind_of_change(client, two):
    old, new = two
    form = text(client.get("/compare/"))
    assert '<option value="app-1.0">' in form and f'value="{new.uuid}"' in form
    page = client.get("/compare/?a=app-1.0&b=app-2.0")
    assert page.status_code == 200
    html = text(page)
    api = client.get(f"/api/projects/{old.uuid}/compare/?with={new.uuid}").json
    assert [item["purl"] for item in api["packages_added"]] == [
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "pkg:pypi/gplthing@1.0"]
    for item in api["packages_added"] + api["packages_removed"]:
        assert item["purl"] in html
    assert api["package_version_changes"][0]["package"] == "pkg:pypi/flask"
    assert "pkg:pypi/werkzeug@3.0.1" in html and "pkg:pypi/flask" in html  # dependencies
    assert api["alerts_new"] and api["alerts_new"][0]["identity"] in html
    assert [item["path"] for item in api["files_added"]] == ["new.py"]  # below app/
    assert "<td>new.py</td>" in html and "aaaaaaaaaaaa → bbbbbbbbbbbb" in html
    assert f'href="/compare/xlsx?a={old.uuid}&amp;b={new.uuid}"' in html


def test_compare_download_is_the_apis_xlsx(client, two):
    old, new = two
    response = client.get(f"/compare/xlsx?a={old.uuid}&b=app-2.0")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "compare-app-1.0-app-2.0.xlsx" in response.headers["Content-Disposition"]
    api = client.get(f"/api/projects/{old.uuid}/compare/?with={new.uuid}&output_format=xlsx")
    ours = load_workbook(io.BytesIO(response.data)).sheetnames
    assert ours == load_workbook(io.BytesIO(api.data)).sheetnames and ours


def test_what_one_may_not_see_answers_404(as_user, two):
    old, new = two
    alice = user_by_name("alice")
    mine = make_project("alice-own", created_by_id=alice.id)
    make_package(mine, "pkg:npm/secret-thing@1.0")
    client, _ = as_user("bob")
    assert client.get("/packages/npm/secret-thing").status_code == 404
    assert "secret-thing" not in text(client.get("/packages/?type=npm"))
    assert client.get(f"/compare/?a={mine.uuid}&b={old.uuid}").status_code == 404
    assert client.get(f"/compare/xlsx?a={old.uuid}&b={mine.uuid}").status_code == 404
    assert "alice-own" not in text(client.get("/compare/"))
    client, _ = as_user("alice")
    assert client.get("/packages/npm/secret-thing").status_code == 200
    assert "alice-own" in text(client.get("/compare/"))
