"""``compliance/``, ``license_clarity_compliance/`` and ``scorecard_compliance/`` of a project."""

from __future__ import annotations

from scanapp.api.access import project_role
from scanapp.api.arguments import FailLevelArguments
from scanapp.api.blueprint import Blueprint
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.summary import (
    ClarityAlertSchema,
    ComplianceAlertsSchema,
    ScorecardAlertSchema,
)
from scanapp.services import compliance as service

blp = Blueprint("compliance", __name__, url_prefix="/api/projects", description="Compliance")


@blp.route("/<uuid:uuid>/compliance/", methods=["GET"])
@project_role("member")
@blp.arguments(FailLevelArguments, location="query", as_kwargs=True)
@blp.response(200, ComplianceAlertsSchema)
@blp.alt_response(404, schema=ErrorSchema)
def compliance(uuid, fail_level):
    """List the packages and resources whose license alert reaches ``fail_level``."""
    alerts = service.compliance_alerts(str(uuid), fail_level, refresh=False)
    return {"compliance_alerts": alerts}


@blp.route("/<uuid:uuid>/license_clarity_compliance/", methods=["GET"])
@project_role("member")
@blp.response(200, ClarityAlertSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def license_clarity_compliance(uuid):
    """Return the alert of the license clarity score against the clarity thresholds."""
    return {"license_clarity_compliance_alert": service.license_clarity_alert(str(uuid))}


@blp.route("/<uuid:uuid>/scorecard_compliance/", methods=["GET"])
@project_role("member")
@blp.response(200, ScorecardAlertSchema)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def scorecard_compliance(uuid):
    """Return the worst alert of the packages' OpenSSF Scorecard scores against the thresholds."""
    return {"scorecard_compliance_alert": service.scorecard_alert(str(uuid))}
