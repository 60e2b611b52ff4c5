"""Each renderer on stored records: shapes, edge cases and the real validators."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from outputs import xlsx
from outputs.formats import check_version, get_format
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError
from scanapp.models import CodebaseRelation, Project
from scanapp.services.outputs import write_output
from tests.factories import (
    _make,
    make_dependency,
    make_message,
    make_package,
    make_project,
    make_resource,
)
from tests.reports.validators import cyclonedx_error, spdx_errors

PARTIES = [
    {"type": "person", "role": "author", "name": "Ann", "email": "ann@example.com", "url": None},
    {"type": "person", "role": "maintainer", "name": "Bob", "email": None, "url": None},
    {"type": "person", "role": "maintainer", "name": "Ann", "email": "a@example.com"},
    {"type": "person", "role": "contributor", "name": "Cid", "email": "cid@example.com"},
]


@pytest.fixture
def project(settings):
    """A project with packages, resolved and unresolved dependencies, files and a relation."""
    item = make_project("shop", notes="release 1")
    app = make_package(
        item, "pkg:npm/shop@1.0.0",
        declared_license_expression="mit", declared_license_expression_spdx="MIT",
        copyright="Copyright Shop Inc.", sha1="a" * 40, parties=PARTIES,
        homepage_url="https://shop.example.com", vcs_url="git+https://example.com/shop.git",
        bug_tracking_url="https://example.com/shop/issues",
        other_license_expression_spdx="Apache-2.0",
    )
    lib = make_package(
        item, "pkg:npm/left-pad@1.3.0",
        declared_license_expression="bsd-new OR public-domain",
        declared_license_expression_spdx="BSD-3-Clause OR LicenseRef-scancode-public-domain",
        extra_data={"scorecard": {"score": 7.5}},
    )
    make_dependency(
        item, "pkg:npm/left-pad@1.3.0", name="left-pad", version="1.3.0",
        for_package_uid=app.package_uid, resolved_to_package_uid=lib.package_uid,
        scope="dependencies", datafile_path="shop/package.json",
    )
    make_dependency(
        item, "pkg:npm/missing-lib", name="missing-lib",
        for_package_uid=app.package_uid, scope="devDependencies",
        extracted_requirement="^2.0.0",
    )
    make_resource(item, "shop", type="directory")
    source = make_resource(
        item, "shop/index.js", sha1="b" * 40, md5="c" * 32, size=10,
        detected_license_expression="mit", detected_license_expression_spdx="MIT",
        copyrights=[{"copyright": "Copyright Shop Inc.", "start_line": 1, "end_line": 1}],
        for_packages=[app.package_uid], status="scanned",
    )
    bundle = make_resource(
        item, "dist/bundle.js", sha1="d" * 40, size=20, status="requires-review",
        urls=[{"url": "https://example.com", "start_line": 2, "end_line": 2}],
        extra_data={"long": "x" * 40000},
    )
    _make(CodebaseRelation, item, from_resource_id=source.id, to_resource_id=bundle.id,
          map_type="js_sourcemap", score=1.0)
    make_resource(item, "shop/empty.txt", size=0, status="ignored-empty-file")
    make_message(item, "could not read shop/broken.js", severity="warning")
    return item, app, lib


def render(project_id: int, fmt: str, version: str = "") -> bytes:
    """Return a renderer's bytes."""
    buffer = io.BytesIO()
    renderer = get_format(fmt)
    renderer.render(project_id, buffer, check_version(renderer, version or None))
    return buffer.getvalue()


def test_json_is_scancode_shaped(project):
    item, app, lib = project
    document = json.loads(render(item.id, "json"))
    assert list(document) == ["headers", "packages", "dependencies", "files", "relations"]
    header = document["headers"][0]
    assert header["tool_name"] == "scanapp"
    assert header["uuid"] == item.uuid and header["notes"] == "release 1"
    assert header["messages"][0]["description"] == "could not read shop/broken.js"
    assert {package["purl"] for package in document["packages"]} == {app.purl, lib.purl}
    index = next(entry for entry in document["files"] if entry["path"] == "shop/index.js")
    assert index["for_packages"] == [app.package_uid]
    assert index["copyrights"][0]["copyright"] == "Copyright Shop Inc."
    assert document["relations"] == [{
        "from_resource": "shop/index.js", "to_resource": "dist/bundle.js",
        "map_type": "js_sourcemap", "score": 1.0, "extra_data": {},
    }]
    assert "id" not in index and "project_id" not in index


def test_json_of_an_empty_project_is_valid(settings):
    item = make_project("empty")
    document = json.loads(render(item.id, "json"))
    assert document["packages"] == document["files"] == document["relations"] == []


def test_json_streams_more_rows_than_one_batch(settings, monkeypatch):
    from outputs import data

    monkeypatch.setattr(data, "BATCH_SIZE", 3)
    item = make_project("batches")
    for number in range(10):
        make_resource(item, f"file{number}.txt")
    paths = [entry["path"] for entry in json.loads(render(item.id, "json"))["files"]]
    assert paths == [f"file{number}.txt" for number in range(10)]


def test_xlsx_sheets_columns_and_cells(project):
    item, app, _ = project
    workbook = load_workbook(io.BytesIO(render(item.id, "xlsx")), read_only=True)
    assert workbook.sheetnames == [
        "PACKAGES", "DEPENDENCIES", "RESOURCES", "RELATIONS", "MESSAGES", "TODOS",
    ]
    sheets = {name: list(workbook[name].values) for name in workbook.sheetnames}
    resources = sheets["RESOURCES"]
    columns = resources[0]
    assert columns[0] == "path" and columns[-1] == "xlsx_errors"
    assert "package_data" not in columns
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in resources[1:]}
    assert rows["shop/index.js"]["copyrights"] == "Copyright Shop Inc."
    assert rows["shop/index.js"]["for_packages"] == app.package_uid
    bundle = rows["dist/bundle.js"]
    assert len(bundle["extra_data"]) == xlsx.MAX_CELL
    assert "extra_data was cut from" in bundle["xlsx_errors"]
    assert bundle["urls"] == "https://example.com"
    todos = sheets["TODOS"]
    assert [row[0] for row in todos[1:]] == ["dist/bundle.js"]
    assert sheets["RELATIONS"][0][:5] == (
        "to_resource", "status", "map_type", "score", "from_resource",
    )
    assert sheets["RELATIONS"][1][:5] == (
        "dist/bundle.js", "requires-review", "js_sourcemap", 1.0, "shop/index.js",
    )
    assert len(sheets["DEPENDENCIES"]) == 3 and len(sheets["PACKAGES"]) == 3
    assert sheets["MESSAGES"][1][sheets["MESSAGES"][0].index("severity")] == "warning"


def test_xlsx_dicts_as_yaml_and_layers(settings):
    layers = [{"layer_id": "sha256:aaa", "created_by": "ADD file", "size": 10}]
    item = make_project("image", extra_data={"layers": layers})
    make_resource(item, "etc/os-release", extra_data={"a": 1, "b": [1, 2]})
    workbook = load_workbook(io.BytesIO(render(item.id, "xlsx")), read_only=True)
    assert workbook.sheetnames[-1] == "LAYERS"
    header, row = list(workbook["LAYERS"].values)
    assert dict(zip(header, row, strict=True))["layer_id"] == "sha256:aaa"
    resources = list(workbook["RESOURCES"].values)
    extra = resources[1][resources[0].index("extra_data")]
    assert extra == "a: 1\nb:\n- 1\n- 2"


@pytest.mark.parametrize("version", ["2.3", "2.2"])
def test_spdx_is_valid_and_complete(project, tmp_path, version):
    item, app, lib = project
    path = tmp_path / "doc.spdx.json"
    path.write_bytes(render(item.id, "spdx", version))
    assert spdx_errors(path, version) == []
    document = json.loads(path.read_text())
    assert document["spdxVersion"] == f"SPDX-{version}"
    packages = {package["name"]: package for package in document["packages"]}
    assert packages["left-pad"]["licenseDeclared"] == (
        "BSD-3-Clause OR LicenseRef-scancode-public-domain"
    )
    assert packages["shop"]["versionInfo"] == "1.0.0"
    refs = {info["licenseId"]: info for info in document["hasExtractedLicensingInfos"]}
    assert "public domain" in refs["LicenseRef-scancode-public-domain"]["extractedText"].lower()
    kinds = {relation["relationshipType"] for relation in document["relationships"]}
    assert {"DESCRIBES", "CONTAINS", "DEPENDS_ON"} <= kinds
    names = {entry["fileName"] for entry in document["files"]}
    assert names == {"./shop/index.js", "./dist/bundle.js", "./shop/empty.txt"}
    # licenseConcluded as ScanCode.io: a package's declared license, a file's detected one
    assert packages["shop"]["licenseConcluded"] == "MIT"
    assert packages["left-pad"]["licenseConcluded"] == packages["left-pad"]["licenseDeclared"]
    files = {entry["fileName"]: entry for entry in document["files"]}
    assert files["./shop/index.js"]["licenseConcluded"] == "MIT"
    assert files["./dist/bundle.js"]["licenseConcluded"] == "NOASSERTION"
    # an unresolved dependency is a package of its own, as in ScanCode.io
    missing = packages["missing-lib"]
    assert missing["SPDXID"] == "SPDXRef-dependency-2"
    assert missing["externalRefs"][0]["referenceLocator"] == "pkg:npm/missing-lib"
    assert missing["licenseConcluded"] == missing["licenseDeclared"] == "NOASSERTION"
    assert _depends_on(document, packages["shop"]["SPDXID"]) == {
        packages["left-pad"]["SPDXID"], missing["SPDXID"],
    }


def _depends_on(document: dict, spdx_id: str) -> set[str]:
    """Return the SPDXIDs ``spdx_id`` DEPENDS_ON."""
    return {
        relation["relatedSpdxElement"] for relation in document["relationships"]
        if relation["spdxElementId"] == spdx_id and relation["relationshipType"] == "DEPENDS_ON"
    }


def test_spdx_and_cyclonedx_of_a_dependency_of_no_package(settings, tmp_path):
    item = make_project("loose")
    lib = make_package(item, "pkg:pypi/lib@1", declared_license_expression_spdx="MIT")
    make_dependency(item, "pkg:pypi/lib@1", name="lib", resolved_to_package_uid=lib.package_uid)
    make_dependency(item, "pkg:pypi/tool", name="tool")
    path = tmp_path / "loose.spdx.json"
    path.write_bytes(render(item.id, "spdx"))
    assert spdx_errors(path, "2.3") == []
    document = json.loads(path.read_text())
    tool = next(p for p in document["packages"] if p["name"] == "tool")
    assert _depends_on(document, "SPDXRef-project") == {"SPDXRef-package-1", tool["SPDXID"]}
    text = render(item.id, "cyclonedx").decode()
    assert cyclonedx_error(text, "1.6") is None
    bom = json.loads(text)
    graph = {entry["ref"]: entry.get("dependsOn", []) for entry in bom["dependencies"]}
    (tool_ref,) = [c["bom-ref"] for c in bom["components"] if c["name"] == "tool"]
    assert set(graph[item.uuid]) == {lib.package_uid, tool_ref}


def test_spdx_replaces_an_invalid_expression(settings, tmp_path):
    item = make_project("odd")
    make_package(item, "pkg:pypi/odd@1", declared_license_expression_spdx="MIT AND (")
    path = tmp_path / "odd.spdx.json"
    path.write_bytes(render(item.id, "spdx"))
    assert spdx_errors(path, "2.3") == []
    odd = next(p for p in json.loads(path.read_text())["packages"] if p["name"] == "odd")
    assert odd["licenseDeclared"] == "NOASSERTION"


@pytest.mark.parametrize("version", ["1.6", "1.5", "1.4"])
def test_cyclonedx_is_valid_and_keeps_unresolved_dependencies(project, version):
    item, app, lib = project
    text = render(item.id, "cyclonedx", version).decode()
    assert cyclonedx_error(text, version) is None
    document = json.loads(text)
    assert document["specVersion"] == version
    assert document["metadata"]["component"]["name"] == "shop"
    components = {component["name"]: component for component in document["components"]}
    assert components["shop"]["purl"] == "pkg:npm/shop@1.0.0"
    assert components["shop"]["hashes"] == [{"alg": "SHA-1", "content": "a" * 40}]
    assert components["shop"]["copyright"] == "Copyright Shop Inc."
    missing = components["missing-lib"]
    assert {"name": "scanapp:unresolved", "value": "true"} in missing["properties"]
    graph = {entry["ref"]: entry.get("dependsOn", []) for entry in document["dependencies"]}
    assert set(graph[app.package_uid]) == {lib.package_uid, missing["bom-ref"]}
    root = document["metadata"]["component"]["bom-ref"]
    assert root == item.uuid
    assert set(graph[root]) == {app.package_uid, lib.package_uid}  # every package, as ScanCode.io
    tools = document["metadata"]["tools"]
    assert [tool["name"] for tool in tools] == ["scanapp", "scancode-toolkit"]
    shop = components["shop"]
    assert shop["externalReferences"] == [
        {"type": "issue-tracker", "url": "https://example.com/shop/issues"},
        {"type": "vcs", "url": "git+https://example.com/shop.git"},
    ]
    assert {"name": "aboutcode:homepage_url", "value": "https://shop.example.com"} in (
        shop["properties"]
    )
    assert shop["evidence"]["licenses"] == [{"expression": "Apache-2.0"}]
    if version == "1.6":
        assert shop["authors"] == [{"email": "ann@example.com", "name": "Ann"}, {"name": "Bob"}]
    else:
        assert "authors" not in shop  # not in the 1.4 and 1.5 schemas


def test_attribution_lists_packages_and_license_texts(project):
    item, _, _ = project
    html = render(item.id, "attribution").decode()
    assert "left-pad" in html and "1.3.0" in html
    assert "Permission is hereby granted" in html  # the MIT text
    assert "Copyright Shop Inc." in html


def test_attribution_template_overridden_by_the_project_and_sandboxed(settings):
    template = "{{ project.name }}: {% for p in packages %}{{ p.description }} {% endfor %}<b>"
    item = make_project("custom", settings={"attribution_template": template})
    make_package(item, "pkg:pypi/alpha@1", description="<alpha>")
    assert render(item.id, "attribution").decode() == "custom: &lt;alpha&gt; <b>"
    with session_scope() as session:
        stored = session.get(Project, item.id)
        stored.settings = {"attribution_template": "{{ ''.__class__.__mro__ }}"}
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render(item.id, "attribution")


def test_unknown_format_and_version_list_the_choices(settings):
    with pytest.raises(InvalidInputError, match="Choose one of: json, xlsx, spdx"):
        get_format("pdf")
    with pytest.raises(InvalidInputError, match="Choose one of: 2.3, 2.2") as error:
        check_version(get_format("spdx"), "3.0")
    assert error.value.errors == {"version": ["Unknown version '3.0' for spdx. Choose one of: "
                                              "2.3, 2.2."]}


def test_write_output_names_and_zips(project):
    item, _, _ = project
    path = write_output(item.uuid, "cyclonedx", version="1.5")
    assert path.parent.name == "output"
    assert path.name.startswith("shop-cyclonedx-") and path.name.endswith(".cdx.json")
    every = write_output(item.uuid, "all_formats")
    names = zipfile.ZipFile(every).namelist()
    assert sorted(name.rsplit(".", 1)[-1] for name in names) == [
        "html", "json", "json", "json", "xlsx", "yml", "zip",
    ]
    assert not [name for name in path.parent.iterdir() if name.name.startswith(".")]
    kept = write_output(item.uuid, "all_outputs")
    assert set(zipfile.ZipFile(kept).namelist()) == {path.name, every.name}
