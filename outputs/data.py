"""Read a project's stored data for the renderers, in batches, never all at once."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import tuple_
from sqlmodel import select

from scanapp import __version__, other_tools
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    InputSource,
    Project,
    ProjectMessage,
    Run,
    iso,
    row_dict,
)
from scanapp.queries import relation_values, relations_query
from scanapp.schemas.fields import using_base_url
from scanapp.schemas.projects import InputSourceSchema, RunSchema, input_source_view, run_view
from scanapp.statuses import ResourceStatus

#: Rows read per query; a renderer holds at most one batch.
BATCH_SIZE = 2000

#: Model name (as the API and the cross-project report call it) -> model class.
MODELS = {
    "package": DiscoveredPackage,
    "dependency": DiscoveredDependency,
    "resource": CodebaseResource,
    "relation": CodebaseRelation,
    "message": ProjectMessage,
}



def iter_rows(model, project_id: int, *where, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Yield the project's rows of ``model`` as dicts (internal ids left out), by id order."""
    last_id = 0
    while True:
        with session_scope() as session:
            rows = session.exec(
                select(model)
                .where(model.project_id == project_id, model.id > last_id, *where)
                .order_by(model.id)
                .limit(batch_size)
            ).all()
            dicts = [row_dict(row) for row in rows]
            if rows:
                last_id = rows[-1].id
        yield from dicts
        if len(rows) < batch_size:
            return


def iter_ordered(
    model, project_id: int, order: tuple[str, ...], *where, batch_size: int = BATCH_SIZE
) -> Iterator[dict]:
    """Yield the project's rows of ``model`` as ``iter_rows`` does, sorted by the ``order`` columns.

    Keyset pagination on ``(*order, id)``: each batch starts after the last row of the one
    before, so the order holds across batches without an OFFSET.
    """
    columns = [getattr(model, name) for name in order] + [model.id]
    last: list | None = None
    while True:
        with session_scope() as session:
            statement = select(model).where(model.project_id == project_id, *where)
            if last is not None:
                statement = statement.where(tuple_(*columns) > tuple_(*last))
            rows = session.exec(statement.order_by(*columns).limit(batch_size)).all()
            dicts = [row_dict(row) for row in rows]
            if rows:
                last = [getattr(rows[-1], name) for name in order] + [rows[-1].id]
        yield from dicts
        if len(rows) < batch_size:
            return


def input_urls(project_id: int) -> list[str]:
    """Return the download URLs of the project's inputs ("" for an uploaded file)."""
    with session_scope() as session:
        return list(session.exec(
            select(InputSource.download_url).where(InputSource.project_id == project_id)
            .order_by(InputSource.id)
        ).all())


def iter_model(name: str, project_id: int) -> Iterator[dict]:
    """Yield the rows of a report model: package, dependency, resource, relation, message, todo."""
    if name == "relation":
        return iter_relations(project_id)
    if name == "todo":
        return iter_rows(
            CodebaseResource, project_id, CodebaseResource.status.in_(ResourceStatus.TODO)
        )
    return iter_rows(MODELS[name], project_id)


def iter_relations(project_id: int, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Yield relations as ``{from_resource, to_resource, map_type, score, extra_data}`` paths."""
    query = relations_query(project_id)
    last_id = 0
    while True:
        with session_scope() as session:
            rows = session.exec(
                query.statement.where(CodebaseRelation.id > last_id)
                .order_by(CodebaseRelation.id)
                .limit(batch_size)
            ).all()
            dicts = [relation_values(row) for row in rows]
            if rows:
                last_id = rows[-1][0].id
        yield from dicts
        if len(rows) < batch_size:
            return


def project_header(project_id: int) -> dict:
    """Return the project's identity, inputs, runs and messages (the JSON ``headers`` entry)."""
    with session_scope() as session, using_base_url(get_settings().site_url):
        project = session.get(Project, project_id)
        sources = session.exec(
            select(InputSource).where(InputSource.project_id == project_id)
            .order_by(InputSource.id)
        ).all()
        runs = session.exec(
            select(Run).where(Run.project_id == project_id).order_by(Run.created_date, Run.id)
        ).all()
        return {
            "tool_name": "scanapp",
            "tool_version": __version__,
            "other_tools": other_tools(),
            "notice": NOTICE,
            "uuid": project.uuid,
            "name": project.name,
            "created_date": iso(project.created_date),
            "notes": project.notes,
            "labels": project.labels,
            "settings": project.settings,
            "input_sources": InputSourceSchema(many=True).dump(
                [input_source_view(item, project.slug) for item in sources]
            ),
            "runs": RunSchema(many=True).dump([run_view(item, project.uuid) for item in runs]),
            "messages": list(iter_rows(ProjectMessage, project_id)),
            "extra_data": project.extra_data,
        }


def project_row(project_id: int) -> Project:
    """Return the project (detached) or raise LookupError."""
    with session_scope() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise LookupError(f"No project with id {project_id}")
        session.expunge(project)
        return project


NOTICE = (
    "Generated with scanapp and provided on an \"AS IS\" BASIS, WITHOUT WARRANTIES\n"
    "OR CONDITIONS OF ANY KIND, either express or implied. No content created from\n"
    "scanapp should be considered or used as legal advice. Consult an attorney\n"
    "for legal advice."
)


def iter_relations_with_status(project_id: int, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Yield relations as ``iter_relations`` does, with ``status``: the to_resource's status.

    ScanCode.io's RELATIONS sheet has this column (its relation's ``status`` property).
    """
    from sqlalchemy.orm import aliased

    source, target = aliased(CodebaseResource), aliased(CodebaseResource)
    statement = (
        select(CodebaseRelation, source.path, target.path, target.status)
        .join(source, source.id == CodebaseRelation.from_resource_id)
        .join(target, target.id == CodebaseRelation.to_resource_id)
        .where(CodebaseRelation.project_id == project_id)
    )
    last_id = 0
    while True:
        with session_scope() as session:
            rows = session.exec(
                statement.where(CodebaseRelation.id > last_id)
                .order_by(CodebaseRelation.id)
                .limit(batch_size)
            ).all()
            dicts = [
                {**relation_values((relation, from_path, to_path)), "status": status}
                for relation, from_path, to_path, status in rows
            ]
            if rows:
                last_id = rows[-1][0].id
        yield from dicts
        if len(rows) < batch_size:
            return
