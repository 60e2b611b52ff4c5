"""Plain factory helpers that store rows directly."""

from __future__ import annotations

from scanapp.db import session_scope
from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    Project,
    ProjectMessage,
    Run,
    new_uuid,
)
from scanapp.workdir import slugify, workdir_for


def make_project(name: str = "project", **values) -> Project:
    """Store a project and create its work directory."""
    uuid = new_uuid()
    project = Project(uuid=uuid, name=name, slug=slugify(name, uuid), **values)
    with session_scope() as session:
        session.add(project)
    workdir_for(project.slug).create()
    return project


def _make(table, project: Project, **values):
    row = table(project_id=project.id, **values)
    with session_scope() as session:
        session.add(row)
    return row


def make_resource(project: Project, path: str, **values) -> CodebaseResource:
    """Store a codebase resource."""
    values.setdefault("name", path.rsplit("/", 1)[-1])
    return _make(CodebaseResource, project, path=path, **values)


def make_package(
    project: Project, purl: str = "pkg:pypi/example@1.0", **values
) -> DiscoveredPackage:
    """Store a package, its purl parts taken from ``purl``."""
    from packageurl import PackageURL

    parts = PackageURL.from_string(purl)
    values.setdefault("package_uid", f"{purl}?uuid={new_uuid()}")
    return _make(
        DiscoveredPackage,
        project,
        purl=purl,
        type=parts.type,
        namespace=parts.namespace or "",
        name=parts.name,
        version=parts.version or "",
        **values,
    )


def make_dependency(project: Project, purl: str = "pkg:pypi/dep", **values) -> DiscoveredDependency:
    """Store a dependency."""
    values.setdefault("dependency_uid", f"{purl}?uuid={new_uuid()}")
    return _make(DiscoveredDependency, project, purl=purl, **values)


def make_message(project: Project, description: str = "failed", **values) -> ProjectMessage:
    """Store a project message."""
    return _make(ProjectMessage, project, description=description, **values)


def make_run(project: Project, pipeline_name: str = "do_nothing", **values) -> Run:
    """Store a run."""
    return _make(Run, project, pipeline_name=pipeline_name, **values)


def rows_of(model, project: Project) -> list:
    """Return every stored row of ``model`` of the project."""
    from sqlmodel import select

    with session_scope() as session:
        return list(session.exec(select(model).where(model.project_id == project.id)).all())
