"""results/, results_download/, outputs/, the cross-project report/ and ``scanapp output``."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from openpyxl import load_workbook

from scanapp.cli import cli
from scanapp.workdir import workdir_for
from tests.factories import make_dependency, make_package, make_project, make_resource

NAME = re.compile(r'attachment; filename="?(?P<name>[^"]+)"?')
STAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"


@pytest.fixture
def project(settings):
    """A small stored project."""
    item = make_project("web-app", labels=["release"])
    package = make_package(item, "pkg:pypi/flask@3.1.0", declared_license_expression="bsd-new",
                           declared_license_expression_spdx="BSD-3-Clause")
    make_dependency(item, "pkg:pypi/werkzeug", name="werkzeug",
                    for_package_uid=package.package_uid)
    make_resource(item, "app.py", sha1="a" * 40, size=3, status="requires-review")
    return item


def _attachment(response) -> str:
    return NAME.match(response.headers["Content-Disposition"]).group("name")


def test_results_is_the_json_output(client, project):
    response = client.get(f"/api/projects/{project.uuid}/results/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.is_streamed and "Content-Length" not in response.headers
    assert response.json["headers"][0]["uuid"] == project.uuid
    assert [entry["path"] for entry in response.json["files"]] == ["app.py"]
    response.close()
    missing = client.get("/api/projects/00000000-0000-0000-0000-000000000000/results/")
    assert missing.status_code == 404 and missing.json["message"] == "Project not found."


@pytest.mark.parametrize(
    ("fmt", "extension", "mimetype"),
    [
        ("json", "json", "application/json"),
        ("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("spdx", "spdx.json", "application/json"),
        ("cyclonedx", "cdx.json", "application/vnd.cyclonedx+json"),
        ("attribution", "html", "text/html"),
        ("all_formats", "zip", "application/zip"),
    ],
)
def test_results_download_each_format(client, project, settings, fmt, extension, mimetype):
    url = f"/api/projects/{project.uuid}/results_download/?output_format={fmt}"
    response = client.get(url)
    assert response.status_code == 200, response.json
    assert response.mimetype == mimetype
    name = _attachment(response)
    kind = {"json": "results", "xlsx": "results"}.get(fmt, fmt)
    assert re.fullmatch(rf"web-app-{kind}-{STAMP}\.{re.escape(extension)}", name)
    kept = settings.projects_dir / project.slug / "output" / name
    assert kept.read_bytes() == response.data
    response.close()


def test_results_download_versions(client, project):
    url = f"/api/projects/{project.uuid}/results_download/"
    spdx = client.get(url + "?output_format=spdx&version=2.2")
    assert json.loads(spdx.data)["spdxVersion"] == "SPDX-2.2"
    cdx = client.get(url + "?output_format=cyclonedx&version=1.4")
    assert json.loads(cdx.data)["specVersion"] == "1.4"
    for response in (spdx, cdx):
        response.close()


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [
        ("output_format=pdf", "output_format", "all_formats, all_outputs"),
        ("output_format=spdx&version=9", "version", "Choose one of: 2.3, 2.2"),
        ("output_format=xlsx&version=1", "version", "this format has no versions"),
        ("output_format=all_formats&version=1", "version", "has no versions"),
    ],
)
def test_results_download_refuses_unknown_choices(client, project, query, field, text):
    response = client.get(f"/api/projects/{project.uuid}/results_download/?{query}")
    assert response.status_code == 400
    assert text in response.json["errors"][field][0]
    assert text in response.json["message"]


def test_unknown_project_is_404(client, settings):
    missing = "00000000-0000-4000-8000-000000000000"
    for action in ("results", "results_download", "outputs"):
        response = client.get(f"/api/projects/{missing}/{action}/")
        assert response.status_code == 404, action
        assert response.json["message"] == "Project not found."


def test_all_outputs_zips_the_output_folder(client, project):
    base = f"/api/projects/{project.uuid}/results_download/?output_format="
    first = client.get(base + "spdx")
    spdx_name = _attachment(first)
    first.close()
    response = client.get(base + "all_outputs")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == [spdx_name]
    response.close()


def test_outputs_lists_and_serves_files(client, project):
    base = f"/api/projects/{project.uuid}"
    client.get(f"{base}/results_download/?output_format=attribution").close()
    listed = client.get(f"{base}/outputs/").json
    assert len(listed) == 1
    name = listed[0]["filename"]
    assert listed[0]["download_url"].endswith(f"/outputs/?filename={name}")
    served = client.get(f"{base}/outputs/?filename={name}")
    assert served.status_code == 200 and b"flask" in served.data
    served.close()
    for bad in ("../../scanapp.sqlite3", "/etc/passwd", "missing.json"):
        assert client.get(f"{base}/outputs/", query_string={"filename": bad}).status_code == 404


def test_cross_project_report(client, project):
    other = make_project("cli-tool", labels=["internal"])
    make_package(other, "pkg:npm/chalk@5.0.0")
    response = client.get("/api/projects/report/?model=package")
    assert response.status_code == 200
    assert re.fullmatch(rf"scanapp-report-package-{STAMP}\.xlsx", _attachment(response))
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["PACKAGES"]
    rows = list(workbook["PACKAGES"].values)
    assert rows[0][0] == "project" and rows[0][-1] == "xlsx_errors"
    purl = rows[0].index("purl")
    assert sorted((row[0], row[purl]) for row in rows[1:]) == [
        ("cli-tool", "pkg:npm/chalk@5.0.0"), ("web-app", "pkg:pypi/flask@3.1.0"),
    ]
    response.close()
    filtered = client.get("/api/projects/report/?model=todo&label=release")
    rows = list(load_workbook(io.BytesIO(filtered.data), read_only=True)["TODOS"].values)
    assert [(row[0], row[1]) for row in rows[1:]] == [("web-app", "app.py")]
    filtered.close()
    named = client.get("/api/projects/report/?model=dependency&name__contains=cli")
    assert len(list(load_workbook(io.BytesIO(named.data))["DEPENDENCIES"].values)) == 1
    named.close()


@pytest.mark.parametrize(("query", "text"), [("", "required"), ("model=vulnerability", "Unknown")])
def test_report_needs_a_known_model(client, settings, query, text):
    response = client.get(f"/api/projects/report/?{query}")
    assert response.status_code == 400
    assert text in response.json["errors"]["model"][0]
    assert "package, dependency, resource, relation, message, todo" in response.json["message"]


def test_output_cli(runner, project, tmp_path):
    target = tmp_path / "sbom.json"
    result = runner.invoke(
        cli, ["output", "web-app", "--format", "cyclonedx", "--format-version", "1.5",
              "--output", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["specVersion"] == "1.5"
    printed = runner.invoke(cli, ["output", project.uuid])
    assert json.loads(printed.stdout)["packages"][0]["purl"] == "pkg:pypi/flask@3.1.0"
    bad = runner.invoke(cli, ["output", "nope"])
    assert "No project named or with uuid 'nope'" in str(bad.exception)
    version = runner.invoke(cli, ["output", "web-app", "--format", "spdx", "--format-version", "3"])
    assert "Choose one of: 2.3, 2.2" in str(version.exception)


def test_all_outputs_downloads_do_not_grow_the_disk(client, project, settings):
    base = f"/api/projects/{project.uuid}/results_download/?output_format="
    client.get(base + "spdx").close()
    output = workdir_for(project.slug).output
    leftover = output / "web-app-all_outputs-2026-01-01-00-00-00.zip"  # from an older version
    leftover.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    sizes = []
    for _ in range(12):
        response = client.get(base + "all_outputs")
        assert response.status_code == 200
        sizes.append(len(response.data))
        assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == [
            path.name for path in output.iterdir() if path.suffix == ".json"]
        response.close()
    assert len(set(sizes)) == 1
    assert [path.name for path in output.iterdir() if path != leftover][0].startswith(
        "web-app-spdx-2")
    assert len(list(output.iterdir())) == 2  # the spdx file and the planted leftover
    assert list(workdir_for(project.slug).tmp.iterdir()) == []


def test_output_keeps_the_latest_file_per_format_and_version(client, project):
    base = f"/api/projects/{project.uuid}/results_download/?output_format="
    names = []
    for query in ("spdx", "spdx&version=2.2", "spdx", "json", "json", "cyclonedx&version=1.5"):
        response = client.get(base + query)
        names.append(_attachment(response))
        response.close()
    kept = sorted(path.name for path in workdir_for(project.slug).output.iterdir())
    assert kept == sorted({names[1], names[2], names[4], names[5]})
    assert len([name for name in kept if "-spdx-" in name]) == 2
    assert len([name for name in kept if "-spdx-2.2-" in name]) == 1


def test_results_and_the_report_leave_no_file_behind(client, project, settings):
    response = client.get(f"/api/projects/{project.uuid}/results/")
    assert response.status_code == 200 and response.json["files"]
    response.close()
    report = client.get("/api/projects/report/?model=package")
    assert report.status_code == 200 and report.data[:2] == b"PK"
    report.close()
    assert list(workdir_for(project.slug).tmp.iterdir()) == []
    assert list((settings.workdirs / "reports").iterdir()) == []
