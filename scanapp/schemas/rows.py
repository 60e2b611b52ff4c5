"""Schemas of stored rows, generated from the models' columns (marshmallow-sqlalchemy).

Scalar columns get their field from the column type; JSON columns are declared here with
the shape of their items. Internal ids are left out, as ScanCode.io's API does.
"""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import fields
from marshmallow_sqlalchemy import ModelConverter, SQLAlchemyAutoSchema
from marshmallow_sqlalchemy.schema import SQLAlchemyAutoSchemaMeta

from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
    WebhookDelivery,
    WebhookSubscription,
)
from scanapp.schemas import scan_data as data
from scanapp.schemas.fields import AlwaysPresent, UtcDateTime, computed, open_list, text_list


class Converter(ModelConverter):
    """Datetimes are dumped with their UTC offset."""

    SQLA_TYPE_MAPPING = {**ModelConverter.SQLA_TYPE_MAPPING, sa.DateTime: UtcDateTime}


class _ColumnOrder(SQLAlchemyAutoSchemaMeta):
    """Dump the columns in table order, then the fields a schema adds."""

    @classmethod
    def get_declared_fields(mcs, klass, cls_fields, inherited_fields, dict_cls=dict):
        found = super().get_declared_fields(klass, cls_fields, inherited_fields, dict_cls)
        model = klass.opts.model
        if model is None:
            return found
        columns = [column.name for column in model.__table__.columns if column.name in found]
        return dict_cls(
            [(name, found[name]) for name in columns]
            + [(name, field) for name, field in found.items() if name not in columns]
        )


class RowSchema(SQLAlchemyAutoSchema, AlwaysPresent, metaclass=_ColumnOrder):
    """Every column of a row but the internal ids, each field typed from its column."""

    class Meta:
        model_converter = Converter
        load_instance = False
        include_fk = False


class ResourceSchema(RowSchema):
    """A file, directory or symlink of a project's codebase, with its scan results."""

    class Meta(RowSchema.Meta):
        model = CodebaseResource
        exclude = ("id", "project_id")

    license_detections = open_list(data.LicenseDetection)
    license_clues = open_list(data.LicenseMatch)
    copyrights = open_list(data.Copyright)
    holders = open_list(data.Holder)
    authors = open_list(data.Author)
    emails = open_list(data.Email)
    urls = open_list(data.Url)
    package_data = open_list(data.PackageData)
    for_packages = text_list()
    extra_data = fields.Dict(keys=fields.String())


class PackageSchema(RowSchema):
    """A package found in a project (assembled from manifests, or loaded from an SBOM)."""

    class Meta(RowSchema.Meta):
        model = DiscoveredPackage
        exclude = ("id", "project_id")

    license_detections = open_list(data.LicenseDetection)
    other_license_detections = open_list(data.LicenseDetection)
    keywords = text_list()
    parties = open_list(data.Party)
    datasource_ids = text_list()
    datafile_paths = text_list()
    source_packages = text_list()
    affected_by_vulnerabilities = open_list(data.Vulnerability)
    file_references = open_list(data.FileReference)
    missing_resources = text_list()
    modified_resources = text_list()
    extra_data = fields.Dict(keys=fields.String())


class DependencySchema(RowSchema):
    """A dependency declared by a manifest or lockfile, resolved to a package when known."""

    class Meta(RowSchema.Meta):
        model = DiscoveredDependency
        exclude = ("id", "project_id")

    affected_by_vulnerabilities = open_list(data.Vulnerability)
    extra_data = fields.Dict(keys=fields.String())


class MessageSchema(RowSchema):
    """A message of a run: an error, warning or info; ``message`` repeats the description."""

    class Meta(RowSchema.Meta):
        model = ProjectMessage
        exclude = ("id", "project_id")

    details = fields.Dict(keys=fields.String())
    message = computed(fields.String, lambda item: item.description)


class DeliverySchema(RowSchema):
    """One attempt to deliver a webhook; ``run`` is the uuid of the run it notified."""

    class Meta(RowSchema.Meta):
        model = WebhookDelivery
        exclude = ("id", "webhook_id", "run_id")

    run = fields.String(allow_none=True)


class WebhookSchema(RowSchema):
    """A webhook subscription of a project."""

    class Meta(RowSchema.Meta):
        model = WebhookSubscription
        exclude = ("id", "project_id")


class WebhookWithDeliveriesSchema(WebhookSchema):
    """A webhook subscription with every delivery attempt, oldest first."""

    deliveries = fields.List(fields.Nested(DeliverySchema))
