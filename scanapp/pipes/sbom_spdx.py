"""Read SPDX 2.2/2.3 documents (JSON, YAML and tag-value) into an ``Sbom``.

Tag-value is first turned into the JSON document shape, so all go through one reader.
Dependencies come from the ``*DEPENDS_ON``/``*DEPENDENCY_OF`` relationships. In a document
scanapp wrote (creator ``Tool: scanapp-*``), the project (``SPDXRef-project``) is not a
package and its dependencies belong to no package, and the ``SPDXRef-dependency-*``
packages are the targets of unresolved dependencies, as ``outputs/spdx.py`` writes them.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanapp.pipes.sbom_document import Edge, Sbom, SbomError, load_json, package_values, text

VERSIONS = ("SPDX-2.2", "SPDX-2.3")
#: relationshipType -> (scope, is_runtime, is_optional); ``*_OF`` types point child -> parent.
DEPENDENCY_TYPES = {
    "DEPENDS_ON": ("", True, False),
    "DEPENDENCY_OF": ("", True, False),
    "RUNTIME_DEPENDENCY_OF": ("runtime", True, False),
    "DEV_DEPENDENCY_OF": ("dev", False, False),
    "BUILD_DEPENDENCY_OF": ("build", False, False),
    "TEST_DEPENDENCY_OF": ("test", False, False),
    "OPTIONAL_DEPENDENCY_OF": ("optional", True, True),
    "PROVIDED_DEPENDENCY_OF": ("provided", True, False),
}
#: Tag-value package tags and their JSON names.
PACKAGE_TAGS = {
    "SPDXID": "SPDXID",
    "PackageVersion": "versionInfo",
    "PackageDownloadLocation": "downloadLocation",
    "PackageHomePage": "homepage",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageCopyrightText": "copyrightText",
    "PackageDescription": "description",
    "PackageSummary": "summary",
    "PackageFileName": "packageFileName",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
}
RELATIONSHIP_KEYS = ("spdxElementId", "relationshipType", "relatedSpdxElement")
#: What scanapp's SPDX renderer (outputs/spdx.py) writes: its creator, the project's SPDXID
#: and the SPDXID prefix of the packages of unresolved dependencies.
SCANAPP_CREATOR = "Tool: scanapp-"
SCANAPP_PROJECT = "SPDXRef-project"
SCANAPP_DEPENDENCY_PREFIX = "SPDXRef-dependency-"
_TAG_LINE = re.compile(r"^([A-Za-z]+):\s?(.*)$")


def read_json(location: Path) -> Sbom:
    """Read an SPDX JSON document."""
    return read_document(load_json(location))


def read_yaml(location: Path) -> Sbom:
    """Read an SPDX YAML document."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with open(location, "rb") as handle:
            return read_document(yaml.load(handle, Loader=loader))
    except yaml.YAMLError as error:
        raise SbomError(f"invalid YAML: {error}") from None


def read_tag_value(location: Path) -> Sbom:
    """Read an SPDX tag-value document."""
    return read_document(tag_value_document(location.read_text(encoding="utf-8", errors="replace")))


def _lines(content: str):
    """Yield (tag, value) pairs, ``<text>...</text>`` values joined across lines."""
    lines = iter(content.splitlines())
    for line in lines:
        match = _TAG_LINE.match(line)
        if not match:
            continue
        tag, value = match.group(1), match.group(2).strip()
        if value.startswith("<text>"):
            value = value[len("<text>") :]
            while "</text>" not in value:
                value += "\n" + next(lines, "</text>")
            value = value.split("</text>", 1)[0]
        yield tag, value


def tag_value_document(content: str) -> dict:
    """Return the JSON shape of a tag-value document (packages and relationships)."""
    document = {"packages": [], "relationships": []}
    package = None
    for tag, value in _lines(content):
        if tag == "PackageName":
            package = {"name": value, "checksums": [], "externalRefs": []}
            document["packages"].append(package)
        elif tag == "FileName" or tag == "SnippetSPDXID":
            package = None
        elif tag == "SPDXVersion":
            document["spdxVersion"] = value
        elif tag == "Creator":
            document.setdefault("creationInfo", {"creators": []})["creators"].append(value)
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) == 3:
                document["relationships"].append(dict(zip(RELATIONSHIP_KEYS, parts, strict=True)))
        elif package is not None:
            _package_tag(package, tag, value)
    return document


def _package_tag(package: dict, tag: str, value: str) -> None:
    if tag in PACKAGE_TAGS:
        package[PACKAGE_TAGS[tag]] = value
    elif tag == "PackageChecksum" and ":" in value:
        algorithm, _, digest = value.partition(":")
        checksum = {"algorithm": algorithm.strip(), "checksumValue": digest.strip()}
        package["checksums"].append(checksum)
    elif tag == "ExternalRef":
        parts = value.split(None, 2)
        if len(parts) == 3:
            keys = ("referenceCategory", "referenceType", "referenceLocator")
            package["externalRefs"].append(dict(zip(keys, parts, strict=True)))


def read_document(document) -> Sbom:
    """Read an SPDX document in its JSON shape."""
    if not isinstance(document, dict):
        raise SbomError("the document is not a JSON object")
    sbom = Sbom(datasource_id="spdx_document")
    version = document.get("spdxVersion")
    if version not in VERSIONS:
        sbom.problems.append(f"spdxVersion {version!r} is not one of {', '.join(VERSIONS)}")
    packages = document.get("packages") or []
    if not isinstance(packages, list):
        raise SbomError("'packages' is not a list")
    if is_scanapp(document):
        packages = scanapp_packages(packages, sbom)
    sbom.add_packages(packages, package, "package")
    relationships = document.get("relationships") or []
    if not isinstance(relationships, list):
        raise SbomError("'relationships' is not a list")
    sbom.edges = edges(relationships, sbom)
    return sbom


def is_scanapp(document: dict) -> bool:
    """Tell whether scanapp wrote the document (its creator)."""
    creators = (document.get("creationInfo") or {}).get("creators") or []
    return isinstance(creators, list) and any(
        str(creator).startswith(SCANAPP_CREATOR) for creator in creators
    )


def scanapp_packages(packages: list, sbom: Sbom) -> list:
    """Return the packages of a scanapp document that are packages.

    The project becomes a root of ``sbom``; each ``SPDXRef-dependency-*`` package becomes
    the external target of an unresolved dependency.
    """
    kept = []
    for item in packages:
        ref = text(item.get("SPDXID")) if isinstance(item, dict) else ""
        if ref == SCANAPP_PROJECT:
            sbom.roots.add(ref)
        elif ref.startswith(SCANAPP_DEPENDENCY_PREFIX):
            try:
                sbom.external[ref] = package(item)[1]
            except (ValueError, TypeError, AttributeError) as error:
                sbom.problems.append(f"dependency {ref!r}: {error}")
        else:
            kept.append(item)
    return kept


def purl_of(item: dict) -> str:
    """Return the purl external reference of an SPDX package."""
    for ref in item.get("externalRefs") or []:
        if ref.get("referenceType") == "purl":
            return text(ref.get("referenceLocator"))
    return ""


def package(item: dict) -> tuple[str, dict]:
    """Return the SPDXID and the package values of one SPDX package; raise ValueError."""
    ref = text(item.get("SPDXID"))
    if not ref:
        raise ValueError("no SPDXID")
    hashes = {
        text(checksum.get("algorithm")).lower(): text(checksum.get("checksumValue"))
        for checksum in item.get("checksums") or []
    }
    spdx_license = text(item.get("licenseDeclared")) or text(item.get("licenseConcluded"))
    download = text(item.get("downloadLocation"))
    return ref, package_values(
        name=text(item.get("name")),
        version=text(item.get("versionInfo")),
        purl=purl_of(item),
        description=text(item.get("description")) or text(item.get("summary")),
        homepage_url=text(item.get("homepage")),
        download_url=download if download.startswith(("http:", "https:")) else "",
        vcs_url=download if download.startswith("git+") else "",
        copyright=text(item.get("copyrightText")),
        declared_license_expression_spdx=spdx_license,
        filename=text(item.get("packageFileName")),
        **{field: hashes.get(field, "") for field in ("md5", "sha1", "sha256", "sha512")},
    )


def edges(relationships: list, sbom: Sbom) -> list[Edge]:
    """Return the dependency edges of the relationships."""
    found = []
    for item in relationships:
        kind = text(item.get("relationshipType")) if isinstance(item, dict) else ""
        if kind not in DEPENDENCY_TYPES:
            continue
        element, related = text(item.get("spdxElementId")), text(item.get("relatedSpdxElement"))
        parent, child = (element, related) if kind == "DEPENDS_ON" else (related, element)
        scope, is_runtime, is_optional = DEPENDENCY_TYPES[kind]
        if parent in sbom.packages or parent in sbom.roots:
            found.append(Edge(parent, child, scope, is_optional, is_runtime))
    return found
