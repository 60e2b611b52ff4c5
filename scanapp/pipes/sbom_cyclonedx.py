"""Read CycloneDX 1.4-1.6 documents (JSON and XML) into an ``Sbom``.

XML is first turned into the JSON document shape, so both go through one reader. Nested
components are loaded too; ``metadata.component`` (what the SBOM describes) is not a
package: its edges to components are not dependencies, its edges to other references are
dependencies of no package. ``aboutcode:<field>`` properties (ScanCode.io's and scanapp's)
set package fields; a ``scorecard`` score among a component's properties is kept in
``extra_data["scorecard"]``. A component with the property ``scanapp:unresolved=true``
(scanapp's output) is the target of an unresolved dependency, not a package.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanapp.pipes.sbom_document import (
    Edge,
    Sbom,
    SbomError,
    label_of,
    load_json,
    package_values,
    purl_fields,
    text,
)

VERSIONS = ("1.4", "1.5", "1.6")
HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-512": "sha512"}
URL_TYPES = {
    "website": "homepage_url",
    "distribution": "download_url",
    "vcs": "vcs_url",
    "issue-tracker": "bug_tracking_url",
}
#: Property marking a component that stands for an unresolved dependency (scanapp output).
UNRESOLVED = "scanapp:unresolved"
#: Property marking a component a dependency of no package resolved to (scanapp output).
PROJECT_DEPENDENCY = "scanapp:project_dependency"
#: Prefix of the properties naming a package field (ScanCode.io's taxonomy).
ABOUTCODE_PREFIX = "aboutcode:"
#: The package fields ``aboutcode:`` properties may set (package_uid is scanapp's own).
PROPERTY_FIELDS = (
    "filename", "primary_language", "download_url", "homepage_url", "notice_text",
    "release_date", "bug_tracking_url", "code_view_url", "vcs_url", "repository_homepage_url",
    "repository_download_url", "api_data_url", "holder", "notes",
)
#: Other tools' properties for a package field, used when no ``aboutcode:`` one is set.
OTHER_PROPERTIES = {"ResolvedUrl": "download_url"}  # CycloneDX/cdxgen
_NAMESPACE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d\.\d)\}")


def read_json(location: Path) -> Sbom:
    """Read a CycloneDX JSON document."""
    return read_document(load_json(location), "cyclonedx_json")


def read_xml(location: Path) -> Sbom:
    """Read a CycloneDX XML document (defusedxml: no entities, no external references)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse

    try:
        root = parse(location).getroot()
    except (ParseError, DefusedXmlException) as error:
        raise SbomError(f"invalid XML: {error}") from None
    match = _NAMESPACE.match(root.tag)
    if not match or _local(root) != "bom":
        raise SbomError(f"the root element {root.tag} is not a CycloneDX bom")
    return read_document(xml_document(root, match.group(1)), "cyclonedx_xml")


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element, name: str):
    return next((item for item in element if _local(item) == name), None)


def _children(element, name: str) -> list:
    holder = _child(element, name)
    return list(holder) if holder is not None else []


def xml_document(root, version: str) -> dict:
    """Return the JSON shape of a CycloneDX XML bom."""
    metadata = _child(root, "metadata")
    described = _child(metadata, "component") if metadata is not None else None
    return {
        "bomFormat": "CycloneDX",
        "specVersion": version,
        "metadata": {"component": {"bom-ref": described.get("bom-ref")}} if (
            described is not None
        ) else {},
        "components": [xml_component(item) for item in _children(root, "components")],
        "dependencies": [
            {"ref": item.get("ref"), "dependsOn": [sub.get("ref") for sub in item]}
            for item in _children(root, "dependencies")
        ],
    }


def xml_component(element) -> dict:
    """Return the JSON shape of a CycloneDX XML component."""
    data = {"bom-ref": element.get("bom-ref"), "type": element.get("type")}
    for name in ("group", "name", "version", "purl", "description", "copyright", "scope"):
        child = _child(element, name)
        if child is not None:
            data[name] = (child.text or "").strip()
    data["licenses"] = [_xml_license(item) for item in _children(element, "licenses")]
    data["hashes"] = [
        {"alg": item.get("alg"), "content": (item.text or "").strip()}
        for item in _children(element, "hashes")
    ]
    data["externalReferences"] = [
        {"type": item.get("type"), "url": (getattr(_child(item, "url"), "text", "") or "").strip()}
        for item in _children(element, "externalReferences")
    ]
    data["properties"] = [
        {"name": item.get("name"), "value": (item.text or "").strip()}
        for item in _children(element, "properties")
    ]
    data["components"] = [xml_component(item) for item in _children(element, "components")]
    return data


def _xml_license(element) -> dict:
    if _local(element) == "expression":
        return {"expression": (element.text or "").strip()}
    values = {_local(item): (item.text or "").strip() for item in element}
    return {"license": {key: values[key] for key in ("id", "name") if key in values}}


def read_document(document, datasource_id: str) -> Sbom:
    """Read a CycloneDX document in its JSON shape."""
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise SbomError("the document is not a CycloneDX bom (bomFormat)")
    sbom = Sbom(datasource_id=datasource_id)
    version = str(document.get("specVersion"))
    if version not in VERSIONS:
        sbom.problems.append(f"specVersion {version!r} is not one of {', '.join(VERSIONS)}")
    components = document.get("components") or []
    if not isinstance(components, list):
        raise SbomError("'components' is not a list")
    items = list(flatten(components))
    sbom.add_packages((item for item in items if not is_unresolved(item)), component, "component")
    for item in filter(is_unresolved, items):
        add_unresolved(sbom, item)
    described = (document.get("metadata") or {}).get("component") or {}
    if isinstance(described, dict) and text(described.get("bom-ref")):
        sbom.roots.add(text(described.get("bom-ref")))
    scopes = {
        text(item.get("bom-ref")) or text(item.get("purl")): _scope(item)
        for item in items
        if isinstance(item, dict)
    }
    dependencies = document.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise SbomError("'dependencies' is not a list")
    project_dependencies = {text(item.get("bom-ref")) for item in items if isinstance(item, dict)
                            and _property(item, PROJECT_DEPENDENCY) == "true"}
    sbom.edges = edges(dependencies, sbom, scopes, project_dependencies)
    return sbom


def _property(item: dict, name: str) -> str | None:
    for prop in item.get("properties") or []:
        if isinstance(prop, dict) and prop.get("name") == name:
            return text(prop.get("value"))
    return None


def is_unresolved(item) -> bool:
    """Tell whether a component stands for an unresolved dependency (scanapp's own output).

    scanapp's CycloneDX keeps unresolved dependencies in the graph as components with the
    property ``scanapp:unresolved=true``; they are dependency targets, not packages.
    """
    return isinstance(item, dict) and _property(item, UNRESOLVED) == "true"


def add_unresolved(sbom: Sbom, item: dict) -> None:
    """Record an unresolved dependency component as an external target (its purl, name...)."""
    purl = text(item.get("purl"))
    ref = text(item.get("bom-ref")) or purl
    try:
        values = purl_fields(ref_purl(purl)) if purl else {
            "name": text(item.get("name")),
            "namespace": text(item.get("group")),
            "version": text(item.get("version")),
        }
    except ValueError:
        sbom.problems.append(f"unresolved dependency {label_of(item)!r} has no valid purl")
        return
    if not ref or not values.get("name"):
        sbom.problems.append(f"unresolved dependency {label_of(item)!r} has no purl nor name")
        return
    requirement = _property(item, "scanapp:extracted_requirement")
    if requirement is None:
        requirement = values["version"]
    sbom.external[ref] = dict(values, extracted_requirement=requirement)


def _scope(item: dict) -> tuple[str, bool, bool]:
    """Return a component's (scope, is_optional, is_runtime).

    The CycloneDX ``scope`` (required, optional, excluded) tells optional and runtime;
    scanapp's ``scanapp:scope`` property keeps the original scope name.
    """
    scope = text(item.get("scope"))
    return _property(item, "scanapp:scope") or scope, scope == "optional", scope != "excluded"


def flatten(components: list):
    """Yield components and their nested components, depth first."""
    for item in components:
        yield item
        if isinstance(item, dict) and isinstance(item.get("components"), list):
            yield from flatten(item["components"])


def licenses(items: list) -> tuple[str, str]:
    """Return the SPDX expression and the other license names of a ``licenses`` list."""
    expressions, names = [], []
    for item in items or []:
        if item.get("expression"):
            expressions.append(item["expression"])
        license_data = item.get("license") or {}
        if license_data.get("id"):
            expressions.append(license_data["id"])
        elif license_data.get("name"):
            names.append(license_data["name"])
    if len(expressions) > 1:
        expressions = [f"({value})" if " " in value else value for value in expressions]
    return " AND ".join(expressions), "\n".join(names)


def scorecard(properties: list) -> dict:
    """Return ``{"score": float}`` from a scorecard score property, else {}."""
    for item in properties or []:
        name = str(item.get("name") or "").lower()
        if "scorecard" in name and name.endswith("score"):
            try:
                return {"score": float(item.get("value"))}
            except (TypeError, ValueError):
                return {}
    return {}


def component(item: dict) -> tuple[str, dict]:
    """Return the bom-ref and the package values of one component; raise ValueError."""
    purl = text(item.get("purl"))
    ref = text(item.get("bom-ref")) or purl
    if not ref:
        raise ValueError("no bom-ref and no purl")
    hashes = {
        HASH_ALGORITHMS[value["alg"]]: text(value.get("content"))
        for value in item.get("hashes") or []
        if value.get("alg") in HASH_ALGORITHMS
    }
    urls = {
        URL_TYPES[value["type"]]: text(value.get("url"))
        for value in reversed(item.get("externalReferences") or [])
        if value.get("type") in URL_TYPES
    }
    spdx_license, other = licenses(item.get("licenses"))
    score = scorecard(item.get("properties"))
    extra = {"scorecard": score} if score else {}
    values = package_values(
        name=text(item.get("name")),
        version=text(item.get("version")),
        purl=purl,
        description=text(item.get("description")),
        copyright=text(item.get("copyright")),
        declared_license_expression_spdx=spdx_license,
        extracted_license_statement=other,
        extra_data=extra,
        **hashes,
        **{**urls, **property_fields(item)},
    )
    if not purl and text(item.get("group")):
        values["namespace"] = text(item.get("group"))
    declared = _property(item, "scanapp:declared_license_expression")
    if declared:
        values["declared_license_expression"] = declared
    return ref, values


def property_fields(item: dict) -> dict:
    """Return the package fields set by a component's ``aboutcode:`` (and other) properties."""
    properties = {
        prop.get("name"): text(prop.get("value"))
        for prop in item.get("properties") or []
        if isinstance(prop, dict)
    }
    found = {
        field: properties[f"{ABOUTCODE_PREFIX}{field}"]
        for field in PROPERTY_FIELDS
        if properties.get(f"{ABOUTCODE_PREFIX}{field}")
    }
    for name, field in OTHER_PROPERTIES.items():
        if properties.get(name) and not found.get(field):
            found[field] = properties[name]
    return found


def ref_purl(ref: str) -> str:
    """Return the purl of a reference that is a purl or a ScanCode uid (``purl?uuid=...``)."""
    from packageurl import PackageURL

    parsed = PackageURL.from_string(ref)
    qualifiers = {key: value for key, value in (parsed.qualifiers or {}).items() if key != "uuid"}
    return purl_fields(parsed._replace(qualifiers=qualifiers).to_string())["purl"]


def edges(
    dependencies: list, sbom: Sbom, scopes: dict[str, tuple], project_dependencies=frozenset()
) -> list[Edge]:
    """Return the edges of ``dependencies``; a target outside the components keeps its purl.

    The target component's scope gives the edge's (see ``_scope``). The edges of a root
    (``metadata.component``) to components are left out: what an SBOM describes lists its
    components there, which are not dependencies of no package; but for the components in
    ``project_dependencies`` (scanapp's ``scanapp:project_dependency`` marker).
    """
    found = []
    for item in dependencies:
        parent = text(item.get("ref")) if isinstance(item, dict) else ""
        if parent not in sbom.packages and parent not in sbom.roots:
            continue
        for child in item.get("dependsOn") or []:
            child = text(child)
            if child in sbom.packages and parent in sbom.roots \
                    and child not in project_dependencies:
                continue
            if child not in sbom.packages and child not in sbom.external:
                try:
                    sbom.external[child] = purl_fields(ref_purl(child))
                except ValueError:
                    sbom.problems.append(f"dependency {child!r} is not a component nor a purl")
                    continue
            scope, is_optional, is_runtime = scopes.get(child, ("", False, True))
            found.append(Edge(parent, child, scope, is_optional, is_runtime))
    return found
