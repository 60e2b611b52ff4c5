"""Packages across projects (``/api/packages/``) and the server's figures (``/api/stats/``)."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent, UtcDateTime
from scanapp.schemas.lists import page_of


class ProjectRefSchema(AlwaysPresent):
    """A project, by name and uuid."""

    name = fields.String()
    uuid = fields.String()


class PackageHolderSchema(ProjectRefSchema):
    """A project holding a package version, and the package as it was found there."""

    package_uid = fields.String()
    declared_license_expression = fields.String()
    compliance_alert = fields.String()


class PackageVersionSchema(AlwaysPresent):
    """A version seen, and the projects that contain it."""

    version = fields.String()
    purl = fields.String()
    projects = fields.List(fields.Nested(PackageHolderSchema))


class PackageEntrySchema(AlwaysPresent):
    """A package (type, namespace, name) with every version seen."""

    type = fields.String()
    namespace = fields.String()
    name = fields.String()
    purl = fields.String()
    versions = fields.List(fields.Nested(PackageVersionSchema))


class PackageDetailSchema(PackageEntrySchema):
    """A package: its versions, the licenses declared for it, the projects holding it."""

    licenses = fields.List(fields.String())
    projects = fields.List(fields.Nested(ProjectRefSchema))


class PackageDependencySchema(AlwaysPresent):
    """A dependency as scanned: what it names, how, where, in which project."""

    purl = fields.String()
    extracted_requirement = fields.String()
    scope = fields.String()
    is_runtime = fields.Boolean()
    is_optional = fields.Boolean()
    is_pinned = fields.Boolean()
    is_resolved = fields.Boolean()
    datafile_path = fields.String()
    project = fields.Nested(ProjectRefSchema)


class DependentSchema(PackageDependencySchema):
    """A dependency naming the package, and the package declaring it (null: none)."""

    dependent_package = fields.String(allow_none=True)


class PackageVersionDetailSchema(AlwaysPresent):
    """One version of a package: the projects holding it, its dependencies as scanned."""

    type = fields.String()
    namespace = fields.String()
    name = fields.String()
    version = fields.String()
    purl = fields.String()
    projects = fields.List(fields.Nested(PackageHolderSchema))
    dependencies = fields.List(fields.Nested(PackageDependencySchema))


PackagePageSchema = page_of(PackageEntrySchema)
DependentPageSchema = page_of(DependentSchema)


class LicenseCountSchema(AlwaysPresent):
    """A detected license expression and how many files have it."""

    license_expression = fields.String()
    files = fields.Integer()


class PackageCountSchema(AlwaysPresent):
    """A package (in lower case) and how many times it was found in the projects."""

    purl = fields.String()
    occurrences = fields.Integer()


class NewProjectSchema(ProjectRefSchema):
    """A project and when it was created."""

    created_date = UtcDateTime()


class CacheFiguresSchema(AlwaysPresent):
    """The scan cache: entries, files served from it, files looked up and scanned."""

    entries = fields.Integer()
    files_served = fields.Integer()
    files_scanned = fields.Integer()


class StatsSchema(AlwaysPresent):
    """Figures over the projects the caller may see."""

    projects = fields.Integer()
    runs = fields.Dict(keys=fields.String(), values=fields.Integer(),
                       metadata={"description": "total, and a count per status."})
    files = fields.Integer()
    packages = fields.Integer()
    scan_cache = fields.Nested(CacheFiguresSchema, allow_none=True)
    top_licenses = fields.List(fields.Nested(LicenseCountSchema))
    top_packages = fields.List(fields.Nested(PackageCountSchema))
    newest_projects = fields.List(fields.Nested(NewProjectSchema))
