"""The reports of a real scan of the requests 2.32.3 sdist, against ScanCode.io 38.2.0's.

The expected values were read once from what ScanCode.io 38.2.0 wrote for the same sdist
(``scan_single_package``: results.spdx.json, results.cdx.json, results.xlsx, results.json);
those files are not in the repository. One scan is shared by the module.
"""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from scanapp import __version__, toolkit_version
from scanapp.services import outputs
from tests.reports.validators import cyclonedx_error, spdx_errors

#: ScanCode.io's sheets and their headers (its trailing ``xlsx_errors`` left out).
SCANCODEIO_HEADERS = {
    "PACKAGES": [
        "purl", "type", "namespace", "name", "version", "qualifiers", "subpath", "tag",
        "primary_language", "description", "notes", "release_date", "parties", "keywords",
        "homepage_url", "download_url", "bug_tracking_url", "code_view_url", "vcs_url",
        "repository_homepage_url", "repository_download_url", "api_data_url", "size", "md5",
        "sha1", "sha256", "sha512", "copyright", "holder", "declared_license_expression",
        "declared_license_expression_spdx", "other_license_expression",
        "other_license_expression_spdx", "extracted_license_statement", "compliance_alert",
        "notice_text", "source_packages", "package_uid", "is_private", "is_virtual",
        "datasource_ids", "datafile_paths", "file_references", "missing_resources",
        "modified_resources",
    ],
    "DEPENDENCIES": [
        "purl", "extracted_requirement", "scope", "is_runtime", "is_optional", "is_pinned",
        "is_direct", "dependency_uid", "for_package_uid", "resolved_to_package_uid",
        "datafile_path", "datasource_id", "package_type",
    ],
    "RESOURCES": [
        "path", "type", "name", "status", "for_packages", "tag", "extension", "size",
        "mime_type", "file_type", "programming_language", "detected_license_expression",
        "detected_license_expression_spdx", "percentage_of_license_text", "compliance_alert",
        "copyrights", "holders", "authors", "emails", "urls", "md5", "sha1", "sha256",
        "sha512", "sha1_git", "is_binary", "is_text", "is_archive", "is_media", "is_legal",
        "is_manifest", "is_readme", "is_top_level", "is_key_file",
    ],
    "RELATIONS": ["to_resource", "status", "map_type", "score", "from_resource"],
    "MESSAGES": [
        "uuid", "severity", "description", "model", "details", "traceback", "created_date",
    ],
}
#: The dependencies ScanCode.io found (requirements-dev.txt), none resolved to a package.
SCANCODEIO_DEPENDENCIES = {
    "pkg:pypi/httpbin", "pkg:pypi/pytest", "pkg:pypi/pytest-cov",
    "pkg:pypi/pytest-httpbin@2.0.0", "pkg:pypi/trustme", "pkg:pypi/wheel",
}
#: ScanCode.io's licenseConcluded of some files (their detected_license_expression_spdx).
SCANCODEIO_FILE_LICENSES = {
    "requests-2.32.3/LICENSE": "Apache-2.0",
    "requests-2.32.3/HISTORY.md": "MIT AND Apache-2.0",
    "requests-2.32.3/setup.py": "Apache-2.0",
    "requests-2.32.3/src/requests/api.py": "Apache-2.0",
    "requests-2.32.3/src/requests/utils.py": "NOASSERTION",
}
#: ScanCode.io's CycloneDX component of the requests package (less bom-ref, description).
SCANCODEIO_COMPONENT = {
    "authors": [{"email": "me@kennethreitz.org", "name": "Kenneth Reitz"}],
    "copyright": "",
    "externalReferences": [
        {"type": "bom", "url": "https://pypi.org/pypi/requests/2.32.3/json"},
        {
            "type": "distribution",
            "url": "https://pypi.org/packages/source/r/requests/requests-2.32.3.tar.gz",
        },
        {"type": "other", "url": "https://github.com/psf/requests"},
        {"type": "website", "url": "https://pypi.org/project/requests"},
    ],
    "licenses": [{"expression": "Apache-2.0"}],
    "purl": "pkg:pypi/requests@2.32.3",
    "type": "library",
    "version": "2.32.3",
}
SCANCODEIO_PROPERTIES = [
    {"name": "aboutcode:homepage_url", "value": "https://requests.readthedocs.io"},
    {"name": "aboutcode:primary_language", "value": "Python"},
]


@pytest.fixture(scope="module")
def scanned(sdist_scans):
    return sdist_scans["requests"]


def _output(project, fmt: str, version: str = ""):
    return outputs.write_output(project.uuid, fmt, version=version or None)


@pytest.mark.parametrize("version", ["2.3", "2.2"])
def test_spdx_depends_on_and_license_concluded(scanned, version):
    path = _output(scanned, "spdx", version)
    assert spdx_errors(path, version) == []
    document = json.loads(path.read_text())
    packages = {package["SPDXID"]: package for package in document["packages"]}
    (requests,) = [p for p in packages.values() if p.get("versionInfo") == "2.32.3"]
    assert requests["licenseConcluded"] == requests["licenseDeclared"] == "Apache-2.0"
    targets = [
        relation["relatedSpdxElement"] for relation in document["relationships"]
        if relation["relationshipType"] == "DEPENDS_ON"
        and relation["spdxElementId"] == requests["SPDXID"]
    ]
    stored = json.loads(_output(scanned, "json").read_text())["dependencies"]
    assert len(targets) == len(set(targets)) == len(stored) > 0
    purls = {packages[target]["externalRefs"][0]["referenceLocator"] for target in targets}
    assert purls == {dependency["purl"] for dependency in stored}
    assert SCANCODEIO_DEPENDENCIES <= purls
    for target in targets:  # none resolved: each is a package of its own, as in ScanCode.io
        assert packages[target]["licenseConcluded"] == "NOASSERTION"
    files = {entry["fileName"]: entry["licenseConcluded"] for entry in document["files"]}
    for path_end, expected in SCANCODEIO_FILE_LICENSES.items():
        (name,) = [name for name in files if name.endswith("/" + path_end)]
        assert files[name] == expected, name


@pytest.mark.parametrize("version", ["1.6", "1.5", "1.4"])
def test_cyclonedx_tools_and_component_as_scancodeio(scanned, version):
    text = _output(scanned, "cyclonedx", version).read_text()
    assert cyclonedx_error(text, version) is None
    document = json.loads(text)
    assert document["metadata"]["tools"] == [
        {"name": "scanapp", "version": __version__},
        {"name": "scancode-toolkit", "version": toolkit_version()},
    ]
    assert toolkit_version()
    (requests,) = [c for c in document["components"] if c["name"] == "requests"]
    expected = dict(SCANCODEIO_COMPONENT)
    if version != "1.6":
        del expected["authors"]  # component authors are new in CycloneDX 1.6
    assert {key: requests.get(key) for key in expected} == expected
    for item in SCANCODEIO_PROPERTIES:
        assert item in requests["properties"]
    graph = {entry["ref"]: entry.get("dependsOn", []) for entry in document["dependencies"]}
    assert graph[document["metadata"]["component"]["bom-ref"]] == [requests["bom-ref"]]


def test_xlsx_headers_start_with_scancodeio_headers(scanned):
    workbook = load_workbook(_output(scanned, "xlsx"), read_only=True)
    assert workbook.sheetnames == list(SCANCODEIO_HEADERS)
    for title, expected in SCANCODEIO_HEADERS.items():
        header = list(next(workbook[title].values))
        assert header[:len(expected)] == expected, title
        assert header[-1] == "xlsx_errors"
    resources = list(workbook["RESOURCES"].values)
    columns = resources[0]
    rows = [dict(zip(columns, row, strict=True)) for row in resources[1:]]
    hashed = [row for row in rows if row["sha1"]]
    assert hashed and all(len(row["sha1_git"] or "") == 40 for row in hashed)
