"""The per-project lists: resources, packages, dependencies, messages, relations, webhooks."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlmodel import select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import NotFoundError, PayloadTooLargeError
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
    Run,
    WebhookDelivery,
    WebhookSubscription,
)
from scanapp.queries import relation_values, relations_query
from scanapp.schemas.fields import View
from scanapp.services.counts import LIST_COUNTS, stored_counts
from scanapp.services.listing import Page, count_of, filter_by_columns, page_of
from scanapp.services.lookup import get_project
from scanapp.services.pages import list_count, list_name, list_seek
from scanapp.workdir import resolve_inside, workdir_for

#: List name -> (model, order of the rows: columns that tell the project's rows apart).
LISTS = {
    "resources": (CodebaseResource, (CodebaseResource.path,)),
    "packages": (
        DiscoveredPackage,
        (DiscoveredPackage.type, DiscoveredPackage.namespace, DiscoveredPackage.name,
         DiscoveredPackage.version, DiscoveredPackage.id),
    ),
    "dependencies": (DiscoveredDependency, (DiscoveredDependency.id,)),
    "messages": (ProjectMessage, (ProjectMessage.created_date, ProjectMessage.id)),
}
#: Filters of a list that are no column: list name -> filter -> condition of its value.
DERIVED_FILTERS = {
    "dependencies": {
        "is_resolved": lambda value: DiscoveredDependency.resolved_to_package_uid.is_not(None)
        if value else DiscoveredDependency.resolved_to_package_uid.is_(None),
    },
}
#: Filters of the relation list on the paths of its two resources.
RELATION_PATHS = ("from_resource", "to_resource")


def list_records(project_uuid: str, name: str, filters: dict, page: int = 1) -> Page:
    """Return a page of one of a project's lists (``LISTS``), filtered by column values.

    ``filters`` may hold the list's ``DERIVED_FILTERS`` too (``is_resolved``: a boolean).
    """
    model, order = LISTS[name]
    derived = DERIVED_FILTERS.get(name, {})
    columns = {key: value for key, value in filters.items() if key not in derived}
    with session_scope() as session:
        project = get_project(session, project_uuid)
        statement = select(model).where(model.project_id == project.id, *(
            condition(filters[key]) for key, condition in derived.items() if key in filters))
        statement = filter_by_columns(statement, model, columns).order_by(*order)
        kept = list_name(name, filters)
        if filters:
            count = list_count(session, project.id, kept, lambda: count_of(session, statement))
        else:
            count = _stored_total(session, project.id, model)
        return page_of(session, statement, page, get_settings().page_size, count=count,
                       keys=order, seek=list_seek(session, project.id, kept, order))


def _stored_total(session, project_id: int, model) -> int | None:
    """Return how many rows of ``model`` the project has, from its stored counts if current."""
    counts = stored_counts(session, project_id)
    return counts[LIST_COUNTS[model]] if counts is not None else None


def list_relations(project_uuid: str, filters: dict, page: int = 1) -> Page:
    """Return a page of a project's relations, filtered by paths and relation columns."""
    with session_scope() as session:
        project = get_project(session, project_uuid)
        query = relations_query(project.id)
        statement = query.statement
        for key in RELATION_PATHS:
            if key in filters:
                statement = statement.where(query.paths[key] == filters[key])
        columns = {key: value for key, value in filters.items() if key not in RELATION_PATHS}
        statement = filter_by_columns(statement, CodebaseRelation, columns).order_by(
            query.paths["to_resource"], query.paths["from_resource"], CodebaseRelation.id
        )
        return page_of(session, statement, page, get_settings().page_size, relation_values)


def list_webhooks(project_uuid: str, page: int = 1) -> Page:
    """Return a page of a project's webhook subscriptions, each with its deliveries."""
    with session_scope() as session:
        project = get_project(session, project_uuid)
        statement = (
            select(WebhookSubscription)
            .where(WebhookSubscription.project_id == project.id)
            .order_by(WebhookSubscription.created_date, WebhookSubscription.id)
        )
        found = page_of(session, statement, page, get_settings().page_size)
        found.items = [
            View(item, deliveries=_deliveries(session, item.id)) for item in found.items
        ]
        return found


def _deliveries(session, subscription_id: int) -> list[View]:
    rows = session.exec(
        select(WebhookDelivery, Run.uuid)
        .join(Run, Run.id == WebhookDelivery.run_id, isouter=True)
        .where(WebhookDelivery.webhook_id == subscription_id)
        .order_by(WebhookDelivery.sent_date, WebhookDelivery.id)
    ).all()
    return [View(delivery, run=run_uuid) for delivery, run_uuid in rows]


def codebase_file(project_uuid: str, path: str) -> Path:
    """Return a file of the project's codebase or raise NotFoundError."""
    with session_scope() as session:
        codebase = workdir_for(get_project(session, project_uuid).slug).codebase
    target = resolve_inside(codebase, path)
    if target is None or not target.is_file():
        raise NotFoundError("File not found.")
    return target


def file_content(project_uuid: str, path: str) -> Path:
    """Return a codebase file whose text may be served; a larger one is PayloadTooLargeError.

    The limit is ``SCANAPP_FILE_CONTENT_MAX_SIZE``; the message names ``file_download/``.
    """
    target = codebase_file(project_uuid, path)
    size, limit = target.stat().st_size, get_settings().file_content_max_size
    if size > limit:
        raise PayloadTooLargeError(
            f"{path} is {size} bytes, over the {limit} bytes SCANAPP_FILE_CONTENT_MAX_SIZE: "
            f"download it with GET /api/projects/{project_uuid}/file_download/?path={quote(path)}"
        )
    return target


def summary(project_uuid: str) -> dict:
    """Return the summary scan_single_package stored, or raise NotFoundError."""
    with session_scope() as session:
        slug = get_project(session, project_uuid).slug
    found = workdir_for(slug).load_summary()
    if found is None:
        raise NotFoundError("Summary file not available")
    return found
