"""Marshmallow schemas for request bodies, query strings and responses (also the OpenAPI doc)."""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, Schema, ValidationError, fields, validate


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

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class PaginatedSchema(ResponseSchema):
    """``{count, next, previous, results}``."""

    count = fields.Integer(required=True)
    next = fields.String(required=True, allow_none=True)
    previous = fields.String(required=True, allow_none=True)
    results = fields.List(fields.Dict(), required=True)


class InputSourceSchema(Schema):
    """An input of a project: a URL to fetch or an uploaded file."""

    class Meta:
        unknown = INCLUDE  # documents the main fields; more are present

    uuid = fields.String(required=True)
    filename = fields.String(required=True)
    download_url = fields.String(required=True)
    is_uploaded = fields.Boolean(required=True)
    tag = fields.String(required=True)
    size = fields.Integer(allow_none=True)
    is_file = fields.Boolean()
    exists = fields.Boolean()


class ProjectRunSchema(Schema):
    """A run as listed on its project (main fields; its ``url`` gives the full detail)."""

    class Meta:
        unknown = INCLUDE  # documents the main fields; more are present

    url = fields.String(required=True)
    uuid = fields.String(required=True)
    pipeline_name = fields.String(required=True)
    status = fields.String(required=True)
    selected_groups = fields.List(fields.String())
    description = fields.String()
    created_date = fields.String()
    task_start_date = fields.String(allow_none=True)
    task_end_date = fields.String(allow_none=True)
    task_exitcode = fields.Integer(allow_none=True)
    execution_time = fields.Float(allow_none=True)
    current_step = fields.String()
    log = fields.String()


class ProjectSchema(ResponseSchema):
    """A project: the short form (list, create) and, in the detail, counts and summaries."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)
    url = fields.String(required=True)
    uuid = fields.String(required=True)
    created_date = fields.String(required=True)
    is_archived = fields.Boolean(required=True)
    notes = fields.String(required=True)
    labels = fields.List(fields.String(), required=True)
    settings = fields.Dict(required=True)
    input_sources = fields.List(fields.Nested(InputSourceSchema), required=True)
    runs = fields.List(fields.Nested(ProjectRunSchema), required=True)
    next_run = fields.String(required=True, allow_none=True)
    message_count = fields.Integer()
    resource_count = fields.Integer()
    package_count = fields.Integer()
    dependency_count = fields.Integer()
    relation_count = fields.Integer()
    codebase_resources_summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    discovered_packages_summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    discovered_dependencies_summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    codebase_relations_summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    webhooks = fields.List(fields.Dict())
