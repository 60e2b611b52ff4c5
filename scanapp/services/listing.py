"""Lists: the filters of the project list and of the per-project lists, and pages."""

from __future__ import annotations

import sqlalchemy as sa

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
