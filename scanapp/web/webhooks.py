"""``/projects/<uuid>/webhooks``: the project's webhook subscriptions, their deliveries, a form.

The list is ``GET /api/projects/<uuid>/webhooks/``'s (``records.list_webhooks``); the form
adds one as ``add_webhook/`` does (``services.webhooks.add_webhook``), then shows the list.
"""

from __future__ import annotations

from flask import redirect, request, url_for

from scanapp.errors import ScanappError
from scanapp.schemas.rows import WebhookWithDeliveriesSchema
from scanapp.services import records
from scanapp.services.webhooks import FLAGS, add_webhook
from scanapp.web.blueprint import require_project, web
from scanapp.web.paging import page_links
from scanapp.web.tabs import tab_page


def _page(uuid, message: str = "", form=None, status: int = 200):
    found = records.list_webhooks(str(uuid), request.args.get("page", 1, type=int))
    page = tab_page(uuid, "webhooks.html", "webhooks", flags=FLAGS, message=message,
                    form=form or {"is_active": "on"}, links=page_links(found),
                    webhooks=WebhookWithDeliveriesSchema(many=True).dump(found.items))
    return page, status


@web.route("/projects/<uuid:uuid>/webhooks", methods=["GET"])
def project_webhooks(uuid):
    """List the project's webhook subscriptions, each with its delivery attempts."""
    require_project(str(uuid))
    return _page(uuid)


@web.route("/projects/<uuid:uuid>/webhooks", methods=["POST"])
def project_add_webhook(uuid):
    """Add a subscription (target URL, flags ticked); a refused URL shows the form again."""
    require_project(str(uuid))
    data = {"target_url": request.form.get("target_url", "").strip(),
            **{flag: request.form.get(flag) == "on" for flag in FLAGS}}
    try:
        add_webhook(str(uuid), data)
    except ScanappError as error:
        return _page(uuid, error.message, request.form, error.http_status)
    return redirect(url_for("web.project_webhooks", uuid=uuid), code=303)
