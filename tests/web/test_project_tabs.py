"""The project tabs: charts, resources (tree and file viewer), packages, dependencies,
downloads and webhooks, on rows stored directly (no scan)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from outputs.formats import DOWNLOADS
from scanapp.web.tabs import TAB_PAGES
from scanapp.workdir import workdir_for
from tests.conftest import override
from tests.factories import make_dependency, make_package, make_project, make_resource

LICENSE_TEXT = "\n".join(["# Copyright (c) 2024 Example Corp.", "#",
                          "# Licensed under the MIT License.", "", "print('hello')"]) + "\n"


@pytest.fixture
def project(settings):
    """A project with a small codebase: a directory, two files, packages and dependencies."""
    found = make_project("tabs")
    codebase = workdir_for(found.slug).codebase
    (codebase / "src").mkdir(parents=True, exist_ok=True)
    (codebase / "src" / "main.py").write_text(LICENSE_TEXT, encoding="utf-8")
    (codebase / "README").write_text("hello\n", encoding="utf-8")
    package = make_package(found, "pkg:pypi/requests@2.31.0",
                           declared_license_expression="apache-2.0", compliance_alert="ok")
    make_package(found, "pkg:npm/left-pad@1.3.0", declared_license_expression="wtfpl",
                 compliance_alert="error")
    make_resource(found, "src", type="directory")
    make_resource(
        found, "src/main.py", type="file", size=len(LICENSE_TEXT), sha1="a" * 40,
        programming_language="Python", status="scanned", detected_license_expression="mit",
        compliance_alert="ok", for_packages=[package.package_uid],
        license_detections=[{"license_expression": "mit", "matches": [
            {"license_expression": "mit", "start_line": 3, "end_line": 3}]}],
        copyrights=[{"copyright": "Copyright (c) 2024 Example Corp.", "start_line": 1,
                     "end_line": 1}],
        holders=[{"holder": "Example Corp.", "start_line": 1, "end_line": 1}])
    make_resource(found, "README", type="file", size=6, status="scanned",
                  detected_license_expression="gpl-2.0", compliance_alert="error")
    make_dependency(found, "pkg:pypi/urllib3", scope="install", is_runtime=True,
                    datafile_path="src/requirements.txt")
    make_dependency(found, "pkg:npm/lodash", scope="devDependencies", is_runtime=False,
                    resolved_to_package_uid="pkg:npm/lodash@4.17.21?uuid=1",
                    datafile_path="package.json")
    return found


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text
    return response.text


def _figure(html: str, name: str) -> str:
    return re.search(rf'<figure id="chart-{name}">(.*?)</figure>', html, re.S).group(1)


def test_charts_count_in_sql_and_draw_bars(client, project):
    html = _page(client, f"/projects/{project.uuid}/charts")
    licenses = _figure(html, "licenses")
    assert "<figcaption>" in licenses
    assert re.search(r'<th scope="row">mit</th>.*?width: 50.0%.*?<td class="count">1</td>'
                     r'<td class="percent">50.0%</td>', licenses, re.S)
    alerts = _figure(html, "alerts")
    assert re.search(r'<th scope="row">error</th>.*?<td class="count">1</td>', alerts, re.S)
    assert re.search(r'<th scope="row">scanned</th>.*?<td class="count">2</td>',
                     _figure(html, "statuses"), re.S)
    assert "Python" in _figure(html, "languages")
    types = _figure(html, "package-types")
    assert "npm" in types and "pypi" in types
    assert "<script>" not in html


def test_a_directory_lists_its_direct_children_directories_first(client, project):
    make_resource(project, "src/deep", type="directory")
    make_resource(project, "src/deep/inner.c", type="file")
    html = _page(client, f"/projects/{project.uuid}/resources/")
    names = re.findall(r'<tr class="resource (\w+)">\s*<td><a href="[^"]+">([^<]+)</a>', html)
    assert names == [("directory", "src/"), ("file", "README")]
    html = _page(client, f"/projects/{project.uuid}/resources/src/")
    names = re.findall(r'<tr class="resource (\w+)">\s*<td><a href="[^"]+">([^<]+)</a>', html)
    assert names == [("directory", "deep/"), ("file", "main.py")]  # not deep/inner.c
    assert "<td>mit</td>" in html and "<td>Python</td>" in html
    assert 'href="/projects/{}/resources/">codebase</a>'.format(project.uuid) in html


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_large_directory_is_paged(client, project):
    override(page_size=3)
    for number in range(7):
        make_resource(project, f"src/file{number}.txt", type="file")
    make_resource(project, "src/zdir", type="directory")
    def names(page: int) -> list[str]:
        html = _page(client, f"/projects/{project.uuid}/resources/src?page={page}")
        assert "9 in all" in html
        return re.findall(r'<tr class="resource \w+">\s*<td><a href="[^"]+">([^<]+)</a>', html)

    assert names(1) == ["zdir/", "file0.txt", "file1.txt"]  # directories first
    assert names(2) == ["file2.txt", "file3.txt", "file4.txt"]
    assert names(3) == ["file5.txt", "file6.txt", "main.py"]
    _page(client, f"/projects/{project.uuid}/resources/src?page=4", 404)


def test_a_file_shows_its_facts_and_marked_lines(client, project):
    html = _page(client, f"/projects/{project.uuid}/resources/src/main.py")
    assert "a" * 40 in html and "Example Corp." in html and "pkg:pypi/requests@2.31.0" in html
    license_line = re.search(r'<span class="line license" id="L3" title="mit">(.*?)\n</span>',
                             html, re.S)
    assert license_line and "Licensed under the MIT License." in license_line.group(1)
    assert re.search(r'<span class="line copyright" id="L1" title="Copyright \(c\) 2024 '
                     r'Example Corp.">', html)
    assert '<span class="line" id="L5">' in html
    assert f'href="/projects/{project.uuid}/raw/src/main.py"' in html
    download = client.get(f"/projects/{project.uuid}/raw/src/main.py")
    assert download.status_code == 200 and download.data == LICENSE_TEXT.encode()
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_file_over_the_limit_is_offered_as_a_download(client, project):
    override(file_content_max_size=10)
    html = _page(client, f"/projects/{project.uuid}/resources/src/main.py")
    assert "SCANAPP_FILE_CONTENT_MAX_SIZE" in html and 'class="source"' not in html
    assert f'href="/projects/{project.uuid}/raw/src/main.py"' in html


@pytest.mark.parametrize("path", ["../../etc/passwd", "src/../../x", "%2E%2E/%2E%2E/etc/passwd",
                                  "nothing/here"])
def test_paths_outside_the_codebase_are_not_found(client, project, path):
    for url in (f"/projects/{project.uuid}/resources/{path}",
                f"/projects/{project.uuid}/raw/{path}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "root:" not in response.text


def _cells(html: str, kind: str) -> list[str]:
    return re.findall(rf'<tr class="{kind}">\s*<td><code>([^<]+)</code>', html)


def test_packages_are_filtered_as_the_api_filters_them(client, project):
    url = f"/projects/{project.uuid}/packages"
    assert sorted(_cells(_page(client, url), "package")) == [
        "pkg:npm/left-pad@1.3.0", "pkg:pypi/requests@2.31.0"]
    html = _page(client, f"{url}?type=pypi&compliance_alert=")
    assert _cells(html, "package") == ["pkg:pypi/requests@2.31.0"]
    assert 'name="type" placeholder="type" aria-label="type" value="pypi"' in html
    assert _cells(_page(client, f"{url}?declared_license_expression=wtfpl"), "package") == [
        "pkg:npm/left-pad@1.3.0"]
    assert _cells(_page(client, f"{url}?compliance_alert=error&name=requests"), "package") == []
    api = client.get(f"/api/projects/{project.uuid}/packages/?type=pypi").json
    assert [row["purl"] for row in api["results"]] == ["pkg:pypi/requests@2.31.0"]


def test_dependencies_are_filtered_by_columns_and_resolution(client, project):
    url = f"/projects/{project.uuid}/dependencies"
    assert sorted(_cells(_page(client, url), "dependency")) == [
        "pkg:npm/lodash", "pkg:pypi/urllib3"]
    assert _cells(_page(client, f"{url}?is_runtime=true"), "dependency") == ["pkg:pypi/urllib3"]
    assert _cells(_page(client, f"{url}?is_resolved=true"), "dependency") == ["pkg:npm/lodash"]
    assert _cells(_page(client, f"{url}?is_resolved=false"), "dependency") == ["pkg:pypi/urllib3"]
    assert _cells(_page(client, f"{url}?scope=devDependencies"), "dependency") == [
        "pkg:npm/lodash"]
    assert _cells(_page(client, f"{url}?datafile_path=package.json"), "dependency") == [
        "pkg:npm/lodash"]
    assert "is_runtime: Give true or false." in _page(client, f"{url}?is_runtime=maybe", 400)


def test_the_downloads_tab_links_every_format_and_version(client, project):
    html = _page(client, f"/projects/{project.uuid}/downloads")
    for name, fmt in DOWNLOADS.items():
        link = f"/projects/{project.uuid}/download/{name}"
        assert all(f'href="{link}?version={version}"' in html for version in fmt.versions) \
            if fmt.versions else f'href="{link}"' in html


def _download(client, project, name: str, query: str = ""):
    response = client.get(f"/projects/{project.uuid}/download/{name}{query}")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith(DOWNLOADS[name].content_type.split(";")[0])
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


def test_downloads_answer_each_format_with_a_real_file(client, project):
    from openpyxl import load_workbook

    results = json.loads(_download(client, project, "json"))
    assert {item["purl"] for item in results["packages"]} >= {"pkg:pypi/requests@2.31.0"}
    workbook = load_workbook(io.BytesIO(_download(client, project, "xlsx")), read_only=True)
    assert "PACKAGES" in workbook.sheetnames
    bom = json.loads(_download(client, project, "cyclonedx", "?version=1.5"))
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5"
    assert "pkg:npm/left-pad@1.3.0" in {item.get("purl") for item in bom["components"]}
    spdx = json.loads(_download(client, project, "spdx"))
    assert spdx["spdxVersion"] == "SPDX-2.3"
    assert b"requests" in _download(client, project, "attribution")
    assert zipfile.ZipFile(io.BytesIO(_download(client, project, "all_formats"))).namelist()


def test_an_unknown_format_or_version_is_refused(client, project):
    assert "Unknown output format" in _page(
        client, f"/projects/{project.uuid}/download/pdf", 400)
    assert "Unknown version" in _page(
        client, f"/projects/{project.uuid}/download/cyclonedx?version=0.1", 400)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _delivered(project, target_url: str) -> None:
    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.models import WebhookDelivery, WebhookSubscription

    with session_scope() as session:
        hook = session.exec(select(WebhookSubscription).where(
            WebhookSubscription.project_id == project.id)).one()
        session.add(WebhookDelivery(webhook_id=hook.id, event="run.succeeded", attempt=2,
                                    target_url=target_url, response_status_code=502,
                                    delivery_error="Bad gateway", success=False))


def test_webhooks_are_added_by_the_form_and_listed_with_their_deliveries(client, project):
    url = f"/projects/{project.uuid}/webhooks"
    html = _page(client, url)
    assert "No webhook." in html
    response = client.post(url, data={"csrf_token": _csrf(html),
                                      "target_url": "https://example.com/hooks/scan",
                                      "include_summary": "on", "is_active": "on"})
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    _delivered(project, "https://example.com/hooks/scan")
    html = _page(client, url)
    assert '<code class="target">https://example.com/hooks/scan</code>' in html
    assert "include_summary: yes" in html and "include_results: no" in html
    delivery = re.search(r'<tr class="delivery">(.*?)</tr>', html, re.S).group(1)
    assert "run.succeeded" in delivery and "<td>2</td>" in delivery and "502" in delivery
    assert "failed" in delivery and "Bad gateway" in delivery
    api = client.get(f"/api/projects/{project.uuid}/webhooks/").json["results"]
    assert api[0]["include_summary"] is True and api[0]["deliveries"][0]["attempt"] == 2


def test_a_refused_webhook_url_shows_the_form_again(client, project):
    url = f"/projects/{project.uuid}/webhooks"
    response = client.post(url, data={"csrf_token": _csrf(_page(client, url)),
                                      "target_url": "ftp://example.com/x"})
    assert response.status_code == 400
    assert "use http:// or https://" in response.text
    assert 'value="ftp://example.com/x"' in response.text


def test_a_post_without_csrf_token_is_refused(client, project):
    url = f"/projects/{project.uuid}/webhooks"
    _page(client, url)
    response = client.post(url, data={"target_url": "https://example.com/hooks/scan"})
    assert response.status_code == 400 and "CSRF" in response.text
    assert "No webhook." in _page(client, url)


TABS = (*TAB_PAGES, "resources/src/main.py", "download/json", "raw/src/main.py")


def _sign_in(client, key: str) -> None:
    response = client.post("/login", data={"key": key,
                                           "csrf_token": _csrf(_page(client, "/login"))})
    assert response.status_code == 302, response.text


def test_with_authentication_on_a_hidden_project_is_not_found(client, project):
    from scanapp.db import session_scope
    from scanapp.models import Project
    from scanapp.services.users import authenticate, create_user

    override(require_authentication=True)
    key = create_user("alice", "alice@example.com")
    assert client.get(f"/projects/{project.uuid}/charts").status_code == 302  # sign in first
    _sign_in(client, key)
    for tab in TABS:
        response = client.get(f"/projects/{project.uuid}/{tab}")
        assert response.status_code == 404, tab
        assert "Project not found." in response.text
    response = client.post(f"/projects/{project.uuid}/webhooks", data={
        "csrf_token": _csrf(_page(client, "/projects/")), "target_url": "https://example.com/"})
    assert response.status_code == 404
    with session_scope() as session:  # alice's own project: she sees it
        mine = session.get(Project, project.id)
        mine.created_by_id = authenticate(key).user_id
        session.add(mine)
    for tab in TABS:
        assert client.get(f"/projects/{project.uuid}/{tab}").status_code == 200, tab
