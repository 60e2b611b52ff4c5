"""The ``vulnerabilities`` of a CycloneDX SBOM, from what find_vulnerabilities stored.

One vulnerability per OSV id, whose ``affects`` names every component it was found on (a
package's bom-ref is its package_uid, an unresolved dependency's its dependency_uid), with
its CVSS ratings, its aliases as references and its reference URLs as advisories.
"""

from __future__ import annotations

from decimal import Decimal

from cyclonedx.model import XsUri
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)

from scanapp.pipes.osv import RECORD_URL

#: OSV severity type -> CycloneDX rating method (CVSS 3.0 and 3.1 vectors tell apart).
_METHODS = {"CVSS_V2": VulnerabilityScoreSource.CVSS_V2,
            "CVSS_V4": VulnerabilityScoreSource.CVSS_V4}


def _method(kind: str, vector: str) -> VulnerabilityScoreSource:
    if kind == "CVSS_V3":
        return (VulnerabilityScoreSource.CVSS_V3_1 if vector.startswith("CVSS:3.1/")
                else VulnerabilityScoreSource.CVSS_V3)
    return _METHODS.get(kind, VulnerabilityScoreSource.OTHER)


def _rating(item: dict) -> VulnerabilityRating:
    level = item.get("level") or "unknown"
    return VulnerabilityRating(
        source=VulnerabilitySource(name="OSV"),
        score=Decimal(str(item["score"])) if item.get("score") is not None else None,
        severity=VulnerabilitySeverity(level),
        method=_method(item.get("type", ""), item.get("vector", "")),
        vector=item.get("vector") or None)


def _urls(found: dict) -> list[XsUri]:
    urls = []
    for reference in found.get("references", []):
        try:
            urls.append(XsUri(reference["url"]))
        except (KeyError, ValueError):
            continue
    return urls


def vulnerabilities(found_on: list[tuple[str, list]]) -> list[Vulnerability]:
    """Return the CycloneDX vulnerabilities of ``(bom_ref, affected_by_vulnerabilities)``."""
    by_id: dict[str, tuple[dict, list[str]]] = {}
    for bom_ref, found in found_on:
        for item in found or []:
            entry = by_id.setdefault(item["vulnerability_id"], (item, []))
            entry[1].append(bom_ref)
    result = []
    for vulnerability_id, (item, refs) in sorted(by_id.items()):
        result.append(Vulnerability(
            bom_ref=vulnerability_id, id=vulnerability_id,
            source=VulnerabilitySource(name="OSV", url=XsUri(RECORD_URL + vulnerability_id)),
            references=[VulnerabilityReference(id=alias, source=VulnerabilitySource(
                name="OSV", url=XsUri(RECORD_URL + alias))) for alias in item.get("aliases", [])],
            ratings=[_rating(rating) for rating in item.get("severity", [])],
            description=item.get("summary") or None,
            recommendation=("Upgrade to " + ", ".join(item["fixed_versions"]) + ".")
            if item.get("fixed_versions") else None,
            advisories=[VulnerabilityAdvisory(url=url) for url in _urls(item)],
            affects=[BomTarget(ref=ref) for ref in sorted(set(refs))]))
    return result
