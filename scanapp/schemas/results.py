"""The JSON results document (``results/`` and the ``json`` output), as documented."""

from __future__ import annotations

from marshmallow import fields

from scanapp.result_fields import DEPENDENCY_FIELDS, PACKAGE_FIELDS, RESOURCE_FIELDS
from scanapp.schemas.fields import AlwaysPresent, text_list
from scanapp.schemas.lists import RelationSchema
from scanapp.schemas.projects import InputSourceSchema, RunSchema
from scanapp.schemas.rows import DependencySchema, MessageSchema, PackageSchema, ResourceSchema


class HeaderMessageSchema(MessageSchema):
    """A project message as the results headers list it."""

    class Meta(MessageSchema.Meta):
        exclude = ("id", "project_id", "message")


class HeaderSchema(AlwaysPresent):
    """The results header: the tool, the project, its inputs, runs and messages."""

    tool_name = fields.String()
    tool_version = fields.String()
    other_tools = text_list(metadata={"description": "The scanners used, as purls."})
    notice = fields.String()
    uuid = fields.String()
    name = fields.String()
    created_date = fields.String()
    notes = fields.String()
    labels = text_list()
    settings = fields.Dict(keys=fields.String())
    input_sources = fields.List(fields.Nested(InputSourceSchema))
    runs = fields.List(fields.Nested(RunSchema))
    messages = fields.List(fields.Nested(HeaderMessageSchema))
    extra_data = fields.Dict(keys=fields.String())


class ResultPackageSchema(PackageSchema):
    """A package as results list it: ScanCode.io's keys."""

    class Meta(PackageSchema.Meta):
        fields = PACKAGE_FIELDS
        exclude = ()


class ResultDependencySchema(DependencySchema):
    """A dependency as results list it: ScanCode.io's keys."""

    class Meta(DependencySchema.Meta):
        fields = DEPENDENCY_FIELDS
        exclude = ()


class ResultResourceSchema(ResourceSchema):
    """A file or directory as results list it: ScanCode.io's keys."""

    class Meta(ResourceSchema.Meta):
        fields = RESOURCE_FIELDS
        exclude = ()


class ResultsSchema(AlwaysPresent):
    """ScanCode-shaped results: headers, packages, dependencies, files and relations.

    Packages, dependencies and files have ScanCode.io's keys only (``result_fields``).
    """

    headers = fields.List(fields.Nested(HeaderSchema))
    packages = fields.List(fields.Nested(ResultPackageSchema))
    dependencies = fields.List(fields.Nested(ResultDependencySchema))
    files = fields.List(fields.Nested(ResultResourceSchema))
    relations = fields.List(fields.Nested(RelationSchema))
