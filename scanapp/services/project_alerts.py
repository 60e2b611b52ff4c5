"""How many files and packages of each listed project carry a compliance alert, by level."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage, Project

#: The levels counted, most severe first.
LEVELS = ("error", "warning")


def alert_counts(project_uuids: list[str]) -> dict[str, dict[str, int]]:
    """Return ``{uuid: {"error": n, "warning": m}}`` (files and packages) for these projects.

    One grouped query per table, each read from its (project, alert) index.
    """
    counts = {uuid: dict.fromkeys(LEVELS, 0) for uuid in project_uuids}
    if not project_uuids:
        return counts
    with session_scope() as session:
        ids = dict(session.exec(select(Project.id, Project.uuid)
                                .where(Project.uuid.in_(project_uuids))).all())
        for model in (CodebaseResource, DiscoveredPackage):
            rows = session.exec(
                select(model.project_id, model.compliance_alert, sa.func.count())
                .where(model.project_id.in_(list(ids)), model.compliance_alert.in_(LEVELS))
                .group_by(model.project_id, model.compliance_alert)).all()
            for project_id, level, count in rows:
                counts[ids[project_id]][level] += count
    return counts
