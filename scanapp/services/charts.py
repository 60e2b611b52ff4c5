"""A project's charts: its files and packages counted by one column each, in SQL.

Every chart is counted by ``GROUP BY`` in SQL (``services.chart_counts``), with the
project's other counts: stored once computed, read back until the project changes (a page
at 100,000 files reads one row, not 100,000). Its largest groups first: the top license
expressions and languages of the files, the compliance alerts of files and packages, the
files' statuses and the packages' types.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanapp.db import session_scope
from scanapp.services.counts import chart_groups, current_counts
from scanapp.services.lookup import get_project

#: How many license expressions (and languages) a chart shows; the rest are counted as one.
TOP = 15
#: The charts cut to their ``TOP`` largest groups.
TOPPED = ("licenses", "languages")
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


def _chart(counts: dict, top: int | None = None) -> Chart:
    """Return the chart of ``counts`` (value -> rows), its ``top`` largest groups kept."""
    rows = sorted(((label, number) for label, number in counts.items() if number > 0),
                  key=lambda row: (-row[1], row[0]))
    total = sum(number for _, number in rows)
    kept = rows[:top] if top else rows
    bars = [Bar(label or NO_VALUE, number, round(100 * number / total, 1) if total else 0.0)
            for label, number in kept]
    return Chart(total, bars, total - sum(bar.count for bar in bars))


def project_charts(project_uuid: str) -> dict[str, Chart]:
    """Return the project's charts by name: licenses, alerts, statuses, languages, types."""
    with session_scope() as session:
        project_id = get_project(session, project_uuid).id
        counts = current_counts(session, project_id)
    groups = chart_groups(project_id, counts)
    return {name: _chart(found, TOP if name in TOPPED else None)
            for name, found in groups.items()}
