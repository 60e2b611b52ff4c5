"""Lists: the project list filters, ``?field=value`` filters on a model's columns, pages."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, func, select

from scanapp.errors import NotFoundError
from scanapp.models import Project


def filter_projects(statement, filters: dict):
    """Apply the project list filters (name, name__contains, uuid, is_archived, label)."""
    if filters.get("name"):
        statement = statement.where(Project.name == filters["name"])
    if filters.get("name__contains"):
        contains = Project.name.contains(filters["name__contains"], autoescape=True)
        statement = statement.where(contains)
    if filters.get("name__startswith"):
        startswith = Project.name.startswith(filters["name__startswith"], autoescape=True)
        statement = statement.where(startswith)
    if filters.get("uuid"):
        statement = statement.where(Project.uuid == str(filters["uuid"]))
    if filters.get("is_archived") is not None:
        statement = statement.where(Project.is_archived == filters["is_archived"])
    for label in filters.get("label") or ():
        # JSON list membership portable across SQLite and PostgreSQL: match the quoted item.
        statement = statement.where(sa.cast(Project.labels, sa.Text).contains(f'"{label}"'))
    return statement


def filterable_columns(model) -> dict[str, sa.Column]:
    """Scalar columns a list may be filtered by (not JSON, not internal ids)."""
    return {
        column.name: column
        for column in model.__table__.columns
        if not isinstance(column.type, sa.JSON) and column.name not in ("id", "project_id")
    }


def filter_by_columns(statement, model, filters: dict):
    """Keep the rows whose column equals each value of ``filters`` (already typed)."""
    columns = filterable_columns(model)
    for name, value in filters.items():
        statement = statement.where(columns[name] == value)
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


def page_of(session: Session, statement, number: int, size: int, transform=None) -> Page:
    """Run ``statement`` for page ``number`` (from 1); a page past the end is NotFoundError."""
    if number < 1:
        raise NotFoundError("Invalid page.")
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    count = session.exec(counted).one()
    if number > 1 and (number - 1) * size >= count:
        raise NotFoundError("Invalid page.")
    rows = session.exec(statement.offset((number - 1) * size).limit(size)).all()
    items = [transform(row) for row in rows] if transform else list(rows)
    return Page(number, size, count, items)
