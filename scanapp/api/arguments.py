"""Request schemas: the bodies (JSON, form or multipart) and query strings the API reads."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, validate
from werkzeug.datastructures import FileStorage

from outputs.formats import DOWNLOADS, versions_text
from outputs.report import REPORT_MODELS
from scanapp.policies import FAIL_LEVELS, VULNERABILITY_LEVELS
from scanapp.services.access import PERMISSION_LEVELS
from scanapp.services.listing import filterable_columns
from scanapp.services.organizations import ROLES
from scanapp.services.users import SCOPES

INT64 = validate.Range(min=-(2**63), max=2**63 - 1, error="Must fit in a 64-bit integer.")


class StringOrList(fields.Field):
    """A string, or a list of strings (repeated form keys too); always loaded as a list."""

    #: Read every value of a repeated form key.
    is_multiple = True

    def _deserialize(self, value, attr, data, **kwargs):
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in items):
            raise ValidationError("Expected a string or a list of strings.")
        return items


class Upload(fields.Field):
    """An uploaded file, sent as a ``multipart/form-data`` part."""

    def __init__(self, **kwargs):
        """Document the field as binary."""
        super().__init__(metadata={"type": "string", "format": "binary"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Send files as multipart/form-data parts.")
        return value


def _strings() -> StringOrList:
    return StringOrList(
        load_default=list,
        metadata={"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    )


def _not_blank(message: str):
    def check(value: str) -> None:
        if not value.strip():
            raise ValidationError(message)

    return check


def _described(field: type[fields.Field], text: str, **kwargs) -> fields.Field:
    return field(metadata={"description": text}, **kwargs)


class Body(Schema):
    """A request body: unknown fields are ignored, as ScanCode.io does."""

    class Meta:
        unknown = EXCLUDE


class WebhookArguments(Body):
    """A webhook subscription: the URL to POST to when runs end, and what to send."""

    target_url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    trigger_on_each_run = fields.Boolean(load_default=False)
    include_summary = fields.Boolean(load_default=False)
    include_results = fields.Boolean(load_default=False)
    is_active = fields.Boolean(load_default=True)


class TokenArguments(Body):
    """A new token: its name, its scope, and when it expires (never, by default)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    scope = fields.String(load_default="write", validate=validate.OneOf(SCOPES))
    expires_date = fields.AwareDateTime(load_default=None, allow_none=True,
                                        default_timezone=dt.UTC)
    expires_in_days = fields.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(min=1, max=3650))


#: A PKCE verifier or challenge: 43 to 128 characters of base64url (RFC 7636).
_PKCE = [validate.Length(min=43, max=128),
         validate.Regexp(r"^[A-Za-z0-9_~.-]+$", error="Use base64url characters only.")]


class DeviceLoginArguments(Body):
    """A command-line login to approve: the S256 challenge of its verifier, the token wanted."""

    challenge = fields.String(required=True, validate=_PKCE)
    scope = fields.String(load_default="write", validate=validate.OneOf(SCOPES))
    token_name = fields.String(load_default="scanapp login",
                               validate=validate.Length(min=1, max=100))
    expires_in_days = fields.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(min=1, max=3650))


class DeviceExchangeArguments(Body):
    """The exchange of an approved login: its exchange token and the challenge's verifier."""

    exchange_token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    verifier = fields.String(required=True, validate=_PKCE)


_ROLE = validate.OneOf(ROLES)


class OrganizationArguments(Body):
    """An organization's fields (``name`` only when creating it)."""

    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    description = fields.String(validate=validate.Length(max=10000))
    website = fields.String(validate=validate.Length(max=1024))
    billing_email = fields.Email(validate=validate.Length(max=254))


class OrganizationUpdateArguments(OrganizationArguments):
    """The fields of an organization to change."""

    class Meta(Body.Meta):
        exclude = ("name",)


class MemberArguments(Body):
    """A member's new role."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=150))
    role = fields.String(required=True, validate=_ROLE)


class PermissionArguments(Body):
    """A user's permission on a project: Scarf's ``PackagePermissionSetV1``."""

    user_query = fields.String(required=True, validate=validate.Length(min=1, max=254),
                               metadata={"description": "A username or an e-mail address."})
    permission_level = fields.String(required=True, validate=validate.OneOf(PERMISSION_LEVELS))


class MoveArguments(Body):
    """Where a project goes: an organization's name, or null for a personal project."""

    organization = fields.String(required=True, allow_none=True)


class InvitationArguments(Body):
    """Who to invite (a username or an e-mail address) and with which role."""

    username = fields.String(validate=validate.Length(min=1, max=150))
    email = fields.Email(validate=validate.Length(max=254))
    role = fields.String(load_default="member", validate=_ROLE)

    @post_load
    def one_invitee(self, data, **kwargs):
        """Keep exactly one of username and email as ``invitee``."""
        given = [data.get(key) for key in ("username", "email") if data.get(key)]
        if len(given) != 1:
            raise ValidationError("Give a username or an e-mail address.", "username")
        return {"invitee": given[0], "role": data["role"]}


class ProjectCreateArguments(Body):
    """A new project: name, inputs (URLs and uploads), pipelines, labels, settings, webhooks."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    input_urls = _strings()
    upload_file = fields.List(Upload(), load_default=list)
    upload_file_tag = fields.String(load_default="", validate=validate.Length(max=50))
    pipeline = _strings()
    execute_now = fields.Boolean(load_default=False)
    labels = _strings()
    notes = fields.String(load_default="")
    settings = fields.Dict(keys=fields.String(), load_default=dict)
    webhook_url = fields.Url(schemes={"http", "https"}, require_tld=False)
    webhooks = fields.List(fields.Nested(WebhookArguments), load_default=list)
    organization = fields.String(load_default="", metadata={
        "description": "The organization to hold it (yours); none: a personal project."})


class AddInputArguments(Body):
    """More inputs for a project whose runs have not started."""

    input_urls = _strings()
    upload_file = fields.List(Upload(), load_default=list)
    upload_file_tag = fields.String(load_default="", validate=validate.Length(max=50))


class AddPipelineArguments(Body):
    """A pipeline to add (``name`` or ``name:Group1,Group2``), started with ``execute_now``."""

    pipeline = fields.String(
        required=True,
        validate=_not_blank("Pipeline required."),
        error_messages={"required": "Pipeline required."},
    )
    execute_now = fields.Boolean(load_default=False)


class ArchiveArguments(Body):
    """Which work directories to empty when archiving."""

    remove_input = fields.Boolean(load_default=False)
    remove_codebase = fields.Boolean(load_default=False)
    remove_output = fields.Boolean(load_default=False)


class ResetArguments(Body):
    """What a project reset keeps and restores (ScanCode.io's options and defaults)."""

    keep_input = _described(
        fields.Boolean, "Keep the input/ folder and the input sources.", load_default=True
    )
    keep_webhook = _described(
        fields.Boolean, "Keep the webhook subscriptions.", load_default=True
    )
    restore_pipelines = _described(
        fields.Boolean, "Add the project's pipelines again, as not started runs (same groups).",
        load_default=False,
    )
    execute_now = _described(
        fields.Boolean, "Queue the restored runs (with restore_pipelines).", load_default=False
    )


class Query(Schema):
    """A query string: unknown parameters are ignored."""

    class Meta:
        unknown = EXCLUDE


class ListArguments(Schema):
    """The page of a list (from 1); an unknown parameter is a 400 naming it and the choices."""

    class Meta:
        unknown = RAISE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    format = fields.String(metadata={"description": "Accepted (DRF clients send it), ignored."})
    page_size = fields.String(
        metadata={"description": "Accepted, ignored: pages hold SCANAPP_PAGE_SIZE items."}
    )

    def __init__(self, *args, **kwargs):
        """Name the accepted parameters in the message of an unknown one."""
        super().__init__(*args, **kwargs)
        choices = ", ".join(sorted(self.fields))
        self.error_messages = {
            **self.error_messages, "unknown": f"Unknown query parameter. Choices: {choices}."
        }

    @post_load
    def drop_ignored(self, data: dict, **kwargs) -> dict:
        """Leave out the parameters that are accepted but ignored."""
        return {key: value for key, value in data.items() if key not in ("format", "page_size")}


class _BlankIsNone:
    """An empty query value is no filter, as django-filter (ScanCode.io's filters) does."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "":
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class BlankUUID(_BlankIsNone, fields.UUID):
    """A UUID, or nothing when the value is empty."""


class BlankBoolean(_BlankIsNone, fields.Boolean):
    """A boolean, or nothing when the value is empty."""


class ProjectFilterArguments(ListArguments):
    """The project list filters: those of ScanCode.io's API (name matches are case-sensitive)."""

    name = _described(fields.String, "The exact name.")
    name__contains = _described(fields.String, "Names containing this text.")
    name__startswith = _described(fields.String, "Names starting with this text.")
    name__endswith = _described(fields.String, "Names ending with this text.")
    names = _described(fields.String, "Comma-separated: names containing any of the values.")
    uuid = _described(BlankUUID, "The project's uuid.", allow_none=True)
    is_archived = _described(BlankBoolean, "true or false.", allow_none=True)
    label = fields.List(
        fields.String(), metadata={"description": "A label, by name or slug; repeat for all."}
    )
    organization = _described(fields.String, "The name of the organization holding them.")


class EventRangeArguments(Query):
    """The days of events: ``start_date`` (inclusive) to ``end_date`` (exclusive), at most 31."""

    start_date = fields.String(metadata={"description": "YYYY-MM-DD, inclusive."})
    end_date = fields.String(metadata={"description": "YYYY-MM-DD, exclusive."})


class FileContentArguments(Query):
    """``file_content/?path=``: the path of a codebase file."""

    path = fields.String(required=True)


class FailLevelArguments(Query):
    """``?fail_level=``: the least severe alert to report (case-insensitive)."""

    fail_level = fields.String(
        load_default="ERROR", metadata={"description": ", ".join(FAIL_LEVELS) + " (any case)."}
    )


class DownloadArguments(Query):
    """``results_download/``: the format and, for SBOMs, the spec version."""

    output_format = fields.String(
        load_default="json", metadata={"description": "One of: " + ", ".join(DOWNLOADS)}
    )
    version = fields.String(load_default=None, metadata={"description": versions_text()})


class PackageSearchArguments(ListArguments):
    """The package search: what names the packages, and what they declare."""

    purl = _described(fields.String, "A purl or its start at a segment: pkg:maven/org.apache."
                      "logging.log4j/log4j-core matches every version (names without case).")
    type = _described(fields.String, "The purl type: pypi, npm, maven...")
    namespace = _described(fields.String, "The namespace (without case).")
    name = _described(fields.String, "The name (without case).")
    version = _described(fields.String, "The exact version.")
    version_range = _described(fields.String, "A vers range: vers:maven/>=2.0|<2.17.")
    license = _described(fields.String, "A license key of the declared license (mit).")
    compliance_alert = _described(fields.String, "ok (''), missing, warning or error.")


class PackageArguments(Query):
    """A package's namespace, when its name segment does not hold it."""

    namespace = _described(fields.String, "The namespace (or give it in the name: ns%2Fname).")


class DependentsArguments(ListArguments):
    """The page of dependents, and the package's namespace."""

    namespace = _described(fields.String, "The namespace (or give it in the name: ns%2Fname).")


class CompareArguments(Query):
    """``compare/?with=``: the other project, and the answer's format."""

    other = fields.String(required=True, data_key="with", validate=validate.Length(min=1),
                          metadata={"description": "The other project's uuid or name."})
    output_format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")),
                                  metadata={"description": "json (default) or xlsx."})


class OutputFileArguments(Query):
    """``outputs/?filename=``: one file of output/ to download."""

    filename = fields.String(load_default=None)


class ReportArguments(ProjectFilterArguments):
    """``report/``: the kind of record, over the projects the list filters select."""

    model = fields.String(
        load_default=None, metadata={"description": "One of: " + ", ".join(REPORT_MODELS)}
    )


def _filter_field(column: sa.Column) -> fields.Field:
    python_type = column.type.python_type
    if python_type is bool:
        return fields.Boolean()
    if python_type is int:
        return fields.Integer(validate=INT64)
    if python_type is float:
        return fields.Float()
    return fields.String()


class FilterArguments(ListArguments):
    """``?column=value`` filters of a list and its ``page``; an unknown parameter is a 400."""


_FILTERS: dict[tuple, type[Schema]] = {}


def filter_arguments(model, **extra: fields.Field) -> type[Schema]:
    """Return the query schema of a list of ``model``: ``?column=value`` on scalar columns.

    ``extra`` adds filters of other names; an unknown parameter is a 400 naming it.
    """
    key = (model, tuple(sorted(extra)))
    if key not in _FILTERS:
        columns = filterable_columns(model)
        declared = {name: _filter_field(column) for name, column in columns.items()}
        declared.update(extra)
        name = f"{model.__name__}Filters"
        doc = f"Filters of the {model.__name__} list: each scalar column, and the page."
        _FILTERS[key] = type(name, (FilterArguments,), {**declared, "__doc__": doc})
    return _FILTERS[key]


class VulnerabilityArguments(ListArguments):
    """A project's vulnerabilities: by severity, package and alias."""

    severity = _described(fields.String, "The lowest severity level: low, medium, high or "
                          "critical (high lists high and critical).",
                          validate=validate.OneOf(VULNERABILITY_LEVELS))
    package = _described(fields.String, "A purl or its start (pkg:pypi/requests).")
    alias = _described(fields.String, "A vulnerability id or alias (CVE-2024-47081).")
