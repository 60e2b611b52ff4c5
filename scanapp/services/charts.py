"""A project's charts: its files and packages counted by one column each, in SQL.

Every chart is one ``GROUP BY`` query (the rows are never read into Python), its largest
groups first: the top license expressions and languages of the files, the compliance alerts
of files and packages, the files' statuses and the packages' types.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage
from scanapp.services.lookup import get_project

#: How many license expressions (and languages) a chart shows; the rest are counted as one.
TOP = 15
#: The label of the rows without a value.
NO_VALUE = "(none)"


@dataclass(frozen=True)
class Bar:
    """One group of a chart: its label, how many rows it holds and their share in percent."""

    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Chart:
    """A chart's bars (largest first), its total and how many rows the bars left out."""

    total: int
    bars: list[Bar]
    others: int = 0


def _chart(session: Session, column, conditions: list, top: int | None = None) -> Chart:
    """Count the rows selected by ``conditions`` by ``column``; keep the ``top`` largest groups."""
    count = sa.func.count()
    rows = session.exec(
        select(column, count).where(*conditions).group_by(column).order_by(count.desc(), column)
    ).all()
    total = sum(number for _, number in rows)
    kept = rows[:top] if top else rows
    bars = [Bar(label or NO_VALUE, number, round(100 * number / total, 1) if total else 0.0)
            for label, number in kept]
    return Chart(total, bars, total - sum(bar.count for bar in bars))


def project_charts(project_uuid: str) -> dict[str, Chart]:
    """Return the project's charts by name: licenses, alerts, statuses, languages, types."""
    files, packages = CodebaseResource, DiscoveredPackage
    with session_scope() as session:
        project_id = get_project(session, project_uuid).id
        of_files = [files.project_id == project_id, files.type == "file"]
        of_packages = [packages.project_id == project_id]
        return {
            "licenses": _chart(session, files.detected_license_expression, of_files, TOP),
            "file_alerts": _chart(session, files.compliance_alert, of_files),
            "package_alerts": _chart(session, packages.compliance_alert, of_packages),
            "statuses": _chart(session, files.status, of_files),
            "languages": _chart(session, files.programming_language, of_files, TOP),
            "package_types": _chart(session, packages.type, of_packages),
        }
