"""The codebase as a tree: a directory's direct children a page at a time, a file's facts.

A directory's children are the resources whose path starts with ``dir/`` and holds no other
``/``. The start is a range of the paths' bytes read from the index on (project, type,
path): SQLite compares by bytes already; PostgreSQL reads ``ix_resource_type_path_bytes``,
of the "C" collation (its default collations ignore the '/'). Directories come first, then
files, then symlinks (one range of the index each), each by path: a page of a directory of
100,000 files reads its page and counts from the index, never the rows of the others.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.errors import NotFoundError
from scanapp.models import CodebaseResource, DiscoveredPackage
from scanapp.schemas.fields import View
from scanapp.services.listing import Page, check_page
from scanapp.services.lookup import get_project
from scanapp.services.pages import list_count

#: The types of resources, in the order a directory lists them.
TYPES = ("directory", "file", "symlink")


def _path(session: Session):
    column = CodebaseResource.path
    return column if session.get_bind().dialect.name == "sqlite" else sa.collate(column, "C")


def _children(session: Session, project_id: int, directory: str, kind: str) -> list:
    """Return the conditions of the direct children of type ``kind`` of ``directory``."""
    path = _path(session)
    conditions = [CodebaseResource.project_id == project_id, CodebaseResource.type == kind]
    if directory:
        start = f"{directory}/"
        conditions += [path >= start, path < f"{directory}0",  # "0" follows "/"
                       sa.func.substr(CodebaseResource.path, len(start) + 1).notlike("%/%")]
    else:
        conditions.append(CodebaseResource.path.notlike("%/%"))
    return conditions


def _count(session: Session, project_id: int, directory: str, kind: str) -> int:
    """Return how many direct children of type ``kind`` the directory has, kept once counted.

    Counting walks the directory's whole subtree in the index (the files below ``src/`` to
    find those right in it): kept with the project's counts, until the project changes.
    """
    def count() -> int:
        return session.exec(select(sa.func.count()).where(
            *_children(session, project_id, directory, kind))).one()

    return list_count(session, project_id, f"tree:{kind}:{directory}", count, keep_from=0)


def find_resource(session: Session, project_id: int, path: str) -> CodebaseResource | None:
    """Return the resource at ``path`` (None when there is none)."""
    return session.exec(select(CodebaseResource).where(
        CodebaseResource.project_id == project_id, CodebaseResource.path == path)).first()


def directory_page(project_uuid: str, directory: str, number: int = 1) -> Page:
    """Return a page of the direct children of ``directory`` ("" is the codebase's root).

    A path that is no directory of the project is NotFoundError.
    """
    size = get_settings().page_size
    with session_scope() as session:
        project_id = get_project(session, project_uuid).id
        if directory:
            found = find_resource(session, project_id, directory)
            if found is None or found.type != "directory":
                raise NotFoundError("Directory not found.")
        counts = [_count(session, project_id, directory, kind) for kind in TYPES]
        check_page(number, size, sum(counts))
        items, skip = [], (number - 1) * size
        for kind, count in zip(TYPES, counts, strict=True):
            if skip >= count:
                skip -= count
                continue
            items += session.exec(
                select(CodebaseResource).where(*_children(session, project_id, directory, kind))
                .order_by(_path(session)).offset(skip).limit(size - len(items))).all()
            skip = 0
            if len(items) == size:
                break
        return Page(number, size, sum(counts), items)


def file_facts(project_uuid: str, path: str) -> View:
    """Return the resource at ``path`` with ``packages``, those it is part of."""
    with session_scope() as session:
        project_id = get_project(session, project_uuid).id
        found = find_resource(session, project_id, path)
        if found is None:
            raise NotFoundError("Resource not found.")
        uids = [uid for uid in found.for_packages or () if isinstance(uid, str)]
        packages = session.exec(select(DiscoveredPackage).where(
            DiscoveredPackage.project_id == project_id,
            DiscoveredPackage.package_uid.in_(uids))).all() if uids else []
        return View(found, packages=list(packages))
