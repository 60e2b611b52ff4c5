"""``compliance/``, ``license_clarity_compliance/`` and ``scorecard_compliance/`` of a project."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields

from scanapp.api.schemas import ApiErrorSchema, ResponseSchema
from scanapp.services import compliance as service

blp = Blueprint("compliance", __name__, url_prefix="/api/projects", description="Compliance")


class FailLevelSchema(Schema):
    """``?fail_level=ERROR|WARNING|MISSING`` (case-insensitive, default ERROR)."""

    class Meta:
        unknown = EXCLUDE

    fail_level = fields.String(load_default="ERROR", metadata={
        "description": "ERROR, WARNING or MISSING (case-insensitive)."})


class ComplianceAlertsSchema(ResponseSchema):
    """``{"compliance_alerts": {"packages": {alert: [purl]}, "resources": {alert: [path]}}}``."""

    compliance_alerts = fields.Dict(keys=fields.String(), values=fields.Dict())


class ClarityAlertSchema(ResponseSchema):
    """``{"license_clarity_compliance_alert": ok|warning|error|null}``."""

    license_clarity_compliance_alert = fields.String(allow_none=True)


class ScorecardAlertSchema(ResponseSchema):
    """``{"scorecard_compliance_alert": ok|warning|error|null}``."""

    scorecard_compliance_alert = fields.String(allow_none=True)


@blp.route("/<uuid:uuid>/compliance/", methods=["GET"])
@blp.arguments(FailLevelSchema, location="query", as_kwargs=True)
@blp.response(200, ComplianceAlertsSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def compliance(uuid, fail_level):
    """List the packages and resources whose license alert reaches ``fail_level``."""
    alerts = service.compliance_alerts(str(uuid), fail_level, refresh=False)
    return {"compliance_alerts": alerts}


@blp.route("/<uuid:uuid>/license_clarity_compliance/", methods=["GET"])
@blp.response(200, ClarityAlertSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def license_clarity_compliance(uuid):
    """Return the alert of the license clarity score against the clarity thresholds."""
    return {"license_clarity_compliance_alert": service.license_clarity_alert(str(uuid))}


@blp.route("/<uuid:uuid>/scorecard_compliance/", methods=["GET"])
@blp.response(200, ScorecardAlertSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def scorecard_compliance(uuid):
    """Return the worst alert of the packages' OpenSSF Scorecard scores against the thresholds."""
    return {"scorecard_compliance_alert": service.scorecard_alert(str(uuid))}
