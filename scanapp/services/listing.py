"""Lists: the project list filters, ``?field=value`` filters on a model's columns, pages."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, func, select

from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import INDEXED_PREFIX, Organization, Project, indexed_prefix


def filter_projects(statement, filters: dict):
    """Apply ScanCode.io's project list filters; an empty value is no filter.

    ``name``, ``name__contains``, ``name__startswith``, ``name__endswith``, ``names`` (any of
    comma-separated values contained), ``uuid``, ``is_archived`` and ``label`` (each one, by
    name or slug). Name matches are case-sensitive, as ScanCode.io's on PostgreSQL.
    ``organization`` (a name) is scanapp's own.
    """
    if filters.get("name"):
        statement = statement.where(Project.name == filters["name"])
    if filters.get("name__contains"):
        statement = statement.where(_contains(Project.name, filters["name__contains"]))
    if filters.get("name__startswith"):
        statement = statement.where(_starts_with(Project.name, filters["name__startswith"]))
    if filters.get("name__endswith"):
        statement = statement.where(_ends_with(Project.name, filters["name__endswith"]))
    names = [item.strip() for item in (filters.get("names") or "").split(",") if item.strip()]
    if names:
        statement = statement.where(sa.or_(*(_contains(Project.name, item) for item in names)))
    if filters.get("uuid"):
        statement = statement.where(Project.uuid == str(filters["uuid"]))
    if filters.get("is_archived") is not None:
        statement = statement.where(Project.is_archived == filters["is_archived"])
    if filters.get("organization"):
        statement = statement.where(Project.organization_id.in_(
            select(Organization.id).where(Organization.name == filters["organization"])))
    labels = [label for label in filters.get("label") or () if label]
    if labels:
        statement = statement.where(Project.id.in_(_labelled(labels)))
    return statement


# SQL LIKE ignores the case on SQLite: these compare the characters themselves on every database.
def _contains(column, text: str):
    return sa.func.replace(column, text, "") != column


def _starts_with(column, text: str):
    return sa.func.substr(column, 1, len(text)) == text


def _ends_with(column, text: str):
    length = sa.func.length(column)
    return sa.and_(length >= len(text), sa.func.substr(column, length - len(text) + 1) == text)


def label_slug(label: str) -> str:
    """Return the slug ScanCode.io gives a label (django-taggit: Django's ``slugify``).

    Written here, not imported: Django would be a dependency for these three lines.
    """
    text = unicodedata.normalize("NFKC", label)
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def _labelled(labels: list[str]) -> list[int]:
    """Return the ids of the projects having each label, matched by its name or its slug.

    Labels are a JSON list per project, so the match is made here, not in SQL.
    """
    with session_scope() as session:
        rows = session.exec(select(Project.id, Project.labels)).all()
    return [
        project_id
        for project_id, stored in rows
        if all(_has_label(stored, wanted) for wanted in labels)
    ]


def _has_label(stored, wanted: str) -> bool:
    items = stored if isinstance(stored, list) else []
    return any(isinstance(item, str) and wanted in (item, label_slug(item)) for item in items)


def filterable_columns(model) -> dict[str, sa.Column]:
    """Scalar columns a list may be filtered by (not JSON, not internal ids)."""
    return {
        column.name: column
        for column in model.__table__.columns
        if not isinstance(column.type, sa.JSON) and column.name not in ("id", "project_id")
    }


def filter_by_columns(statement, model, filters: dict):
    """Keep the rows whose column equals each value of ``filters`` (already typed).

    A text column indexed by its first characters is compared on those too (the index's).
    """
    columns = filterable_columns(model)
    for name, value in filters.items():
        column = columns[name]
        if column.info.get("indexed_prefix") and isinstance(value, str):
            statement = statement.where(indexed_prefix(column) == value[:INDEXED_PREFIX])
        statement = statement.where(column == value)
    return statement


@dataclass
class Page:
    """One page of a list: the items, the total count and where the page is."""

    number: int
    size: int
    count: int
    items: list = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        """Tell whether a later page exists."""
        return self.number * self.size < self.count

    @property
    def has_previous(self) -> bool:
        """Tell whether an earlier page exists."""
        return self.number > 1


#: Rows skipped from which a page is found by its keys first (see :func:`page_of`).
KEYED_OFFSET = 1000


def count_of(session: Session, statement) -> int:
    """Return how many rows ``statement`` selects."""
    return session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()


def page_of(
    session: Session, statement, number: int, size: int, transform=None,
    count: int | None = None, keys: tuple = (), seek=None,
) -> Page:
    """Run ``statement`` for page ``number`` (from 1); a page past the end is NotFoundError.

    ``count`` is the number of rows ``statement`` selects when known (else it is counted).
    ``keys``, columns that tell its rows apart and that it is ordered by: a page far down
    is found on them alone first (read from an index), then its rows are read.
    ``seek(statement, offset, count)`` may start the statement further down, returning it
    with the rows left to skip (``scanapp.services.pages.list_seek``).
    """
    if number < 1:
        raise NotFoundError("Invalid page.")
    if count is None:
        count = count_of(session, statement)
    check_page(number, size, count)
    offset = (number - 1) * size
    if seek is not None:
        statement, offset = seek(statement, offset, count)
    if keys and offset >= KEYED_OFFSET:
        found = statement.with_only_columns(*keys).offset(offset).limit(size).subquery()
        on = [column == key for column, key in zip(keys, found.c, strict=True)]
        rows = session.exec(statement.join(found, sa.and_(*on))).all()
    else:
        rows = session.exec(statement.offset(offset).limit(size)).all()
    items = [transform(row) for row in rows] if transform else list(rows)
    return Page(number, size, count, items)


def check_page(number: int, size: int, count: int) -> None:
    """Refuse a page past the end of a list made in Python (as ``page_of`` does)."""
    if number > 1 and (number - 1) * size >= count:
        raise NotFoundError("Invalid page.")
