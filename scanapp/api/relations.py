"""``/api/projects/<uuid>/relations/``: the deploy-to-develop relations of a project."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from sqlalchemy.orm import aliased
from sqlmodel import select

from scanapp.api.filters import apply_filters
from scanapp.api.pagination import paginate
from scanapp.api.schemas import ApiErrorSchema, PageSchema, PaginatedSchema
from scanapp.db import session_scope
from scanapp.models import CodebaseRelation, CodebaseResource
from scanapp.services.lookup import get_project

blp = Blueprint("relations", __name__, url_prefix="/api/projects", description="Relations")

#: Filters on the related resources' paths, beside the relation's own columns.
PATH_FILTERS = ("from_resource", "to_resource")


def relation(row) -> dict:
    """Serialize a relation with the paths of its two resources."""
    item, from_path, to_path = row
    return {
        "from_resource": from_path,
        "to_resource": to_path,
        "map_type": item.map_type,
        "score": item.score,
        "extra_data": item.extra_data or {},
    }


def relations_statement(project_id: int, args):
    """Select the project's relations with both paths, filtered by ``?field=value``."""
    source, target = aliased(CodebaseResource), aliased(CodebaseResource)
    statement = (
        select(CodebaseRelation, source.path, target.path)
        .join(source, source.id == CodebaseRelation.from_resource_id)
        .join(target, target.id == CodebaseRelation.to_resource_id)
        .where(CodebaseRelation.project_id == project_id)
    )
    paths = {"from_resource": source.path, "to_resource": target.path}
    for key in PATH_FILTERS:
        if key in args:
            statement = statement.where(paths[key] == args.get(key))
    rest = {key: args.get(key) for key in args if key not in PATH_FILTERS}
    statement = apply_filters(statement, CodebaseRelation, rest)
    return statement.order_by(target.path, source.path, CodebaseRelation.id)


@blp.route("/<uuid:uuid>/relations/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def relations(uuid, **_):
    """List the project's relations (``to`` file -> its origin); filter with ``?field=value``.

    Fields: ``map_type``, ``score``, ``from_resource`` and ``to_resource`` (paths).
    """
    with session_scope() as session:
        project = get_project(session, str(uuid))
        return paginate(session, relations_statement(project.id, request.args), relation)
