"""The scan summary of ``scan_single_package`` and the compliance answers."""

from __future__ import annotations

from marshmallow import Schema, fields

from scanapp.schemas.fields import Open, open_list, text_list
from scanapp.schemas.rows import PackageSchema, ResourceSchema


class ClarityScore(Schema):
    """The license clarity score (0-100) and the factors it is made of."""

    score = fields.Integer(allow_none=True)
    declared_license = fields.Boolean(allow_none=True)
    identification_precision = fields.Boolean(allow_none=True)
    has_license_text = fields.Boolean(allow_none=True)
    declared_copyrights = fields.Boolean(allow_none=True)
    conflicting_license_categories = fields.Boolean(allow_none=True)
    ambiguous_compound_licensing = fields.Boolean(allow_none=True)


class Tally(Schema):
    """A value (license expression, holder or language) and how many files have it."""

    value = fields.String(allow_none=True)
    count = fields.Integer()


class MatchedText(Schema):
    """A match of a detection: its expression and the text it matched."""

    license_expression = fields.String(allow_none=True)
    matched_text = fields.String(allow_none=True)


class DetectionMatches(Schema):
    """A license detection of a file with the text of its matches."""

    license_expression = fields.String(allow_none=True)
    identifier = fields.String(allow_none=True)
    matches = open_list(MatchedText)


class KeyFile(ResourceSchema):
    """A key file (license, readme, manifest at the top level) with its text."""

    content = fields.String()


class SummarySchema(Schema):
    """Declared license, clarity score, holder, language, other tallies and key files."""

    declared_license_expression = fields.String(allow_none=True)
    license_clarity_score = Open(ClarityScore)
    declared_holder = fields.String(allow_none=True)
    primary_language = fields.String(allow_none=True)
    other_license_expressions = open_list(Tally)
    other_holders = open_list(Tally)
    other_languages = open_list(Tally)
    license_matches = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=open_list(DetectionMatches)),
        metadata={"description": "{license expression: {path: [detections with matches]}}"},
    )
    key_files = open_list(KeyFile)
    key_files_packages = open_list(PackageSchema)
    license_clarity_compliance_alert = fields.String(
        allow_none=True, metadata={"description": "The clarity score's alert under the policy."}
    )


class AlertGroups(Schema):
    """Items by alert (``error``, ``warning``, ``missing``), most severe first."""

    packages = fields.Dict(keys=fields.String(), values=text_list())
    resources = fields.Dict(keys=fields.String(), values=text_list())
    infected_files = fields.Dict(keys=fields.String(), values=text_list())
    vulnerabilities = fields.Dict(
        keys=fields.String(), values=text_list(),
        metadata={"description": "{alert: [\"purl: vulnerability id (level)\"]}: the known "
                                 "vulnerabilities vulnerability_severity_thresholds alert."})


class ComplianceAlertsSchema(Schema):
    """``compliance/``: purls and paths whose alert reaches the fail level."""

    compliance_alerts = fields.Nested(AlertGroups, required=True)


class ClarityAlertSchema(Schema):
    """``license_clarity_compliance/``: ok, warning, error, or null without thresholds."""

    license_clarity_compliance_alert = fields.String(allow_none=True, required=True)


class ScorecardAlertSchema(Schema):
    """``scorecard_compliance/``: the worst scorecard alert, or null without a score."""

    scorecard_compliance_alert = fields.String(allow_none=True, required=True)
