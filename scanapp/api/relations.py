"""``/api/projects/<uuid>/relations/``: the deploy-to-develop relations of a project."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from scanapp.api.filters import apply_filters
from scanapp.api.pagination import paginate
from scanapp.api.schemas import ApiErrorSchema, PageSchema, PaginatedSchema
from scanapp.db import session_scope
from scanapp.models import CodebaseRelation
from scanapp.queries import relation_values, relations_query
from scanapp.services.lookup import get_project

blp = Blueprint("relations", __name__, url_prefix="/api/projects", description="Relations")



def relations_statement(project_id: int, args):
    """Select the project's relations with both paths, filtered by ``?field=value``."""
    query = relations_query(project_id)
    statement = query.statement
    for key, column in query.paths.items():
        if key in args:
            statement = statement.where(column == args.get(key))
    rest = {key: args.get(key) for key in args if key not in query.paths}
    statement = apply_filters(statement, CodebaseRelation, rest)
    return statement.order_by(query.paths["to_resource"], query.paths["from_resource"],
                              CodebaseRelation.id)


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
        return paginate(session, relations_statement(project.id, request.args), relation_values)
