"""A project's counts and summaries: stored once computed, recomputed when stale.

The project detail, the webhook summaries and the page counts of the unfiltered lists read
them. They are stored in ``projectcounts`` (:class:`~scanapp.models.StoredCounts`) and are
stale (None) from the moment a run starts (``lifecycle.claim``) or a write outside a run
invalidates them (``lifecycle.invalidate_counts``: messages, project reset); they are
computed again when the run ends (:func:`refresh_counts_after_run`) or when next read.
Counts computed while a run of the project is running (or a chunk of its scan is still
open) are returned, never stored, and a store is skipped when the counts were invalidated
meanwhile (the generation moved on).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from scanapp.db import dialect_insert, session_scope
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
    Run,
    RunStatus,
    ScanChunk,
    StoredCounts,
    utcnow,
)
from scanapp.pipes.scan_chunks import OPEN as OPEN_CHUNKS
from scanapp.services.chart_counts import chart_counts

#: The tables whose planner statistics are refreshed after a run (PostgreSQL).
RESULT_TABLES = ("codebaseresource", "discoveredpackage", "discovereddependency",
                 "codebaserelation", "projectmessage")
#: Model -> the count that is the length of its unfiltered list (``records.LISTS``).
LIST_COUNTS = {
    CodebaseResource: "resource_count",
    DiscoveredPackage: "package_count",
    DiscoveredDependency: "dependency_count",
    ProjectMessage: "message_count",
}


def _count(session: Session, model, project_id: int, *where) -> int:
    statement = select(func.count()).select_from(model).where(model.project_id == project_id)
    return session.exec(statement.where(*where)).one()


def _group_counts(session: Session, column, project_id: int, model) -> dict:
    rows = session.exec(
        select(column, func.count()).where(model.project_id == project_id).group_by(column)
    ).all()
    return {(key or ""): count for key, count in sorted(rows, key=lambda r: str(r[0]))}


def compute_counts(session: Session, project_id: int) -> dict:
    """Return the counts and summaries of a project's messages, resources, packages...

    ``charts`` too: the groups the project's charts draw (``services.chart_counts``).
    """
    dep = DiscoveredDependency
    resolved = dep.resolved_to_package_uid.is_not(None)
    return {
        "message_count": _count(session, ProjectMessage, project_id),
        "resource_count": _count(session, CodebaseResource, project_id),
        "package_count": _count(session, DiscoveredPackage, project_id),
        "dependency_count": _count(session, dep, project_id),
        "relation_count": _count(session, CodebaseRelation, project_id),
        "codebase_resources_summary": _group_counts(
            session, CodebaseResource.status, project_id, CodebaseResource
        ),
        "discovered_packages_summary": {
            "total": _count(session, DiscoveredPackage, project_id),
            "with_missing_resources": 0,
            "with_modified_resources": 0,
        },
        "discovered_dependencies_summary": {
            "total": _count(session, dep, project_id),
            "is_runtime": _count(session, dep, project_id, dep.is_runtime.is_(True)),
            "is_optional": _count(session, dep, project_id, dep.is_optional.is_(True)),
            "is_resolved": _count(session, dep, project_id, resolved),
        },
        "codebase_relations_summary": _group_counts(
            session, CodebaseRelation.map_type, project_id, CodebaseRelation
        ),
        "charts": chart_counts(session, project_id),  # read by services.charts
    }


def _stored(session: Session, project_id: int) -> tuple[int | None, dict | None]:
    """Return (generation, counts) as stored; (None, None) when never stored."""
    row = session.exec(
        select(StoredCounts.generation, StoredCounts.counts)
        .where(StoredCounts.project_id == project_id)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def stored_counts(session: Session, project_id: int) -> dict | None:
    """Return the project's stored counts, or None when stale or never computed."""
    return _stored(session, project_id)[1]


def current_counts(session: Session, project_id: int) -> dict:
    """Return the project's counts: the stored ones, else computed (and stored if it can)."""
    generation, counts = _stored(session, project_id)
    if counts is not None:
        return counts
    return _compute_and_store(session, project_id, generation)


def refresh_counts(project_id: int) -> dict:
    """Compute the project's counts and store them (unless a run of it is running)."""
    with session_scope() as session:
        generation, _ = _stored(session, project_id)
        return _compute_and_store(session, project_id, generation)


def refresh_counts_after_run(run_id: int) -> None:
    """Run-ended hook: refresh the planner statistics, then compute and store the counts."""
    with session_scope() as session:
        project_id = session.get(Run, run_id).project_id
    analyze_results()
    refresh_counts(project_id)


def chart_groups(project_id: int, counts: dict | None) -> dict:
    """Return the charts' groups of the project's ``counts`` (as stored, or None).

    Counts that are stale, or stored by an earlier version without the charts, are
    computed again (and stored when they can be).
    """
    if counts and "charts" in counts:
        return counts["charts"]
    return refresh_counts(project_id)["charts"]


def analyze_results() -> None:
    """Refresh PostgreSQL's statistics of the result tables (a big scan changes the plans).

    Autovacuum would do it too, a while later; SQLite plans from the indexes alone.
    """
    with session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.text(f"ANALYZE {', '.join(RESULT_TABLES)}"))


def _compute_and_store(session: Session, project_id: int, generation: int | None) -> dict:
    """Compute the counts; store them when nothing writes and ``generation`` still holds.

    The generation is read before the checks and the counts: a run claimed or a write made
    meanwhile has moved it on, and the store then changes nothing.
    """
    writing = _writing(session, project_id)
    counts = compute_counts(session, project_id)
    if not writing:
        _store(project_id, generation, counts)
    return counts


def _writing(session: Session, project_id: int) -> bool:
    """Tell whether a run of the project is running or a chunk of its scan is still open."""
    run = session.exec(
        select(Run.id).where(Run.project_id == project_id, Run.status == RunStatus.RUNNING)
    ).first()
    chunk = session.exec(
        select(ScanChunk.id).where(ScanChunk.project_id == project_id,
                                   ScanChunk.status.in_(OPEN_CHUNKS))
    ).first()
    return run is not None or chunk is not None


def _store(project_id: int, generation: int | None, counts: dict) -> None:
    """Store the counts computed at ``generation`` (None: none stored yet), if it still holds."""
    table = StoredCounts.__table__
    try:
        with session_scope() as session:
            if generation is None:
                statement = dialect_insert(session, table).values(
                    project_id=project_id, generation=0, counts=counts, computed_date=utcnow()
                )
                session.execute(
                    statement.on_conflict_do_nothing(index_elements=[table.c.project_id])
                )
                return
            session.execute(
                table.update()
                .where(table.c.project_id == project_id, table.c.generation == generation)
                .values(counts=counts, computed_date=utcnow())
            )
    except sa.exc.IntegrityError:
        pass  # the project was deleted meanwhile: nothing to store
