"""A project's vulnerabilities (``/api/projects/{uuid}/vulnerabilities/``)."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent
from scanapp.schemas.lists import page_of


class SeveritySchema(AlwaysPresent):
    """A severity as OSV gives it, with its CVSS base score and level where it reads."""

    type = fields.String(metadata={"description": "CVSS_V2, CVSS_V3, CVSS_V4..."})
    vector = fields.String()
    score = fields.Float(allow_none=True)
    level = fields.String(metadata={"description": "low, medium, high, critical or ''."})


class ReferenceSchema(AlwaysPresent):
    """A link of the record: an advisory, a fix, a report."""

    type = fields.String()
    url = fields.String()


class AffectsSchema(AlwaysPresent):
    """The package or dependency affected."""

    kind = fields.String(metadata={"description": "package or dependency."})
    purl = fields.String()
    uid = fields.String(metadata={"description": "Its package_uid or dependency_uid."})


class ProjectVulnerabilitySchema(AlwaysPresent):
    """A known vulnerability of one of the project's packages or dependencies."""

    vulnerability_id = fields.String(metadata={"description": "The OSV id."})
    aliases = fields.List(fields.String(), metadata={"description": "CVE ids..."})
    summary = fields.String()
    severity = fields.List(fields.Nested(SeveritySchema))
    severity_level = fields.String()
    fixed_versions = fields.List(fields.String())
    references = fields.List(fields.Nested(ReferenceSchema))
    source = fields.String(metadata={"description": "osv: the local vulnerability database."})
    affects = fields.Nested(AffectsSchema)


ProjectVulnerabilityPageSchema = page_of(ProjectVulnerabilitySchema)
