"""SPDX 2.3 JSON document (2.2 with ``version=2.2``), written as a stream.

The project is the described package; it CONTAINS each discovered package. Each package
DEPENDS_ON its dependencies: the package a dependency resolved to or, as ScanCode.io does,
a package of the dependency's own (``SPDXRef-dependency-N``: name, version, purl); a
dependency of no package is one of the project's. ``licenseConcluded`` is, as in ScanCode.io,
a package's declared license and a file's detected license. Files carry their SHA1, license
ids and copyrights. ``LicenseRef-`` ids are declared with their full text in
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
from scanapp.pipes.osv import RECORD_URL

NOASSERTION = "NOASSERTION"
PROJECT_ID = "SPDXRef-project"
#: SPDXID prefix of the packages of dependencies that resolved to no package.
DEPENDENCY_PREFIX = "SPDXRef-dependency-"
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
    for dependency, _, spdx_id in _dependencies(project.id, package_ids):
        if spdx_id.startswith(DEPENDENCY_PREFIX):
            yield _dependency_package(dependency, spdx_id)


def _package(package: dict, spdx_id: str, refs: set[str]) -> dict:
    declared = _expression(package["declared_license_expression_spdx"], refs)
    entry = {
        "SPDXID": spdx_id,
        "name": package["name"] or package["purl"] or spdx_id,
        "downloadLocation": _url(package["download_url"]) or NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": declared,
        "licenseDeclared": declared,
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
    if refs_out := _external_refs(package):
        entry["externalRefs"] = refs_out
    return entry


def _external_refs(row: dict) -> list[dict]:
    """Return a package's or dependency's purl reference and its security references."""
    refs = [_purl_ref(row["purl"])] if row["purl"] else []
    return refs + security_refs(row["affected_by_vulnerabilities"])


def security_refs(found: list | None) -> list[dict]:
    """Return SPDX 2.3 SECURITY advisory references of known vulnerabilities (and aliases)."""
    refs = []
    for item in found or []:
        level = item.get("severity_level") or "no level"
        for name in (item["vulnerability_id"], *item.get("aliases", [])):
            refs.append({"referenceCategory": "SECURITY", "referenceType": "advisory",
                         "referenceLocator": RECORD_URL + name,
                         "comment": f"{item['vulnerability_id']} ({level}): "
                                    f"{item.get('summary', '')}".strip()})
    return refs


def _dependencies(project_id: int, package_ids: dict[str, str]) -> Iterator[tuple]:
    """Yield ``(dependency, depending SPDXID, depended SPDXID)`` of each dependency."""
    rows = data.iter_rows(DiscoveredDependency, project_id)
    for number, dependency in enumerate(rows, 1):
        source = package_ids.get(dependency["for_package_uid"] or "", PROJECT_ID)
        target = package_ids.get(dependency["resolved_to_package_uid"] or "")
        yield dependency, source, target or f"{DEPENDENCY_PREFIX}{number}"


def _dependency_package(dependency: dict, spdx_id: str) -> dict:
    """Return the package of a dependency that resolved to no package (ScanCode.io's shape)."""
    entry = {
        "SPDXID": spdx_id,
        "name": dependency["name"] or dependency["purl"] or spdx_id,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
    }
    if dependency["version"]:
        entry["versionInfo"] = dependency["version"]
    if refs_out := _external_refs(dependency):
        entry["externalRefs"] = refs_out
    return entry


def _purl_ref(purl: str) -> dict:
    return {
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": purl,
    }


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
        expression = resource["detected_license_expression_spdx"]
        symbols = licensing.spdx_symbols(expression) or ()
        copyrights = [item.get("copyright", "") for item in resource["copyrights"] or []]
        yield {
            "SPDXID": f"SPDXRef-file-{number}",
            "fileName": f"./{resource['path']}",
            "checksums": checksums,
            "licenseConcluded": _expression(expression, refs),
            "licenseInfoInFiles": list(symbols) or [NOASSERTION],
            "copyrightText": "\n".join(filter(None, copyrights)) or NOASSERTION,
        }


def _relationships(project_id: int, package_ids: dict[str, str]) -> Iterator[dict]:
    yield _relation("SPDXRef-DOCUMENT", "DESCRIBES", PROJECT_ID)
    for spdx_id in package_ids.values():
        yield _relation(PROJECT_ID, "CONTAINS", spdx_id)
    seen = set()
    for _, source, target in _dependencies(project_id, package_ids):
        if (source, target) not in seen:
            seen.add((source, target))
            yield _relation(source, "DEPENDS_ON", target)


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
