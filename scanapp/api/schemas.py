"""Marshmallow schemas for request bodies, query strings and responses (also the OpenAPI doc)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate


class StringOrList(fields.Field):
    """A string, or a list of strings; always loaded as a list."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise ValidationError("Expected a string or a list of strings.")
        return items

    def _jsonschema_type_mapping(self):  # pragma: no cover - documentation only
        return {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}


class WebhookSchema(Schema):
    """A webhook subscription."""

    class Meta:
        unknown = EXCLUDE

    target_url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    trigger_on_each_run = fields.Boolean(load_default=False)
    include_summary = fields.Boolean(load_default=False)
    include_results = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)


class ProjectCreateSchema(Schema):
    """Fields accepted by ``POST /api/projects/`` (JSON, form or multipart)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    input_urls = StringOrList(load_default=list)
    upload_file = fields.Raw(metadata={"type": "string", "format": "binary"})
    upload_file_tag = fields.String(load_default="", validate=validate.Length(max=50))
    pipeline = StringOrList(load_default=list)
    execute_now = fields.Boolean(load_default=False)
    labels = StringOrList(load_default=list)
    notes = fields.String(load_default="")
    settings = fields.Dict(load_default=dict)
    webhook_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    webhooks = fields.List(fields.Nested(WebhookSchema), load_default=list)


class AddInputSchema(Schema):
    """Fields accepted by ``add_input/``."""

    class Meta:
        unknown = EXCLUDE

    input_urls = StringOrList(load_default=list)
    upload_file = fields.Raw(metadata={"type": "string", "format": "binary"})
    upload_file_tag = fields.String(load_default="", validate=validate.Length(max=50))


class ArchiveSchema(Schema):
    """Fields accepted by ``archive/``."""

    class Meta:
        unknown = EXCLUDE

    remove_input = fields.Boolean(load_default=False)
    remove_codebase = fields.Boolean(load_default=False)
    remove_output = fields.Boolean(load_default=False)


class ProjectFilterSchema(Schema):
    """Project list filters."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String()
    name__contains = fields.String()
    name__startswith = fields.String()
    uuid = fields.UUID()
    is_archived = fields.Boolean()
    label = fields.List(fields.String())
    page = fields.Integer(validate=validate.Range(min=1))


class PageSchema(Schema):
    """Pagination only."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(validate=validate.Range(min=1))


class FileContentSchema(Schema):
    """``file_content/?path=``."""

    path = fields.String(required=True)


class ResponseSchema(Schema):
    """Documents a response; the view's dict is returned as is (extra keys kept)."""

    def dump(self, obj, *, many=None):
        """Return the data unchanged: views already build the exact JSON."""
        return obj


class StatusSchema(ResponseSchema):
    """``{"status": ...}`` answers of the actions."""

    status = fields.String()


class ApiErrorSchema(Schema):
    """Every error body."""

    code = fields.Integer()
    status = fields.String()
    message = fields.String()
    errors = fields.Dict()


class PaginatedSchema(ResponseSchema):
    """``{count, next, previous, results}``."""

    count = fields.Integer()
    next = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)
    results = fields.List(fields.Dict())


class ProjectSchema(ResponseSchema):
    """A project (documentation of the main fields; more may be present)."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String()
    url = fields.String()
    uuid = fields.String()
    created_date = fields.String()
    is_archived = fields.Boolean()
    notes = fields.String()
    labels = fields.List(fields.String())
    settings = fields.Dict()
    input_sources = fields.List(fields.Dict())
    runs = fields.List(fields.Dict())
    next_run = fields.String(allow_none=True)
