"""``/api/projects/<uuid>/add_webhook/`` and ``/api/projects/<uuid>/webhooks/``."""

from __future__ import annotations

from flask_smorest import Blueprint

from scanapp import serializers
from scanapp.api.body import read_body
from scanapp.api.pagination import paginate
from scanapp.api.schemas import (
    ApiErrorSchema,
    PageSchema,
    PaginatedSchema,
    StatusSchema,
    WebhookSchema,
)
from scanapp.db import session_scope
from scanapp.services import webhooks as service
from scanapp.services.lookup import get_project

blp = Blueprint("webhooks", __name__, url_prefix="/api/projects", description="Webhooks")

_FORM_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": WebhookSchema},
            "application/x-www-form-urlencoded": {"schema": WebhookSchema},
        }
    }
}


@blp.route("/<uuid:uuid>/add_webhook/", methods=["POST"])
@blp.doc(**_FORM_DOC)
@blp.response(201, StatusSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def add_webhook(uuid):
    """Add a webhook subscription notified when the project's runs end."""
    data = read_body(WebhookSchema())
    service.add_webhook(str(uuid), data)
    return {"status": "Webhook added."}


def _subscription(session):
    def serialize(subscription) -> dict:
        data = serializers.webhook(subscription)
        deliveries = service.list_deliveries(session, subscription.id)
        data["deliveries"] = [_delivery(item, run) for item, run in deliveries]
        return data

    return serialize


def _delivery(item, run_uuid: str | None) -> dict:
    data = serializers.row_dict(item, exclude=("id", "webhook_id", "run_id"))
    data["run"] = run_uuid
    return data


@blp.route("/<uuid:uuid>/webhooks/", methods=["GET"])
@blp.arguments(PageSchema, location="query", as_kwargs=True)
@blp.response(200, PaginatedSchema)
@blp.alt_response(400, schema=ApiErrorSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def list_webhooks(uuid, **_):
    """List the project's webhook subscriptions, each with its delivery attempts."""
    with session_scope() as session:
        project = get_project(session, str(uuid))
        return paginate(session, service.list_statement(project), _subscription(session))
