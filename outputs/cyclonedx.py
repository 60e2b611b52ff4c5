"""CycloneDX 1.6 JSON SBOM (1.5 and 1.4 with ``version=``), built with cyclonedx-python-lib.

The project is ``metadata.component``; each discovered package is a component (bom-ref =
its package_uid) with purl, licenses, hashes and copyright. The ``dependencies`` graph links
each package to what its dependencies resolved to and, unlike ScanCode.io, also to the
dependencies that did not resolve to a package: those are components of their own with the
property ``scanapp:unresolved=true``.
"""

from __future__ import annotations

from typing import BinaryIO

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.license import LicenseExpression
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from outputs import data
from scanapp import licensing
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


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's CycloneDX JSON SBOM to ``target``."""
    bom = build_bom(project_id)
    outputter = make_outputter(bom, OutputFormat.JSON, SCHEMAS[version])
    target.write(outputter.output_as_string(indent=2).encode())


def build_bom(project_id: int) -> Bom:
    """Return the Bom of the project's packages and dependencies."""
    project = data.project_row(project_id)
    bom = Bom()
    root = Component(
        name=project.name, type=ComponentType.APPLICATION, bom_ref=f"project:{project.uuid}"
    )
    bom.metadata.component = root
    components: dict[str, Component] = {}
    for package in data.iter_rows(DiscoveredPackage, project_id):
        component = _component(package)
        components[package["package_uid"]] = component
        bom.components.add(component)
    edges: dict[str, list[Component]] = {}
    for dependency in data.iter_rows(DiscoveredDependency, project_id):
        target = components.get(dependency["resolved_to_package_uid"] or "")
        if target is None:
            target = _unresolved(dependency)
            components[dependency["dependency_uid"]] = target
            bom.components.add(target)
        source = dependency["for_package_uid"] or ""
        edges.setdefault(source if source in components else "", []).append(target)
    for uid, component in components.items():
        bom.register_dependency(component, edges.get(uid, []))
    top_level = edges.get("", [])
    bom.register_dependency(root, [*_top_packages(components, edges), *top_level])
    return bom


def _top_packages(components: dict[str, Component], edges: dict) -> list[Component]:
    """Return the packages no other package depends on (what the project holds directly)."""
    depended = {id(item) for targets in edges.values() for item in targets}
    return [item for uid, item in components.items() if id(item) not in depended]


def _component(package: dict) -> Component:
    expression = package["declared_license_expression_spdx"]
    if expression and licensing.spdx_symbols(expression) is None:
        expression = ""
    return Component(
        name=package["name"] or package["purl"] or package["package_uid"],
        group=package["namespace"] or None,
        version=package["version"] or None,
        bom_ref=package["package_uid"],
        purl=_purl(package["purl"]),
        description=package["description"] or None,
        copyright=package["copyright"] or None,
        licenses=[LicenseExpression(expression)] if expression else None,
        hashes=[
            HashType(alg=algorithm, content=package[field])
            for field, algorithm in HASHES
            if package[field]
        ],
        properties=_properties(package),
    )


def _properties(package: dict) -> list[Property]:
    properties = []
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
