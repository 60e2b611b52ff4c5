"""A project's compliance alerts and known vulnerabilities, as the API answers them.

``/projects/<uuid>/compliance``: ``compliance/?fail_level=`` with the license clarity and
scorecard alerts; ``/projects/<uuid>/vulnerabilities``: ``vulnerabilities/`` with its
filters, and the dependencies find_vulnerabilities could not tell about.
"""

from __future__ import annotations

from flask import render_template, request

from scanapp.config import get_settings
from scanapp.errors import InvalidInputError, ScanappError
from scanapp.policies import FAIL_LEVELS, VULNERABILITY_LEVELS
from scanapp.schemas.projects import ProjectSchema
from scanapp.schemas.summary import ComplianceAlertsSchema
from scanapp.schemas.vulnerabilities import ProjectVulnerabilitySchema
from scanapp.services import compliance
from scanapp.services import projects as project_service
from scanapp.services.vulnerabilities import project_vulnerabilities, unpinned_dependencies
from scanapp.web.blueprint import require_project, web
from scanapp.web.paging import page_links

#: The vulnerability list's filters (``GET /api/projects/{uuid}/vulnerabilities/``'s).
VULNERABILITY_FILTERS = ("severity", "package", "alias")


def _project(uuid: str) -> dict:
    require_project(uuid)
    return ProjectSchema().dump(project_service.project_detail(uuid, detail=False))


def _score_alerts(uuid: str) -> dict:
    """Return the license clarity and scorecard alerts, or why one cannot be told."""
    found = {}
    for key, read in (("license_clarity", compliance.license_clarity_alert),
                      ("scorecard", compliance.scorecard_alert)):
        try:
            found[key] = read(uuid)
        except ScanappError as error:
            found[key] = f"cannot tell: {error.message}"
    return found


def _counts(alerts: dict) -> dict[str, int]:
    """Return how many items each alert level has, over every kind."""
    counts: dict[str, int] = {}
    for groups in alerts.values():
        for level, items in groups.items():
            counts[level] = counts.get(level, 0) + len(items)
    return counts


@web.route("/projects/<uuid:uuid>/compliance", methods=["GET"])
def project_compliance(uuid):
    """Show the alerts reaching the fail level: packages, files, infections, vulnerabilities."""
    project = _project(str(uuid))
    fail_level = request.args.get("fail_level", "ERROR").strip().upper() or "ERROR"
    alerts = ComplianceAlertsSchema().dump({"compliance_alerts": compliance.compliance_alerts(
        str(uuid), fail_level, refresh=False)})["compliance_alerts"]
    return render_template("compliance.html", tab="compliance", project=project,
                           alerts=alerts, counts=_counts(alerts), fail_level=fail_level,
                           fail_levels=list(FAIL_LEVELS), scores=_score_alerts(str(uuid)))


def _vulnerability_filters() -> dict:
    filters = {key: request.args.get(key, "").strip() or None for key in VULNERABILITY_FILTERS}
    if filters["severity"] is not None and filters["severity"] not in VULNERABILITY_LEVELS:
        raise InvalidInputError.for_field(
            "severity", f"Choose one of: {', '.join(VULNERABILITY_LEVELS)}.")
    return filters


@web.route("/projects/<uuid:uuid>/vulnerabilities", methods=["GET"])
def project_vulnerability_list(uuid):
    """List the known vulnerabilities, most severe first, by severity, package and alias."""
    project = _project(str(uuid))
    filters = _vulnerability_filters()
    number = request.args.get("page", 1, type=int)
    found = project_vulnerabilities(str(uuid), filters, number, get_settings().page_size)
    return render_template(
        "vulnerabilities.html", tab="vulnerabilities", project=project,
        vulnerabilities=ProjectVulnerabilitySchema(many=True).dump(found.items),
        page=found, links=page_links(found), args=request.args,
        filtered=any(filters.values()), levels=VULNERABILITY_LEVELS[:-1],
        unpinned=unpinned_dependencies(str(uuid)))
