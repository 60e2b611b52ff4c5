"""Audit events: CSV exports (Scarf's layout) and daily aggregates.

Per organization and project (their admins), per user (themselves), for the whole server
(server administrators).
"""

from __future__ import annotations

from flask import Response, g, stream_with_context

from scanapp.api.access import project_role
from scanapp.api.arguments import EventRangeArguments
from scanapp.api.blueprint import Blueprint
from scanapp.errors import AuthenticationError, ForbiddenError, NotFoundError
from scanapp.schemas.lists import ErrorSchema
from scanapp.schemas.organizations import AggregateSchema
from scanapp.services import events
from scanapp.services.access import restricted_user_id
from scanapp.services.organizations import require_role

blp = Blueprint("events", __name__, url_prefix="/api", description="Audit events")
CSV = {"content_type": "text/csv"}


def _csv(where: dict, filename: str, start_date, end_date) -> Response:
    start, end = events.date_range(start_date, end_date)  # checked before the first byte
    name = "".join(char for char in filename if char.isalnum() or char in "-_.") or "events"
    return Response(stream_with_context(events.csv_lines(where, start, end)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _admin_of(name: str) -> int:
    return require_role(restricted_user_id(g.caller), name, "admin", "see its events")


def _organization_where(name: str) -> dict:
    return {"organization_id": _admin_of(name)}


@blp.route("/organizations/<string:name>/events/<string:filename>.csv", methods=["GET"])
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, description="A CSV: a header row, then one row per event.", **CSV)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def organization_events(name, filename, start_date=None, end_date=None):
    """Export the organization's events between two days as CSV (admins and owners)."""
    return _csv(_organization_where(name), filename, start_date, end_date)


@blp.route("/organizations/<string:name>/aggregates", methods=["GET"])
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, AggregateSchema(many=True))
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def organization_aggregates(name, start_date=None, end_date=None):
    """Count the organization's events per day: in all, per type, per user (admins)."""
    return events.aggregates(_organization_where(name), *events.date_range(start_date, end_date))


@blp.route("/projects/<uuid:uuid>/events/<string:filename>.csv", methods=["GET"])
@project_role("admin")
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, description="A CSV: a header row, then one row per event.", **CSV)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def project_events(uuid, filename, start_date=None, end_date=None):
    """Export the project's events between two days as CSV (admins of the project)."""
    return _csv({"project_uuid": str(uuid)}, filename, start_date, end_date)


@blp.route("/projects/<uuid:uuid>/aggregates", methods=["GET"])
@project_role("admin")
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, AggregateSchema(many=True))
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def project_aggregates(uuid, start_date=None, end_date=None):
    """Count the project's events per day: in all, per type, per user (admins)."""
    return events.aggregates({"project_uuid": str(uuid)},
                             *events.date_range(start_date, end_date))


@blp.route("/users/<string:username>/aggregates", methods=["GET"])
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, AggregateSchema(many=True))
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(401, schema=ErrorSchema)
@blp.alt_response(404, schema=ErrorSchema)
def user_aggregates(username, start_date=None, end_date=None):
    """Count a user's events per day (yourself; anyone for a server administrator)."""
    user = g.caller
    if user is None:
        raise AuthenticationError("Authentication credentials were not provided.")
    if user.username != username and not user.is_admin:
        raise NotFoundError("User not found.")
    return events.aggregates({"username": username}, *events.date_range(start_date, end_date))


@blp.route("/events/<string:filename>.csv", methods=["GET"])
@blp.arguments(EventRangeArguments, location="query", as_kwargs=True)
@blp.response(200, description="A CSV: a header row, then one row per event.", **CSV)
@blp.alt_response(400, schema=ErrorSchema)
@blp.alt_response(403, schema=ErrorSchema)
def server_events(filename, start_date=None, end_date=None):
    """Export every event between two days as CSV (server administrators).

    Failed authentications included: they belong to no organization.
    """
    if not g.caller.is_admin:
        raise ForbiddenError("Only a server administrator may see every event.")
    return _csv({}, filename, start_date, end_date)
