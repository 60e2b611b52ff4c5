"""``/api/projects/<uuid>/add_webhook/`` and ``/api/projects/<uuid>/webhooks/``."""

from __future__ import annotations

from scanapp.api.access import project_role
from scanapp.api.arguments import ListArguments, WebhookArguments
from scanapp.api.blueprint import Blueprint
from scanapp.api.pagination import page_response
from scanapp.schemas.lists import ErrorSchema, StatusSchema, page_of
from scanapp.schemas.rows import WebhookWithDeliveriesSchema
from scanapp.services import records
from scanapp.services import webhooks as service

blp = Blueprint("webhooks", __name__, url_prefix="/api/projects", description="Webhooks")


@blp.route("/<uuid:uuid>/add_webhook/", methods=["POST"])
@project_role("member")
@blp.arguments(WebhookArguments, location="body")
@blp.response(201, StatusSchema)
@blp.alt_response(404, schema=ErrorSchema)
def add_webhook(data, uuid):
    """Add a webhook subscription notified when the project's runs end."""
    service.add_webhook(str(uuid), data)
    return {"status": "Webhook added."}


@blp.route("/<uuid:uuid>/webhooks/", methods=["GET"])
@project_role("member")
@blp.arguments(ListArguments, location="query", as_kwargs=True)
@blp.response(200, page_of(WebhookWithDeliveriesSchema))
@blp.alt_response(404, schema=ErrorSchema)
def list_webhooks(uuid, page):
    """List the project's webhook subscriptions, each with its delivery attempts."""
    return page_response(records.list_webhooks(str(uuid), page))
