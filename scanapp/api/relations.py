"""``/api/projects/<uuid>/relations/``: the deploy-to-develop relations of a project."""

from __future__ import annotations

from marshmallow import fields

from scanapp.api.access import project_role
from scanapp.api.arguments import filter_arguments
from scanapp.api.blueprint import Blueprint
from scanapp.api.pagination import page_response
from scanapp.models import CodebaseRelation
from scanapp.schemas.lists import ErrorSchema, RelationSchema, page_of
from scanapp.services.records import list_relations

blp = Blueprint("relations", __name__, url_prefix="/api/projects", description="Relations")

RelationFilters = filter_arguments(
    CodebaseRelation,
    from_resource=fields.String(metadata={"description": "Path of the development file."}),
    to_resource=fields.String(metadata={"description": "Path of the deployed file."}),
)


@blp.route("/<uuid:uuid>/relations/", methods=["GET"])
@project_role("member")
@blp.arguments(RelationFilters, location="query", as_kwargs=True)
@blp.response(200, page_of(RelationSchema))
@blp.alt_response(404, schema=ErrorSchema)
def relations(uuid, page, **filters):
    """List the project's relations (``to`` file -> its origin); filter with ``?field=value``.

    Fields: ``map_type``, ``score``, ``from_resource`` and ``to_resource`` (paths).
    """
    return page_response(list_relations(str(uuid), filters, page))
