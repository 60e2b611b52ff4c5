"""Pages of lists, relations, action answers, output files and errors."""

from __future__ import annotations

from marshmallow import Schema, fields

from scanapp.schemas.fields import AlwaysPresent

_PAGES: dict[type[Schema], type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """Return the schema of a page of ``item``: ``{count, next, previous, results}``."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _PAGES[item] = type(name, (PageSchema,), {
            "results": fields.List(fields.Nested(item)),
            "__doc__": f"A page of {item.__name__.removesuffix('Schema').lower()} items.",
        })
    return _PAGES[item]


class PageSchema(AlwaysPresent):
    """A page of a list: the total ``count``, the ``next`` and ``previous`` page URLs."""

    count = fields.Integer()
    next = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)


class RelationSchema(AlwaysPresent):
    """A deployed (``to``) file related to its development (``from``) origin."""

    from_resource = fields.String()
    to_resource = fields.String()
    map_type = fields.String()
    score = fields.Float(allow_none=True)
    extra_data = fields.Dict(keys=fields.String())


class StatusSchema(AlwaysPresent):
    """The answer of an action: ``{"status": what was done}``."""

    status = fields.String()


class FileContentSchema(AlwaysPresent):
    """The text of a codebase file."""

    file_content = fields.String()


class OutputFileSchema(AlwaysPresent):
    """A file of a project's output/ folder and the URL that downloads it."""

    filename = fields.String()
    download_url = fields.String()


class ErrorSchema(Schema):
    """Every error: the HTTP ``code``, the reason in ``message`` and ``status``, bad fields."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class HealthSchema(AlwaysPresent):
    """The process answers."""

    status = fields.String()


class ReadySchema(AlwaysPresent):
    """``ready`` or ``not ready``, and each check: ``ok`` or why not."""

    status = fields.String()
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class ApiRootSchema(AlwaysPresent):
    """The API's top-level endpoints as absolute URLs (ScanCode.io's API root lists projects)."""

    projects = fields.String(metadata={"description": "The project list."})
    pipelines = fields.String(metadata={"description": "The pipelines."})
    health = fields.String(metadata={"description": "Liveness."})
    ready = fields.String(metadata={"description": "Readiness."})
    openapi = fields.String(metadata={"description": "The OpenAPI document."})
    docs = fields.String(metadata={"description": "The browsable documentation."})
