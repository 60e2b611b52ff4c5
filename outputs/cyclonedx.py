"""CycloneDX 1.6 JSON SBOM (1.5 and 1.4 with ``version=``), built with cyclonedx-python-lib.

Shaped as ScanCode.io writes it: ``metadata`` names the tools (scanapp, scancode-toolkit) and
holds the notice; the project is ``metadata.component`` and depends on every package. Each
discovered package is a component (bom-ref = its package_uid) with purl, licenses, hashes,
copyright, authors (its author and maintainer parties), ``externalReferences`` from its URLs,
``aboutcode:`` properties and its other licenses as evidence; it depends on the packages its
dependencies resolved to. Unlike ScanCode.io, it also depends on the dependencies that did
not resolve to a package: those are components of their own with the property
``scanapp:unresolved=true`` (``load_sbom`` reads them back as unresolved dependencies).
The known vulnerabilities (find_vulnerabilities) are its ``vulnerabilities``, each naming
the components it affects (``outputs.cyclonedx_vulnerabilities``).
"""

from __future__ import annotations

from typing import BinaryIO

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentEvidence, ComponentScope
from cyclonedx.model.contact import OrganizationalContact
from cyclonedx.model.license import LicenseExpression
from cyclonedx.model.tool import Tool
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from outputs import data
from outputs.cyclonedx_vulnerabilities import vulnerabilities
from scanapp import __version__, licensing, toolkit_version
from scanapp.models import DiscoveredDependency, DiscoveredPackage

SCHEMAS = {
    "1.6": SchemaVersion.V1_6,
    "1.5": SchemaVersion.V1_5,
    "1.4": SchemaVersion.V1_4,
}
HASHES = (
    ("md5", HashAlgorithm.MD5),
    ("sha1", HashAlgorithm.SHA_1),
    ("sha256", HashAlgorithm.SHA_256),
    ("sha512", HashAlgorithm.SHA_512),
)
#: Package fields written as ``aboutcode:<field>`` properties (ScanCode.io's taxonomy).
PROPERTY_FIELDS = (
    "filename", "primary_language", "download_url", "homepage_url", "notice_text", "package_uid",
)
#: Package URL field -> external reference type, as ScanCode.io maps them; ``homepage_url``
#: and ``download_url`` are properties there (PROPERTY_FIELDS), not references.
REFERENCES = {
    "api_data_url": ExternalReferenceType.BOM,
    "bug_tracking_url": ExternalReferenceType.ISSUE_TRACKER,
    "code_view_url": ExternalReferenceType.OTHER,
    "repository_download_url": ExternalReferenceType.DISTRIBUTION,
    "repository_homepage_url": ExternalReferenceType.WEBSITE,
    "vcs_url": ExternalReferenceType.VCS,
}
#: Party roles listed as a component's ``authors``.
AUTHOR_ROLES = ("author", "maintainer")


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's CycloneDX JSON SBOM to ``target``."""
    bom = build_bom(project_id)
    outputter = make_outputter(bom, OutputFormat.JSON, SCHEMAS[version])
    target.write(outputter.output_as_string(indent=2).encode())


def build_bom(project_id: int) -> Bom:
    """Return the Bom of the project's packages and dependencies."""
    project = data.project_row(project_id)
    bom = Bom()
    root = Component(name=project.name, bom_ref=project.uuid)
    bom.metadata.component = root
    bom.metadata.tools.tools.update(tools())
    bom.metadata.properties.add(Property(name="notice", value=data.NOTICE))
    packages: dict[str, Component] = {}
    found_on: list[tuple[str, list]] = []
    for package in data.iter_rows(DiscoveredPackage, project_id):
        packages[package["package_uid"]] = _component(package)
        found_on.append((package["package_uid"], package["affected_by_vulnerabilities"]))
    edges = _edges(project_id, bom, packages, found_on)  # before the packages join the bom
    bom.components.update(packages.values())
    bom.register_dependency(root, [*packages.values(), *edges.get("", [])])
    for uid, component in packages.items():
        bom.register_dependency(component, edges.get(uid, []))
    bom.vulnerabilities.update(vulnerabilities(found_on))
    return bom


def tools() -> list[Tool]:
    """Return the tools that made the SBOM: scanapp and scancode-toolkit when installed."""
    found = [Tool(name="scanapp", version=__version__)]
    if toolkit := toolkit_version():
        found.append(Tool(name="scancode-toolkit", version=toolkit))
    return found


def _edges(project_id: int, bom: Bom, packages: dict[str, Component],
           found_on: list[tuple[str, list]]) -> dict:
    """Return the depended components by depending package_uid ("" for the project).

    A dependency resolved to no package becomes a component, added to ``bom``. A package
    that a dependency of no package resolved to gets the property
    ``scanapp:project_dependency=true``: the project depends on every package already (as in
    ScanCode.io's graph), so the property is what tells that edge apart.
    """
    edges: dict[str, list[Component]] = {}
    for dependency in data.iter_rows(DiscoveredDependency, project_id):
        target = packages.get(dependency["resolved_to_package_uid"] or "")
        source = dependency["for_package_uid"] or ""
        source = source if source in packages else ""
        if target is None:
            target = _unresolved(dependency)
            bom.components.add(target)
            found_on.append((dependency["dependency_uid"],
                             dependency["affected_by_vulnerabilities"]))
        elif not source:
            target.properties.add(Property(name=PROJECT_DEPENDENCY, value="true"))
        edges.setdefault(source, []).append(target)
    return edges


#: Marks a package that a dependency of no package (the project's) resolved to.
PROJECT_DEPENDENCY = "scanapp:project_dependency"


def _component(package: dict) -> Component:
    expression = _spdx(package["declared_license_expression_spdx"])
    return Component(
        name=package["name"] or package["purl"] or package["package_uid"],
        group=package["namespace"] or None,
        version=package["version"] or None,
        bom_ref=package["package_uid"],
        purl=_purl(package["purl"]),
        description=package["description"] or None,
        copyright=package["copyright"],
        licenses=[LicenseExpression(expression)] if expression else None,
        hashes=[
            HashType(alg=algorithm, content=package[field])
            for field, algorithm in HASHES
            if package[field]
        ],
        authors=authors(package["parties"]),
        external_references=external_references(package),
        evidence=_evidence(package),
        properties=_properties(package),
    )


def authors(parties: list | None) -> list[OrganizationalContact]:
    """Return the author and maintainer parties as contacts, once per name (as ScanCode.io)."""
    found: dict[str, OrganizationalContact] = {}
    for party in parties or []:
        name = party.get("name")
        if party.get("role") in AUTHOR_ROLES and name and name not in found:
            found[name] = OrganizationalContact(name=name, email=party.get("email") or None)
    return list(found.values())


def external_references(package: dict) -> list[ExternalReference]:
    """Return the package's URLs as external references (REFERENCES)."""
    return [
        ExternalReference(type=kind, url=XsUri(package[field]))
        for field, kind in REFERENCES.items()
        if package[field]
    ]


def _evidence(package: dict) -> ComponentEvidence | None:
    expression = _spdx(package["other_license_expression_spdx"])
    return ComponentEvidence(licenses=[LicenseExpression(expression)]) if expression else None


def _spdx(expression: str) -> str:
    """Return ``expression`` when it is valid SPDX, else ""."""
    return expression if expression and licensing.spdx_symbols(expression) else ""


def _properties(package: dict) -> list[Property]:
    properties = [
        Property(name=f"aboutcode:{field}", value=str(package[field]))
        for field in PROPERTY_FIELDS
        if package.get(field)
    ]
    if package["declared_license_expression"]:
        value = package["declared_license_expression"]
        properties.append(Property(name="scanapp:declared_license_expression", value=value))
    score = (package.get("extra_data") or {}).get("scorecard", {}).get("score")
    if score is not None:
        properties.append(Property(name="scorecard", value=str(score)))
    return properties


def _unresolved(dependency: dict) -> Component:
    return Component(
        name=dependency["name"] or dependency["purl"] or dependency["dependency_uid"],
        group=dependency["namespace"] or None,
        version=dependency["version"] or None,
        bom_ref=dependency["dependency_uid"],
        purl=_purl(dependency["purl"]),
        scope=ComponentScope.OPTIONAL if dependency["is_optional"] else None,
        properties=[
            Property(name="scanapp:unresolved", value="true"),
            Property(name="scanapp:scope", value=dependency["scope"] or ""),
            Property(
                name="scanapp:extracted_requirement",
                value=dependency["extracted_requirement"] or "",
            ),
        ],
    )


def _purl(value: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(value) if value else None
    except ValueError:
        return None
