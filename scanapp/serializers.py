"""Turn stored rows into the JSON shapes of the ScanCode.io REST API (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from scanapp import __version__
from scanapp.lifecycle import execution_time, next_run
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
from scanapp.workdir import workdir_for


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with an explicit offset (naive values are UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def row_dict(row, exclude: tuple[str, ...] = ("id", "project_id")) -> dict:
    """Every column of a row except the internal ones, datetimes as ISO strings."""
    data = {}
    for column in row.__table__.columns:
        if column.name in exclude:
            continue
        value = getattr(row, column.name)
        data[column.name] = iso(value) if isinstance(value, datetime) else value
    return data


def project_url(base: str, uuid: str) -> str:
    """Absolute URL of a project's detail."""
    return f"{base}/api/projects/{uuid}/"


def run_url(base: str, uuid: str) -> str:
    """Absolute URL of a run's detail."""
    return f"{base}/api/runs/{uuid}/"


def input_source(source: InputSource, project: Project) -> dict:
    """Serialize an input source as listed on the project."""
    path = workdir_for(project.slug).input / source.filename if source.filename else None
    return {
        "uuid": source.uuid,
        "filename": source.filename,
        "download_url": source.download_url,
        "is_uploaded": source.is_uploaded,
        "tag": source.tag,
        "size": path.stat().st_size if path and path.is_file() else None,
        "is_file": True,
        "exists": bool(path and path.exists()),
    }


def run(run: Run, base: str, project_uuid: str) -> dict:
    """Serialize a run's detail."""
    data = row_dict(run, exclude=("id", "project_id", "worker_name", "heartbeat"))
    data.update(
        url=run_url(base, run.uuid),
        project=project_url(base, project_uuid),
        scancodeio_version=__version__,
        execution_time=execution_time(run),
    )
    return data


def webhook(subscription: WebhookSubscription) -> dict:
    """Serialize a webhook subscription."""
    return row_dict(subscription)


def _count(session: Session, model, project_id: int) -> int:
    statement = select(func.count()).select_from(model).where(model.project_id == project_id)
    return session.exec(statement).one()


def _group_counts(session: Session, column, project_id: int, model) -> dict:
    rows = session.exec(
        select(column, func.count()).where(model.project_id == project_id).group_by(column)
    ).all()
    return {(key or ""): count for key, count in sorted(rows, key=lambda r: str(r[0]))}


def project(session: Session, project: Project, base: str, *, detail: bool = True) -> dict:
    """Serialize a project as listed (``detail=False``) or in full."""
    runs = session.exec(
        select(Run).where(Run.project_id == project.id).order_by(Run.created_date, Run.id)
    ).all()
    sources = session.exec(
        select(InputSource).where(InputSource.project_id == project.id).order_by(InputSource.id)
    ).all()
    upcoming = next_run(session, project.id)
    data = row_dict(project, exclude=("id", "slug"))
    data.update(
        url=project_url(base, project.uuid),
        input_sources=[input_source(source, project) for source in sources],
        runs=[run(item, base, project.uuid) for item in runs],
        next_run=upcoming.pipeline_name if upcoming else None,
    )
    if detail:
        data.update(_detail_extras(session, project))
    return data


def _detail_extras(session: Session, project: Project) -> dict:
    pid = project.id
    hooks = session.exec(
        select(WebhookSubscription).where(WebhookSubscription.project_id == pid)
    ).all()
    return {
        "message_count": _count(session, ProjectMessage, pid),
        "resource_count": _count(session, CodebaseResource, pid),
        "package_count": _count(session, DiscoveredPackage, pid),
        "dependency_count": _count(session, DiscoveredDependency, pid),
        "relation_count": _count(session, CodebaseRelation, pid),
        "codebase_resources_summary": _group_counts(
            session, CodebaseResource.status, pid, CodebaseResource
        ),
        "discovered_packages_summary": _packages_summary(session, pid),
        "discovered_dependencies_summary": _dependencies_summary(session, pid),
        "codebase_relations_summary": _group_counts(
            session, CodebaseRelation.map_type, pid, CodebaseRelation
        ),
        "webhooks": [webhook(hook) for hook in hooks],
    }


def _packages_summary(session: Session, project_id: int) -> dict:
    total = _count(session, DiscoveredPackage, project_id)
    return {"total": total, "with_missing_resources": 0, "with_modified_resources": 0}


def _dependencies_summary(session: Session, project_id: int) -> dict:
    model = DiscoveredDependency
    total = _count(session, model, project_id)
    resolved = session.exec(
        select(func.count()).select_from(model).where(
            model.project_id == project_id, model.resolved_to_package_uid.is_not(None)
        )
    ).one()
    runtime = session.exec(
        select(func.count()).select_from(model).where(
            model.project_id == project_id, model.is_runtime == sa.true()
        )
    ).one()
    return {
        "total": total,
        "is_runtime": runtime,
        "is_optional": session.exec(
            select(func.count()).select_from(model).where(
                model.project_id == project_id, model.is_optional == sa.true()
            )
        ).one(),
        "is_resolved": resolved,
    }


def message(item: ProjectMessage) -> dict:
    """Serialize a project message; ``message`` repeats the description (the seed's key)."""
    data = row_dict(item)
    data["message"] = item.description
    return data


def resource(item: CodebaseResource) -> dict:
    """Serialize a codebase resource."""
    return row_dict(item)


def package(item: DiscoveredPackage) -> dict:
    """Serialize a discovered package."""
    return row_dict(item)


def dependency(item: DiscoveredDependency) -> dict:
    """Serialize a discovered dependency."""
    return row_dict(item)
