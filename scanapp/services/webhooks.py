"""Webhook subscriptions: validate, add, list, choose who to notify and build the payload."""

from __future__ import annotations

import uuid as uuid_lib
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp import audit
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError
from scanapp.lifecycle import next_run
from scanapp.models import Project, Run, RunStatus, WebhookSubscription
from scanapp.netguard import AddressRefusedError, checked_address
from scanapp.schemas.fields import using_base_url
from scanapp.schemas.projects import ProjectCounts, ProjectDetailSchema, RunSchema, run_view
from scanapp.services.counts import current_counts
from scanapp.services.lookup import get_project
from scanapp.services.outputs import results_document
from scanapp.services.views import project_view

FLAGS = ("trigger_on_each_run", "include_summary", "include_results", "is_active")
MAX_URL_LENGTH = 1024


def check_target_url(url: object, field: str = "target_url") -> str:
    """Validate a webhook URL: http(s), a host, and no private address unless allowed."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError.for_field(field, "A target URL is required.")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError.for_field(field, f"Invalid URL {url!r}: use http:// or https://.")
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInputError.for_field(field, f"URL longer than {MAX_URL_LENGTH} characters.")
    try:
        checked_address(parts.hostname, allow_private=get_settings().allow_private_urls)
    except AddressRefusedError as error:
        hint = "" if get_settings().allow_private_urls else (
            "; set SCANAPP_ALLOW_PRIVATE_URLS=true to allow private addresses")
        raise InvalidInputError.for_field(field, f"{url!r}: {error}{hint}.") from None
    return url


def check_subscriptions(hooks: list[dict], field: str = "webhooks") -> None:
    """Validate the target URL of each subscription of a project creation."""
    for hook in hooks:
        hook["target_url"] = check_target_url(hook.get("target_url"), field)


def add_webhook(project_uuid: str, data: dict) -> WebhookSubscription:
    """Add a subscription to a project after validating its target URL."""
    target_url = check_target_url(data.get("target_url"))
    with session_scope() as session:
        project = get_project(session, project_uuid)
        subscription = WebhookSubscription(
            project_id=project.id,
            target_url=target_url,
            **{flag: bool(data[flag]) for flag in FLAGS if flag in data},
        )
        session.add(subscription)
        # The host only: a target URL may carry a secret.
        audit.record(session, "webhook.add", project=project,
                     target_host=urlsplit(target_url).hostname)
    return subscription


def is_chain_end(session: Session, run: Run) -> bool:
    """Tell whether no later run of the project will start after ``run``."""
    if run.status != RunStatus.SUCCESS:
        return True
    return next_run(session, run.project_id) is None


def subscriptions_to_fire(session: Session, run: Run) -> list[WebhookSubscription]:
    """Active subscriptions to notify now: every-run ones, and the others at the chain end."""
    subscriptions = session.exec(
        select(WebhookSubscription)
        .where(
            WebhookSubscription.project_id == run.project_id,
            WebhookSubscription.is_active == sa.true(),
        )
        .order_by(WebhookSubscription.id)
    ).all()
    last = is_chain_end(session, run)
    return [item for item in subscriptions if item.trigger_on_each_run or last]


def delivery_id_for(subscription: WebhookSubscription, run: Run) -> str:
    """Return the idempotency id of one notification, the same for every attempt."""
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_URL, f"scanapp:{subscription.uuid}:{run.uuid}"))


def event_for(run: Run) -> str:
    """Return the ``X-Scanapp-Event`` value of a run that ended: ``run.<status>``."""
    return f"run.{run.status}"


def build_payload(session: Session, run: Run, *, summary: bool, results: bool) -> dict:
    """``{"project", "run"}`` details, plus ``summary`` and ``results`` when asked.

    URLs are on ``SCANAPP_SITE_URL``; the project's webhooks are left out (a receiver never
    sees the others' URLs).
    """
    project = session.get(Project, run.project_id)
    with using_base_url(get_settings().site_url):
        payload = {
            "project": ProjectDetailSchema(exclude=("webhooks",)).dump(
                project_view(session, project)
            ),
            "run": RunSchema().dump(run_view(run, project.uuid)),
        }
    if summary:
        payload["summary"] = project_summary(session, project)
    if results:
        payload["results"] = project_results(project)
    return payload


def project_summary(session: Session, project: Project) -> dict:
    """Return the project's counts and the per-kind summaries of its detail."""
    return ProjectCounts().dump(current_counts(session, project.id))


def project_results(project: Project) -> dict:
    """Return the project's JSON results, as the JSON output renders them."""
    return results_document(project.id)
