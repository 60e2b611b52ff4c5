"""load_sbom on SPDX (JSON, tag-value) and CycloneDX (JSON, XML) documents written here."""

from __future__ import annotations

import json

from sqlmodel import select

from scanapp import db
from scanapp.models import DiscoveredDependency, DiscoveredPackage, ProjectMessage, RunStatus
from tests.pipelines_builtin.conftest import run_pipeline, scan_settings  # noqa: F401

LODASH_SHA1 = "a" * 40
LODASH_SHA256 = "b" * 64

SPDX_JSON = {
    "spdxVersion": "SPDX-2.3",
    "dataLicense": "CC0-1.0",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "app-sbom",
    "documentNamespace": "https://example.com/app-sbom",
    "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: test"]},
    "packages": [
        {
            "SPDXID": "SPDXRef-app",
            "name": "app",
            "versionInfo": "1.0.0",
            "downloadLocation": "NOASSERTION",
            "licenseDeclared": "Apache-2.0",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:npm/app@1.0.0",
                }
            ],
        },
        {
            "SPDXID": "SPDXRef-lodash",
            "name": "lodash",
            "versionInfo": "4.17.21",
            "downloadLocation": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
            "homepage": "https://lodash.com/",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "MIT",
            "copyrightText": "Copyright OpenJS Foundation",
            "description": "Lodash modular utilities.",
            "checksums": [
                {"algorithm": "SHA1", "checksumValue": LODASH_SHA1},
                {"algorithm": "SHA256", "checksumValue": LODASH_SHA256},
            ],
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:npm/lodash@4.17.21",
                }
            ],
        },
        {
            "SPDXID": "SPDXRef-left-pad",
            "name": "left-pad",
            "versionInfo": "1.3.0",
            "downloadLocation": "NOASSERTION",
            "licenseDeclared": "LicenseRef-scancode-public-domain OR GPL-2.0-only",
        },
        {"name": "broken", "versionInfo": "0.1"},
    ],
    "relationships": [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-app",
        },
        {
            "spdxElementId": "SPDXRef-app",
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": "SPDXRef-lodash",
        },
        {
            "spdxElementId": "SPDXRef-left-pad",
            "relationshipType": "DEV_DEPENDENCY_OF",
            "relatedSpdxElement": "SPDXRef-app",
        },
        {
            "spdxElementId": "SPDXRef-app",
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": "SPDXRef-nowhere",
        },
    ],
}

SPDX_TV = """\
SPDXVersion: SPDX-2.2
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: tv-sbom
DocumentNamespace: https://example.com/tv-sbom
Creator: Tool: test
Created: 2024-01-01T00:00:00Z

PackageName: requests
SPDXID: SPDXRef-requests
PackageVersion: 2.32.3
PackageDownloadLocation: https://files.example.com/requests-2.32.3.tar.gz
PackageLicenseDeclared: Apache-2.0
PackageCopyrightText: <text>Copyright 2019 Kenneth Reitz
All rights reserved.</text>
PackageChecksum: MD5: 0123456789abcdef0123456789abcdef
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/requests@2.32.3

PackageName: urllib3
SPDXID: SPDXRef-urllib3
PackageVersion: 2.2.1
PackageDownloadLocation: NOASSERTION
PackageLicenseDeclared: MIT
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/urllib3@2.2.1

FileName: ./requests/api.py
SPDXID: SPDXRef-file-api
FileChecksum: SHA1: 1111111111111111111111111111111111111111

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-requests
Relationship: SPDXRef-urllib3 DEPENDENCY_OF SPDXRef-requests
"""


def _cyclonedx_json() -> dict:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"component": {"type": "application", "name": "site", "bom-ref": "site"}},
        "components": [
            {
                "type": "library",
                "bom-ref": "django-ref",
                "name": "django",
                "version": "5.0",
                "purl": "pkg:pypi/django@5.0",
                "description": "A high-level Python web framework.",
                "licenses": [{"license": {"id": "BSD-3-Clause"}}],
                "hashes": [{"alg": "SHA-256", "content": "c" * 64}],
                "externalReferences": [{"type": "website", "url": "https://djangoproject.com"}],
                "properties": [{"name": "ossf:scorecard:score", "value": "7.5"}],
                "components": [
                    {"type": "library", "name": "asgiref", "version": "3.8.1",
                     "purl": "pkg:pypi/asgiref@3.8.1", "scope": "optional",
                     "licenses": [{"expression": "BSD-3-Clause OR MIT"}]},
                ],
            },
            {"type": "library", "bom-ref": "bad", "name": "badpurl", "purl": "pkg:no-name"},
        ],
        "dependencies": [
            {"ref": "site", "dependsOn": ["django-ref"]},
            {"ref": "django-ref",
             "dependsOn": ["pkg:pypi/asgiref@3.8.1", "pkg:pypi/tzdata@2024.1?uuid=0f5c"]},
        ],
    }


CYCLONEDX_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <components>
    <component type="library" bom-ref="pkg:maven/org.slf4j/slf4j-api@2.0.9">
      <group>org.slf4j</group>
      <name>slf4j-api</name>
      <version>2.0.9</version>
      <licenses><license><id>MIT</id></license></licenses>
      <hashes><hash alg="SHA-1">dddddddddddddddddddddddddddddddddddddddd</hash></hashes>
      <purl>pkg:maven/org.slf4j/slf4j-api@2.0.9</purl>
      <properties><property name="scorecard_score">4</property></properties>
    </component>
    <component type="library" bom-ref="pkg:maven/ch.qos.logback/logback-classic@1.4.14">
      <group>ch.qos.logback</group>
      <name>logback-classic</name>
      <version>1.4.14</version>
      <licenses><license><name>Eclipse Public License v1.0</name></license></licenses>
      <purl>pkg:maven/ch.qos.logback/logback-classic@1.4.14</purl>
    </component>
  </components>
  <dependencies>
    <dependency ref="pkg:maven/ch.qos.logback/logback-classic@1.4.14">
      <dependency ref="pkg:maven/org.slf4j/slf4j-api@2.0.9"/>
    </dependency>
  </dependencies>
</bom>
"""


def _load(tmp_path, name: str, filename: str, content: str):
    location = tmp_path / filename
    location.write_text(content)
    project, run = run_pipeline(name, "load_sbom", uploads=[location])
    return project, run


def _packages(project) -> dict[str, DiscoveredPackage]:
    with db.session_scope() as session:
        rows = session.exec(
            select(DiscoveredPackage).where(DiscoveredPackage.project_id == project.id)
        ).all()
    return {row.purl or row.name: row for row in rows}


def _edges(project) -> set[tuple]:
    """(parent purl, dependency purl, resolved target purl or None) of every dependency."""
    by_uid = {row.package_uid: row.purl for row in _packages(project).values()}
    with db.session_scope() as session:
        rows = session.exec(
            select(DiscoveredDependency).where(DiscoveredDependency.project_id == project.id)
        ).all()
    return {
        (by_uid.get(row.for_package_uid), row.purl, by_uid.get(row.resolved_to_package_uid))
        for row in rows
    }


def _messages(project) -> list[str]:
    with db.session_scope() as session:
        return [
            row.description
            for row in session.exec(
                select(ProjectMessage).where(ProjectMessage.project_id == project.id)
            ).all()
        ]


def test_spdx_json(scan_settings, tmp_path):  # noqa: F811
    project, run = _load(tmp_path, "spdx-json", "app.spdx.json", json.dumps(SPDX_JSON))
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = _packages(project)
    assert set(packages) == {"pkg:npm/app@1.0.0", "pkg:npm/lodash@4.17.21", "left-pad"}
    lodash = packages["pkg:npm/lodash@4.17.21"]
    assert (lodash.type, lodash.name, lodash.version) == ("npm", "lodash", "4.17.21")
    assert lodash.declared_license_expression == "mit"
    assert lodash.declared_license_expression_spdx == "MIT"
    assert (lodash.sha1, lodash.sha256) == (LODASH_SHA1, LODASH_SHA256)
    assert lodash.homepage_url == "https://lodash.com/"
    assert lodash.download_url.endswith("lodash-4.17.21.tgz")
    assert lodash.copyright == "Copyright OpenJS Foundation"
    assert lodash.description == "Lodash modular utilities."
    assert lodash.datafile_paths == ["app.spdx.json"]
    left_pad = packages["left-pad"]
    assert left_pad.declared_license_expression == "public-domain OR gpl-2.0"
    assert left_pad.version == "1.3.0" and left_pad.purl == ""
    assert _edges(project) == {
        ("pkg:npm/app@1.0.0", "pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.21"),
        ("pkg:npm/app@1.0.0", "", ""),
    }
    with db.session_scope() as session:
        dev = session.exec(
            select(DiscoveredDependency).where(DiscoveredDependency.name == "left-pad")
        ).one()
    assert dev.scope == "dev" and not dev.is_runtime and dev.datafile_path == "app.spdx.json"
    messages = _messages(project)
    assert "app.spdx.json: package #4 (broken): no SPDXID" in messages
    assert "app.spdx.json: dependency 'SPDXRef-nowhere' is not in the document" in messages


def test_spdx_tag_value(scan_settings, tmp_path):  # noqa: F811
    project, run = _load(tmp_path, "spdx-tv", "requests.spdx", SPDX_TV)
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = _packages(project)
    assert set(packages) == {"pkg:pypi/requests@2.32.3", "pkg:pypi/urllib3@2.2.1"}
    requests = packages["pkg:pypi/requests@2.32.3"]
    assert requests.copyright == "Copyright 2019 Kenneth Reitz\nAll rights reserved."
    assert requests.md5 == "0123456789abcdef0123456789abcdef"
    assert requests.declared_license_expression == "apache-2.0"
    assert _edges(project) == {
        ("pkg:pypi/requests@2.32.3", "pkg:pypi/urllib3@2.2.1", "pkg:pypi/urllib3@2.2.1")
    }
    assert _messages(project) == []


def test_cyclonedx_json(scan_settings, tmp_path):  # noqa: F811
    document = json.dumps(_cyclonedx_json())
    project, run = _load(tmp_path, "cdx-json", "bom.cdx.json", document)
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = _packages(project)
    assert set(packages) == {"pkg:pypi/django@5.0", "pkg:pypi/asgiref@3.8.1"}
    django = packages["pkg:pypi/django@5.0"]
    assert django.declared_license_expression == "bsd-new"
    assert django.declared_license_expression_spdx == "BSD-3-Clause"
    assert django.sha256 == "c" * 64 and django.homepage_url == "https://djangoproject.com"
    assert django.extra_data["scorecard"] == {"score": 7.5}
    assert django.datasource_ids == ["cyclonedx_json"]
    asgiref = packages["pkg:pypi/asgiref@3.8.1"]
    assert asgiref.declared_license_expression == "bsd-new OR mit"
    assert _edges(project) == {
        ("pkg:pypi/django@5.0", "pkg:pypi/asgiref@3.8.1", "pkg:pypi/asgiref@3.8.1"),
        ("pkg:pypi/django@5.0", "pkg:pypi/tzdata@2024.1", None),
    }
    (message,) = _messages(project)
    assert message.startswith("bom.cdx.json: component #3 (badpurl): ")
    with db.session_scope() as session:
        optional = session.exec(
            select(DiscoveredDependency).where(
                DiscoveredDependency.project_id == project.id, DiscoveredDependency.is_optional
            )
        ).all()
    assert [(row.name, row.scope, row.datasource_id) for row in optional] == [
        ("asgiref", "optional", "cyclonedx_json")
    ]


def test_cyclonedx_xml(scan_settings, tmp_path):  # noqa: F811
    project, run = _load(tmp_path, "cdx-xml", "bom.xml", CYCLONEDX_XML)
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = _packages(project)
    slf4j = packages["pkg:maven/org.slf4j/slf4j-api@2.0.9"]
    assert (slf4j.namespace, slf4j.name, slf4j.version) == ("org.slf4j", "slf4j-api", "2.0.9")
    assert slf4j.sha1 == "d" * 40 and slf4j.declared_license_expression == "mit"
    assert slf4j.extra_data["scorecard"] == {"score": 4.0}
    logback = packages["pkg:maven/ch.qos.logback/logback-classic@1.4.14"]
    assert logback.extracted_license_statement == "Eclipse Public License v1.0"
    assert logback.datasource_ids == ["cyclonedx_xml"]
    slf4j_purl = "pkg:maven/org.slf4j/slf4j-api@2.0.9"
    assert _edges(project) == {(logback.purl, slf4j_purl, slf4j_purl)}


def test_unreadable_document_and_no_sbom(scan_settings, tmp_path):  # noqa: F811
    location = tmp_path / "broken.cdx.json"
    location.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    sbom = tmp_path / "ok.spdx"
    sbom.write_text(SPDX_TV)
    project, run = run_pipeline("broken", "load_sbom", uploads=[location, sbom])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert len(_packages(project)) == 2
    (message,) = _messages(project)
    assert message.startswith("broken.cdx.json: invalid JSON: ")
    readme = tmp_path / "README.txt"
    readme.write_text("not an SBOM\n")
    _, run = run_pipeline("no-sbom", "load_sbom", uploads=[readme])
    assert run.status == RunStatus.FAILURE
    assert "No SPDX (JSON, YAML, tag-value), CycloneDX (JSON, XML) or .ABOUT document" in (
        run.task_output
    )


SPDX_YAML = """\
spdxVersion: SPDX-2.3
dataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
name: curl-sbom
documentNamespace: https://example.com/curl
creationInfo:
  created: "2024-01-01T00:00:00Z"
  creators: ["Tool: test"]
packages:
  - SPDXID: SPDXRef-curl
    name: curl
    versionInfo: 7.70.0
    downloadLocation: https://curl.se/download/curl-7.70.0.tar.gz
    licenseDeclared: curl
    externalRefs:
      - referenceCategory: PACKAGE-MANAGER
        referenceType: purl
        referenceLocator: pkg:generic/curl@7.70.0
"""


def test_spdx_yaml(scan_settings, tmp_path):  # noqa: F811
    project, run = _load(tmp_path, "spdx-yaml", "curl.spdx.yml", SPDX_YAML)
    assert run.status == RunStatus.SUCCESS, run.task_output
    curl = _packages(project)["pkg:generic/curl@7.70.0"]
    assert curl.declared_license_expression == "curl" and curl.version == "7.70.0"
    assert curl.datasource_ids == ["spdx_document"] and _messages(project) == []


def test_found_by_parsing_whatever_the_name(scan_settings, tmp_path):  # noqa: F811
    """SBOMs under plain names are found; other JSON, XML, YAML, text and binaries skipped."""
    document = _cyclonedx_json()
    document["metadata"]["properties"] = [{"name": "padding", "value": "x" * 5000}]
    document = {key: document[key] for key in ("metadata", "components", "dependencies",
                                               "bomFormat", "specVersion")}
    assert json.dumps(document).index('"bomFormat"') > 4096
    files = {
        "late-bom-format.json": json.dumps(document),
        "components.data": CYCLONEDX_XML,
        "sbom.yaml": SPDX_YAML,
        "package.json": json.dumps({"name": "app", "bomFormat": "nested", "x": {"spdxVersion": 1}}),
        "list.json": json.dumps([{"spdxVersion": "SPDX-2.3"}]),
        "pom.xml": '<project xmlns="http://maven.apache.org/POM/4.0.0"><bom/></project>',
        "config.yaml": "items:\n  spdxVersion: SPDX-2.3\nname: x\n",
        "notes.txt": "Note: SPDXVersion comes later\nnot a tag line\nSPDXVersion: SPDX-2.3\n",
        "broken.json": '{"name": "not an sbom", ',
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    (tmp_path / "blob.bin").write_bytes(b"\0SPDXVersion: SPDX-2.3\n")
    uploads = [tmp_path / name for name in [*files, "blob.bin"]]
    project, run = run_pipeline("by-parsing", "load_sbom", uploads=uploads)
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert set(_packages(project)) == {
        "pkg:pypi/django@5.0", "pkg:pypi/asgiref@3.8.1", "pkg:generic/curl@7.70.0",
        "pkg:maven/org.slf4j/slf4j-api@2.0.9", "pkg:maven/ch.qos.logback/logback-classic@1.4.14",
    }
    (message,) = _messages(project)  # the bad purl of the CycloneDX JSON, nothing else
    assert message.startswith("late-bom-format.json: component #3 (badpurl): ")


def test_invalid_sboms_get_a_clear_message(scan_settings, tmp_path, monkeypatch):  # noqa: F811
    from scanapp.pipes import sbom_detect

    files = {
        "bom.xml": '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>',
        "cut.json": '{"spdxVersion": "SPDX-2.3", "packages": [',
        "other.spdx.json": '{"name": "valid JSON, not SPDX"}',
        "huge.cdx.json": json.dumps(_cyclonedx_json()) + " " * 3000,
        "huge-unnamed.json": json.dumps(_cyclonedx_json()) + " " * 3000,
    }
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    monkeypatch.setattr(sbom_detect, "MAX_SIZE", 3000)
    project, run = run_pipeline("invalid", "load_sbom", uploads=[tmp_path / n for n in files])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert _packages(project) == {}
    messages = sorted(_messages(project))
    assert messages[0].startswith("bom.xml: invalid XML: ")
    assert messages[1].startswith("cut.json: invalid JSON: ")
    size = (tmp_path / "huge.cdx.json").stat().st_size
    assert messages[2:] == [
        f"huge.cdx.json: not read: {size} bytes, over the 3000 bytes limit",
        "other.spdx.json: spdxVersion None is not one of SPDX-2.2, SPDX-2.3",
    ]
