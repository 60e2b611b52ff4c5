"""SPDX 2.3 JSON document (2.2 with ``version=2.2``), written as a stream.

The project is the described package; it CONTAINS each discovered package, and each
package DEPENDS_ON the packages its dependencies resolved to. Files carry their SHA1,
license ids and copyrights. ``LicenseRef-`` ids are declared with their full text in
``hasExtractedLicensingInfos``; an expression that is not valid SPDX becomes NOASSERTION.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from outputs import data
from outputs.jsonstream import write_fields, write_list
from scanapp import __version__, licensing
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage

NOASSERTION = "NOASSERTION"
PROJECT_ID = "SPDXRef-project"
EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
CHECKSUMS = (("sha1", "SHA1"), ("md5", "MD5"), ("sha256", "SHA256"), ("sha512", "SHA512"))
_URL = re.compile(r"^https?://[^\s]+$")


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's SPDX document to ``target``."""
    project = data.project_row(project_id)
    refs: set[str] = set()
    package_ids: dict[str, str] = {}
    target.write(b"{")
    write_fields(target, {
        "spdxVersion": f"SPDX-{version}",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"scanapp_{project.name}",
        "documentNamespace": f"https://scanapp.invalid/spdxdocs/{project.uuid}",
        "creationInfo": {
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "creators": [f"Tool: scanapp-{__version__}"],
        },
        "documentDescribes": [PROJECT_ID],
    }, first=True)
    write_list(target, "packages", _packages(project, package_ids, refs))
    write_list(target, "files", _files(project_id, refs))
    write_list(target, "relationships", _relationships(project_id, package_ids))
    write_list(target, "hasExtractedLicensingInfos", _extracted(refs))
    target.write(b"\n}\n")


def _expression(expression: str, refs: set[str]) -> str:
    symbols = licensing.spdx_symbols(expression)
    if symbols is None:
        return NOASSERTION
    refs.update(key for key in symbols if key.startswith(licensing.LICENSEREF_PREFIX))
    return expression


def _packages(project, package_ids: dict[str, str], refs: set[str]) -> Iterator[dict]:
    yield {
        "SPDXID": PROJECT_ID,
        "name": project.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
    }
    for number, package in enumerate(data.iter_rows(DiscoveredPackage, project.id), 1):
        spdx_id = f"SPDXRef-package-{number}"
        package_ids[package["package_uid"]] = spdx_id
        yield _package(package, spdx_id, refs)


def _package(package: dict, spdx_id: str, refs: set[str]) -> dict:
    entry = {
        "SPDXID": spdx_id,
        "name": package["name"] or package["purl"] or spdx_id,
        "downloadLocation": _url(package["download_url"]) or NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": _expression(package["declared_license_expression_spdx"], refs),
        "copyrightText": package["copyright"] or NOASSERTION,
    }
    if package["version"]:
        entry["versionInfo"] = package["version"]
    if _url(package["homepage_url"]):
        entry["homepage"] = package["homepage_url"]
    if package["description"]:
        entry["description"] = package["description"]
    checksums = [
        {"algorithm": name, "checksumValue": package[field]}
        for field, name in CHECKSUMS
        if package[field]
    ]
    if checksums:
        entry["checksums"] = checksums
    if package["purl"]:
        entry["externalRefs"] = [{
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": package["purl"],
        }]
    return entry


def _url(value: str) -> str:
    return value if value and _URL.match(value) else ""


def _files(project_id: int, refs: set[str]) -> Iterator[dict]:
    rows = data.iter_rows(CodebaseResource, project_id, CodebaseResource.type == "file")
    for number, resource in enumerate(rows, 1):
        sha1 = resource["sha1"] or (EMPTY_SHA1 if not resource["size"] else "")
        if not sha1:
            continue
        checksums = [{"algorithm": "SHA1", "checksumValue": sha1}]
        if resource["md5"]:
            checksums.append({"algorithm": "MD5", "checksumValue": resource["md5"]})
        symbols = licensing.spdx_symbols(resource["detected_license_expression_spdx"]) or ()
        refs.update(key for key in symbols if key.startswith(licensing.LICENSEREF_PREFIX))
        copyrights = [item.get("copyright", "") for item in resource["copyrights"] or []]
        yield {
            "SPDXID": f"SPDXRef-file-{number}",
            "fileName": f"./{resource['path']}",
            "checksums": checksums,
            "licenseConcluded": NOASSERTION,
            "licenseInfoInFiles": list(symbols) or [NOASSERTION],
            "copyrightText": "\n".join(filter(None, copyrights)) or NOASSERTION,
        }


def _relationships(project_id: int, package_ids: dict[str, str]) -> Iterator[dict]:
    yield _relation("SPDXRef-DOCUMENT", "DESCRIBES", PROJECT_ID)
    for spdx_id in package_ids.values():
        yield _relation(PROJECT_ID, "CONTAINS", spdx_id)
    seen = set()
    for dependency in data.iter_rows(DiscoveredDependency, project_id):
        source = package_ids.get(dependency["for_package_uid"] or "")
        resolved = package_ids.get(dependency["resolved_to_package_uid"] or "")
        if source and resolved and (source, resolved) not in seen:
            seen.add((source, resolved))
            yield _relation(source, "DEPENDS_ON", resolved)


def _relation(element: str, kind: str, related: str) -> dict:
    return {
        "spdxElementId": element,
        "relationshipType": kind,
        "relatedSpdxElement": related,
    }


def _extracted(refs: set[str]) -> Iterator[dict]:
    for ref in sorted(refs):
        text = licensing.license_text(ref) or licensing.license_name(ref)
        yield {
            "licenseId": ref,
            "extractedText": text,
            "name": licensing.license_name(ref),
        }
