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
    assert "No SPDX (JSON, tag-value) or CycloneDX (JSON, XML) document" in run.task_output


def test_round_trip_scanapp_cyclonedx(scan_settings, tmp_path):  # noqa: F811
    from pathlib import Path

    from scanapp.services import outputs
    from tests.factories import make_dependency, make_package, make_project

    source = make_project("round-trip-source")
    django = make_package(
        source, "pkg:pypi/django@5.0", declared_license_expression="bsd-new",
        declared_license_expression_spdx="BSD-3-Clause", sha256="e" * 64,
    )
    asgiref = make_package(source, "pkg:pypi/asgiref@3.8.1", declared_license_expression="mit",
                           declared_license_expression_spdx="MIT")
    for purl, resolved in (("pkg:pypi/asgiref@3.8.1", asgiref), ("pkg:pypi/tzdata@2024.1", None)):
        make_dependency(
            source, purl, type="pypi", name=purl.split("/")[1].split("@")[0],
            version=purl.rsplit("@", 1)[1], for_package_uid=django.package_uid,
            resolved_to_package_uid=resolved.package_uid if resolved else None,
        )
    written = Path(outputs.write_output(source.uuid, "cyclonedx"))
    project, run = run_pipeline("round-trip", "load_sbom", uploads=[written])
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = _packages(project)
    assert set(packages) == {"pkg:pypi/django@5.0", "pkg:pypi/asgiref@3.8.1"}
    assert packages["pkg:pypi/django@5.0"].declared_license_expression == "bsd-new"
    assert packages["pkg:pypi/django@5.0"].sha256 == "e" * 64
    assert packages["pkg:pypi/asgiref@3.8.1"].declared_license_expression == "mit"
    assert _edges(project) == _edges(source) == {
        ("pkg:pypi/django@5.0", "pkg:pypi/asgiref@3.8.1", "pkg:pypi/asgiref@3.8.1"),
        ("pkg:pypi/django@5.0", "pkg:pypi/tzdata@2024.1", None),
    }
