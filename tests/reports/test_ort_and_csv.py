"""The ``ort-package-list`` and ``csv`` outputs of stored records: renderers, API and CLI."""

from __future__ import annotations

import ast
import csv
import io
import os
import re
import subprocess
import sys
import zipfile

import pytest
import saneyaml
import yaml

from outputs import csv_zip, data, ort
from scanapp.models import DiscoveredPackage, InputSource
from scanapp.services.outputs import write_output
from tests.factories import (
    _make,
    make_dependency,
    make_message,
    make_package,
    make_project,
    make_resource,
)
from tests.reports.validators import ort_package_list_errors

NAME = re.compile(r'attachment; filename="?(?P<name>[^"]+)"?')
STAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"
PARTIES = [
    {"type": "person", "role": "maintainer", "name": "Zoe", "email": None, "url": None},
    {"type": "person", "role": "author", "name": "Ann", "email": "ann@example.com", "url": None},
    {"type": "person", "role": "author", "name": "Zoe", "email": "z@example.com", "url": None},
    {"type": "person", "role": "contributor", "name": "Cid", "email": None, "url": None},
    {"type": "person", "role": "maintainer", "name": None, "email": "x@example.com", "url": None},
]
DESCRIPTION = "A shop.\n\n  Indented: yes\n# not a comment\n\ttab and trailing space \n"


@pytest.fixture
def project(settings):
    """A project with three packages (one without license), a dependency, files, a message."""
    item = make_project("web-app")
    make_package(
        item, "pkg:npm/shop@1.0.0:beta", parties=PARTIES, description=DESCRIPTION,
        declared_license_expression="mit", declared_license_expression_spdx="MIT",
        homepage_url="https://shop.example.com", vcs_url="git+https://example.com/shop.git",
        download_url="https://example.com/shop-1.0.0.tgz",
        uuid="00000000-0000-4000-8000-00000000000b",
    )
    make_package(item, "pkg:npm/left-pad@1.3.0", declared_license_expression="bsd-new OR mit",
                 uuid="00000000-0000-4000-8000-00000000000a")
    make_package(item, "pkg:generic/blob", uuid="00000000-0000-4000-8000-00000000000c")
    make_dependency(item, "pkg:npm/chalk", name="chalk", type="npm",
                    datasource_id="npm_package_json")
    make_resource(item, "b.py", size=3, is_text=True, percentage_of_license_text=12.5,
                  copyrights=[{"copyright": "Copyright Shop", "start_line": 1, "end_line": 2}],
                  for_packages=["pkg:npm/shop@1.0.0?uuid=1"], extra_data={"zeta": 1, "ab": [True]})
    make_resource(item, "a", type="directory")
    make_resource(item, "a/link", type="symlink")
    make_message(item, "failed", model="scan", details={"path": "b.py", "error": "boom"},
                 traceback="Traceback:\n  line 1\n")
    return item


def _ort(project) -> str:
    return write_output(project.uuid, "ort-package-list").read_text(encoding="utf-8")


def test_ort_package_list_as_scancodeio_writes_it(project):
    text = _ort(project)
    document = yaml.safe_load(text)
    assert ort_package_list_errors(document) == []
    assert document["projectName"] == "web-app"
    assert document["projectVcs"] == {"type": None, "url": None, "revision": None, "path": None}
    left_pad, shop, blob = document["dependencies"]  # by uuid, as ScanCode.io orders them
    assert list(shop) == ["id", "purl", "vcs", "sourceArtifact", "declaredLicenses",
                          "description", "homepageUrl", "authors"]
    assert shop == {
        "id": "npm::shop:1.0.0_beta",
        "purl": "pkg:npm/shop@1.0.0:beta",
        "vcs": {"type": None, "url": "git+https://example.com/shop.git", "revision": None,
                "path": None},
        "sourceArtifact": {"url": "https://example.com/shop-1.0.0.tgz"},
        "declaredLicenses": ["MIT"],
        "description": DESCRIPTION,
        "homepageUrl": "https://shop.example.com",
        "authors": ["Ann", "Zoe"],
    }
    assert left_pad["declaredLicenses"] == ["BSD-3-Clause OR MIT"]  # from the ScanCode keys
    assert blob["id"] == "generic::blob:" and blob["declaredLicenses"] == []
    assert blob["sourceArtifact"] == {"url": None} and blob["authors"] == []


def test_ort_package_list_streamed_is_one_dump_of_the_document(project):
    rows = data.iter_ordered(DiscoveredPackage, project.id, ("uuid",))
    whole = saneyaml.dump({
        "projectName": "web-app", "projectVcs": ort.vcs(),
        "dependencies": [ort.dependency(row) for row in rows],
    })
    assert _ort(project) == whole


def test_ort_package_list_of_a_docker_image_and_of_no_package(settings):
    item = make_project("image")
    _make(InputSource, item, download_url="docker://alpine:3.20")
    make_package(item, "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64")
    text = _ort(item)
    assert yaml.safe_load(text)["dependencies"][0]["id"] == "docker::musl:1.2.5-r0"
    empty = make_project("empty")
    assert _ort(empty) == (
        "projectName: empty\nprojectVcs:\n  type:\n  url:\n  revision:\n  path:\n"
        "dependencies: []\n"
    )
    assert ort_package_list_errors(yaml.safe_load(_ort(empty))) == []


def _csv_files(path) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"), newline="")))
            for name in archive.namelist()
        }


def test_csv_zip_one_file_per_model_with_scancodeio_columns(project):
    path = write_output(project.uuid, "csv")
    files = _csv_files(path)
    assert list(files) == ["discoveredpackage.csv", "discovereddependency.csv",
                           "codebaseresource.csv", "projectmessage.csv"]
    assert zipfile.ZipFile(path).read("projectmessage.csv").startswith(
        b"uuid,severity,description,model,details,traceback,created_date\r\n")
    packages = files["discoveredpackage.csv"]
    assert packages[0][:5] == ["purl", "type", "namespace", "name", "version"]
    assert packages[0][-1] == "affected_by_vulnerabilities" and len(packages[0]) == 49
    purl = packages[0].index("purl")
    assert [row[purl] for row in packages[1:]] == [  # by type, namespace, name, version
        "pkg:generic/blob", "pkg:npm/left-pad@1.3.0", "pkg:npm/shop@1.0.0:beta",
    ]
    shop = dict(zip(packages[0], packages[3], strict=True))
    assert shop["description"] == DESCRIPTION
    assert ast.literal_eval(shop["parties"])[0] == {  # keys in jsonb order, as ScanCode.io
        "url": None, "name": "Zoe", "role": "maintainer", "type": "person", "email": None,
    }
    assert list(ast.literal_eval(shop["parties"])[0]) == ["url", "name", "role", "type", "email"]
    assert (shop["size"], shop["is_private"], shop["keywords"]) == ("", "False", "[]")
    dependencies = files["discovereddependency.csv"]
    assert dependencies[0][0] == "purl" and dependencies[1][0] == "pkg:npm/chalk"
    assert dict(zip(*dependencies, strict=True))["for_package_uid"] == ""


def test_csv_resources_and_messages_cells(project):
    files = _csv_files(write_output(project.uuid, "csv"))
    header, *rows = files["codebaseresource.csv"]
    assert [row[0] for row in rows] == ["a", "b.py"]  # by path, the symlink left out
    file = dict(zip(header, rows[1], strict=True))
    assert file["copyrights"] == "[{'end_line': 2, 'copyright': 'Copyright Shop', 'start_line': 1}]"
    assert file["extra_data"] == "{'ab': [True], 'zeta': 1}"
    assert file["for_packages"] == "['pkg:npm/shop@1.0.0?uuid=1']"
    assert (file["size"], file["percentage_of_license_text"], file["is_text"]) == (
        "3", "12.5", "True")
    directory = dict(zip(header, rows[0], strict=True))
    assert (directory["size"], directory["md5"], directory["license_detections"]) == ("", "", "[]")
    header, message = files["projectmessage.csv"]
    message = dict(zip(header, message, strict=True))
    assert message["details"] == "{'path': 'b.py', 'error': 'boom'}"
    assert message["traceback"] == "Traceback:\n  line 1\n"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00",
                        message["created_date"])


def test_csv_cell_values():
    assert csv_zip.cell(None) is None and csv_zip.cell(0.0) == 0.0
    assert csv_zip.cell({"bb": 1, "a": {"zz": 1, "y": 2}, "é": 0}) == (
        "{'a': {'y': 2, 'zz': 1}, 'bb': 1, 'é': 0}")  # é is two bytes in UTF-8
    assert csv_zip.cell("2026-01-02T03:04:05.000006+00:00", date=True) == (
        "2026-01-02 03:04:05.000006+00:00")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_iter_ordered_keeps_the_order_across_batches(settings):
    item = make_project("many")
    for name, version in [("b", "2"), ("a", "9"), ("b", "1"), ("a", "1"), ("c", ""), ("a", "1")]:
        make_package(item, f"pkg:pypi/{name}" + (f"@{version}" if version else ""))
    rows = data.iter_ordered(DiscoveredPackage, item.id, ("name", "version"), batch_size=2)
    assert [(row["name"], row["version"]) for row in rows] == [
        ("a", "1"), ("a", "1"), ("a", "9"), ("b", "1"), ("b", "2"), ("c", ""),
    ]


@pytest.mark.parametrize(
    ("fmt", "pattern", "mimetype"),
    [
        ("ort-package-list", rf"web-app-results-{STAMP}\.package-list\.yml", "application/yaml"),
        ("csv", rf"web-app-csv-{STAMP}\.zip", "application/zip"),
    ],
)
def test_results_download(client, project, settings, fmt, pattern, mimetype):
    response = client.get(f"/api/projects/{project.uuid}/results_download/?output_format={fmt}")
    assert response.status_code == 200, response.json
    assert response.mimetype == mimetype
    name = NAME.match(response.headers["Content-Disposition"]).group("name")
    assert re.fullmatch(pattern, name)
    assert (settings.projects_dir / project.slug / "output" / name).read_bytes() == response.data
    if fmt == "csv":
        assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 4
    else:
        assert yaml.safe_load(response.data)["projectName"] == "web-app"
    response.close()


def test_all_formats_has_the_package_list_and_the_csv_zip(project):
    archive = zipfile.ZipFile(write_output(project.uuid, "all_formats"))
    names = archive.namelist()
    assert [name for name in names if name.endswith(".package-list.yml")]
    [csv_zip] = [name for name in names if name.endswith(".zip")]
    inner = zipfile.ZipFile(io.BytesIO(archive.read(csv_zip))).namelist()
    assert "discoveredpackage.csv" in inner


def _scanapp(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess on the test's settings (its SCANAPP_* environment)."""
    return subprocess.run([sys.executable, "-m", "scanapp", *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_output_cli_writes_the_csv_zip_and_the_package_list(project, tmp_path):
    target = tmp_path / "out.zip"
    result = _scanapp("output", "web-app", "--format", "csv", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert f"csv output written to {target}" in result.stderr
    assert list(_csv_files(target)) == list(csv_zip.FILES)
    listed = tmp_path / "package-list.yml"
    result = _scanapp("output", project.uuid, "--format", "ort-package-list", "--output",
                      str(listed))
    assert result.returncode == 0, result.stderr
    assert ort_package_list_errors(yaml.safe_load(listed.read_text())) == []
    printed = _scanapp("output", "web-app", "--format", "ort-package-list")
    assert printed.stdout == listed.read_text()
    bad = _scanapp("output", "web-app", "--format", "csv", "--format-version", "1")
    assert bad.returncode != 0 and "this format has no versions" in bad.stderr
