"""Views of stored rows for the response schemas: a project with its inputs, runs and counts.

A view is the row plus the values computed beside it (``scanapp.schemas.fields.View``); the
schemas in ``scanapp.schemas`` shape it into JSON.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from scanapp.lifecycle import next_run
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    InputSource,
    Project,
    ProjectMessage,
    Run,
    WebhookSubscription,
)
from scanapp.schemas.fields import View
from scanapp.schemas.projects import input_source_view, run_view


def project_view(session: Session, project: Project, *, detail: bool = True) -> View:
    """Return a project with its inputs, runs and next run; with ``detail`` its counts too."""
    runs = session.exec(
        select(Run).where(Run.project_id == project.id).order_by(Run.created_date, Run.id)
    ).all()
    sources = session.exec(
        select(InputSource).where(InputSource.project_id == project.id).order_by(InputSource.id)
    ).all()
    upcoming = next_run(session, project.id)
    values = {
        "input_sources": [input_source_view(source, project.slug) for source in sources],
        "runs": [run_view(run, project.uuid) for run in runs],
        "next_run": upcoming.pipeline_name if upcoming else None,
    }
    if detail:
        values.update(project_counts(session, project.id))
        values["webhooks"] = session.exec(
            select(WebhookSubscription)
            .where(WebhookSubscription.project_id == project.id)
            .order_by(WebhookSubscription.id)
        ).all()
    return View(project, **values)


def run_detail_view(session: Session, run: Run) -> View:
    """Return a run with the uuid of its project."""
    return run_view(run, session.get(Project, run.project_id).uuid)


def _count(session: Session, model, project_id: int, *where) -> int:
    statement = select(func.count()).select_from(model).where(model.project_id == project_id)
    return session.exec(statement.where(*where)).one()


def _group_counts(session: Session, column, project_id: int, model) -> dict:
    rows = session.exec(
        select(column, func.count()).where(model.project_id == project_id).group_by(column)
    ).all()
    return {(key or ""): count for key, count in sorted(rows, key=lambda r: str(r[0]))}


def project_counts(session: Session, project_id: int) -> dict:
    """Return the counts and summaries of a project's messages, resources, packages..."""
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
    }
