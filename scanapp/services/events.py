"""Audit events out: recorded outside a change (downloads, failed logins), CSV, aggregates.

The CSV is Scarf's event export: a header row, Scarf's columns that apply first (``type``,
``package``: the project's name, ``time``, ``referer``, ``user_agent``, ``variables``,
``origin_id``), scanapp's after them. Ranges are Scarf's: ``start_date`` inclusive, ``end_date``
exclusive, ``YYYY-MM-DD``, at most 31 days.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import select

from scanapp import audit
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError
from scanapp.models import AuditEvent, Project, iso

#: The longest range an export or an aggregate covers (Scarf's).
MAX_DAYS = 31
SCARF_COLUMNS = ("type", "package", "time", "referer", "user_agent", "variables", "origin_id")
EXTRA_COLUMNS = ("organization", "project_uuid", "username", "origin_address", "details")
COLUMNS = SCARF_COLUMNS + EXTRA_COLUMNS


def record_event(type: str, *, project_uuid: str | None = None, **details) -> None:
    """Record an event that changes nothing else (a download, a failed authentication)."""
    with session_scope() as session:
        project = None
        if project_uuid:
            project = session.exec(select(Project).where(Project.uuid == project_uuid)).first()
        audit.record(session, type, project=project, **details)


def _parse_day(value: str | None, field: str) -> date:
    if not value:
        raise InvalidInputError.for_field(field, "This parameter is required (YYYY-MM-DD).")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError.for_field(field, f"{value!r} is not a date (YYYY-MM-DD).") from None


def date_range(start_date: str | None, end_date: str | None) -> tuple[datetime, datetime]:
    """Return the UTC times of ``start_date`` (inclusive) and ``end_date`` (exclusive)."""
    start, end = _parse_day(start_date, "start_date"), _parse_day(end_date, "end_date")
    if end <= start:
        raise InvalidInputError.for_field("end_date", "end_date must come after start_date.")
    if (end - start).days > MAX_DAYS:
        raise InvalidInputError.for_field(
            "end_date", f"The range may cover at most {MAX_DAYS} days; "
                        f"this one covers {(end - start).days}.")
    return (datetime.combine(start, datetime.min.time(), UTC),
            datetime.combine(end, datetime.min.time(), UTC))


def _within(statement, where: dict, start: datetime, end: datetime):
    """Keep the events of the range whose columns have the values of ``where``."""
    statement = statement.where(AuditEvent.time >= start, AuditEvent.time < end)
    for name, value in where.items():
        statement = statement.where(getattr(AuditEvent, name) == value)
    return statement


def _origin_id(address: str) -> str:
    """Return an opaque id of the client: equal for equal addresses, not showing them."""
    return hashlib.sha256(address.encode()).hexdigest()[:16] if address else ""


def _row(event: AuditEvent) -> list:
    return [event.type, event.project, iso(event.time), event.referer, event.user_agent,
            event.variables, _origin_id(event.origin_address), event.organization,
            event.project_uuid, event.username, event.origin_address,
            _json(event.details)]


def _json(value: dict) -> str:
    return json.dumps(value, sort_keys=True) if value else ""


def csv_lines(where: dict, start: datetime, end: datetime) -> Iterator[str]:
    """Yield the export's header and one line per event (``where``: column -> value)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(COLUMNS)
    with session_scope() as session:
        statement = _within(select(AuditEvent), where, start, end)
        ordered = statement.order_by(AuditEvent.time, AuditEvent.id)
        for event in session.exec(ordered.execution_options(yield_per=1000)):
            yield line(_row(event))


def _day_of_event(session):
    """Return the UTC day of an event's time, as ``YYYY-MM-DD``, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.substr(AuditEvent.time, 1, 10)  # stored as UTC "YYYY-MM-DD HH:MM:SS"
    return sa.func.to_char(sa.func.timezone("UTC", AuditEvent.time), "YYYY-MM-DD")


def aggregates(where: dict, start: datetime, end: datetime) -> list[dict]:
    """Count the events per day: in all (``total``), per type (``type``), per user (``user``).

    Scarf's AggregateV1 shape: ``breakdown``, ``date``, ``total`` and the breakdown's value.
    """
    found = []
    with session_scope() as session:
        day = _day_of_event(session)
        for breakdown, column, key in (("type", AuditEvent.type, "type"),
                                       ("user", AuditEvent.username, "username")):
            statement = _within(select(day, column, sa.func.count()), where, start, end)
            for when, value, total in session.exec(statement.group_by(day, column)).all():
                found.append({"breakdown": breakdown, "date": when, key: value, "total": total})
    totals: dict = {}
    for item in found:
        if item["breakdown"] == "type":
            totals[item["date"]] = totals.get(item["date"], 0) + item["total"]
    found += [{"breakdown": "total", "date": when, "total": total}
              for when, total in totals.items()]
    order = ("total", "type", "user")
    return sorted(found, key=lambda item: (item["date"], order.index(item["breakdown"]),
                                          item.get("type") or item.get("username") or ""))
