"""What ``GET /api/projects/{uuid}/compare/?with=`` answers: the changes between two scans."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent


class ComparedProjectSchema(AlwaysPresent):
    """One side: the project, and the folder its paths are compared below."""

    name = fields.String()
    uuid = fields.String()
    root = fields.String()


class ComparedPackageSchema(AlwaysPresent):
    """A package (``pkg:type/namespace/name``) and version found on one side only."""

    package = fields.String()
    version = fields.String()
    purl = fields.String()
    declared_license_expression = fields.String()


class PackageChangeSchema(AlwaysPresent):
    """A package on both sides with another version, or another declared license."""

    package = fields.String()
    from_version = fields.String()
    to_version = fields.String()
    from_purl = fields.String()
    to_purl = fields.String()
    from_declared_license_expression = fields.String()
    to_declared_license_expression = fields.String()


class ComparedDependencySchema(AlwaysPresent):
    """A dependency (package, scope, manifest path below the root) on one side only."""

    package = fields.String()
    purl = fields.String()
    extracted_requirement = fields.String()
    scope = fields.String()
    datafile_path = fields.String()
    is_runtime = fields.Boolean()
    is_optional = fields.Boolean()


class DependencyChangeSchema(ComparedDependencySchema):
    """A dependency on both sides, declared with another requirement."""

    from_extracted_requirement = fields.String()
    to_extracted_requirement = fields.String()


class AlertChangeSchema(AlwaysPresent):
    """A package or file whose alert appeared (or worsened), or went (or eased)."""

    kind = fields.String()
    identity = fields.String()
    compliance_alert = fields.String()
    license_expression = fields.String()
    from_compliance_alert = fields.String()
    to_compliance_alert = fields.String()


class ComparedFileSchema(AlwaysPresent):
    """A file (its path below the root) on one side only."""

    path = fields.String()
    sha256 = fields.String()
    detected_license_expression = fields.String()


class FileChangeSchema(AlwaysPresent):
    """A file on both sides with other content, and its licenses on each."""

    path = fields.String()
    from_sha256 = fields.String()
    to_sha256 = fields.String()
    from_detected_license_expression = fields.String()
    to_detected_license_expression = fields.String()
    license_changed = fields.Boolean()


class ComparisonSchema(AlwaysPresent):
    """What ``with`` has that ``project`` has not, what it lost and what changed."""

    project = fields.Nested(ComparedProjectSchema)
    with_ = fields.Nested(ComparedProjectSchema, data_key="with", attribute="with")
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    packages_added = fields.List(fields.Nested(ComparedPackageSchema))
    packages_removed = fields.List(fields.Nested(ComparedPackageSchema))
    package_version_changes = fields.List(fields.Nested(PackageChangeSchema))
    package_license_changes = fields.List(fields.Nested(PackageChangeSchema))
    dependencies_added = fields.List(fields.Nested(ComparedDependencySchema))
    dependencies_removed = fields.List(fields.Nested(ComparedDependencySchema))
    dependency_requirement_changes = fields.List(fields.Nested(DependencyChangeSchema))
    alerts_new = fields.List(fields.Nested(AlertChangeSchema))
    alerts_resolved = fields.List(fields.Nested(AlertChangeSchema))
    files_added = fields.List(fields.Nested(ComparedFileSchema))
    files_removed = fields.List(fields.Nested(ComparedFileSchema))
    files_changed = fields.List(fields.Nested(FileChangeSchema))
