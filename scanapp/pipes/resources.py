"""Collect the codebase/ tree as CodebaseResource rows and flag them (batched, streamed)."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import chunked
from scanapp.statuses import ResourceStatus

BATCH_SIZE = 500

#: Paths under these directory names are not scanned (version control and OS metadata).
DEFAULT_IGNORES = (".git", ".svn", ".hg", "CVS", "__MACOSX", ".DS_Store")

#: JSON and text columns that a core insert would otherwise leave NULL.
_ROW_DEFAULTS = {
    column: value
    for column, value in CodebaseResource(project_id=0, path="").model_dump().items()
    if column not in {"id", "project_id", "path"}
}

LEGAL_STARTS_ENDS = (
    "copying",
    "copyright",
    "copyrights",
    "copyleft",
    "notice",
    "license",
    "licenses",
    "licence",
    "licences",
    "licensing",
    "licencing",
    "legal",
    "eula",
    "agreement",
    "patent",
    "patents",
)
README_STARTS_ENDS = ("readme",)


def walk_codebase(root: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """Yield (relative posix path, entry) for everything under ``root``, symlinks not followed."""
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda item: item.name):
                relative = Path(entry.path).relative_to(root).as_posix()
                yield relative, entry
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))


def resource_row(project_id: int, path: str, entry: os.DirEntry) -> dict:
    """Return the insert values of one file, directory or symlink."""
    if entry.is_symlink():
        kind, size = "symlink", None
    elif entry.is_dir(follow_symlinks=False):
        kind, size = "directory", None
    else:
        kind, size = "file", entry.stat(follow_symlinks=False).st_size
    name = entry.name
    extension = os.path.splitext(name)[1] if kind == "file" else ""
    return {
        **_ROW_DEFAULTS,
        "project_id": project_id,
        "path": path,
        "type": kind,
        "name": name,
        "extension": extension[:100],
        "size": size,
        **classify(path, name),
    }


def top_level_roots(path: str) -> set[str]:
    """Return the folders whose direct files count as top-level for ``path``.

    The roots are codebase/ itself, every ``*-extract`` folder and the single
    folder an sdist-style archive unpacks to (``x.tar.gz-extract/x/``).
    """
    parts = path.split("/")
    roots = {""}
    for index, part in enumerate(parts[:-1]):
        if part.endswith("-extract"):
            roots.add("/".join(parts[: index + 1]))
            roots.add("/".join(parts[: index + 2]))
    return roots


def classify(path: str, name: str) -> dict:
    """Return the is_legal / is_readme / is_manifest / is_top_level / is_key_file flags."""
    lower = name.lower()
    base = lower.rsplit(".", 1)[0] if "." in lower else lower
    is_legal = lower.startswith(LEGAL_STARTS_ENDS) or base.endswith(LEGAL_STARTS_ENDS)
    is_readme = lower.startswith(README_STARTS_ENDS) or base.endswith(README_STARTS_ENDS)
    is_manifest = is_manifest_name(path)
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    is_top_level = parent in top_level_roots(path)
    return {
        "is_legal": is_legal,
        "is_readme": is_readme,
        "is_manifest": is_manifest,
        "is_top_level": is_top_level,
        "is_key_file": is_top_level and (is_legal or is_readme or is_manifest),
    }


def is_manifest_name(path: str) -> bool:
    """Tell whether a package datafile handler matches this path (manifest or lockfile)."""
    from packagedcode.cache import get_cache

    # Handler patterns such as ``*/package.json`` expect a leading folder: match from "/".
    return bool(get_cache().application_package_matcher.match("/" + path.lstrip("/")))


def collect_resources(project_id: int, codebase: Path) -> int:
    """Store one row per file, directory and symlink of ``codebase`` and return the count."""
    count = 0
    rows = (resource_row(project_id, path, entry) for path, entry in walk_codebase(codebase))
    for batch in chunked(rows, BATCH_SIZE):
        with session_scope() as session:
            session.execute(sa.insert(CodebaseResource), batch)
        count += len(batch)
    return count


def is_ignored(path: str, patterns: list[str]) -> bool:
    """Tell whether a path is under a default-ignored folder or matches a pattern."""
    parts = path.split("/")
    if any(part in DEFAULT_IGNORES for part in parts):
        return True
    return any(
        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(parts[-1], pattern)
        for pattern in patterns
    )


def flag_empty_and_ignored(
    project_id: int, ignored_patterns: list[str] = (), *, empty: bool = True
) -> dict:
    """Set status ``ignored-empty-file`` (when ``empty``) and ``ignored-by-pattern``.

    Return their counts.
    """
    counts = {ResourceStatus.IGNORED_BY_PATTERN: 0}
    if empty:
        with session_scope() as session:
            statement = sa.update(CodebaseResource).where(
                CodebaseResource.project_id == project_id,
                CodebaseResource.type == "file",
                CodebaseResource.size == 0,
            )
            counts[ResourceStatus.IGNORED_EMPTY_FILE] = session.execute(
                statement.values(status=ResourceStatus.IGNORED_EMPTY_FILE)
            ).rowcount
    updates = [
        {"id": row_id, "status": ResourceStatus.IGNORED_BY_PATTERN}
        for row_id, path in iter_resources(project_id, CodebaseResource.path, files_only=False)
        if is_ignored(path, list(ignored_patterns))
    ]
    for batch in chunked(updates, BATCH_SIZE):
        bulk_update(batch)
    counts[ResourceStatus.IGNORED_BY_PATTERN] = len(updates)
    return counts


def iter_resources(
    project_id: int,
    *columns,
    files_only: bool = True,
    no_status: bool = False,
    where: tuple = (),
) -> Iterator[tuple]:
    """Yield (id, *columns) of a project's resources by pages, never all at once.

    ``where`` adds conditions (e.g. ``CodebaseResource.is_manifest``).
    """
    last_id = 0
    while True:
        statement = select(CodebaseResource.id, *columns).where(
            CodebaseResource.project_id == project_id, CodebaseResource.id > last_id, *where
        )
        if files_only:
            statement = statement.where(CodebaseResource.type == "file")
        if no_status:
            statement = statement.where(CodebaseResource.status == ResourceStatus.NONE)
        with session_scope() as session:
            page = session.execute(statement.order_by(CodebaseResource.id).limit(BATCH_SIZE)).all()
        if not page:
            return
        yield from (tuple(row) for row in page)
        last_id = page[-1][0]


def count_resources(project_id: int, *, no_status: bool = True, where: tuple = ()) -> int:
    """Count the project's files (only those with no status by default)."""
    statement = select(sa.func.count()).where(
        CodebaseResource.project_id == project_id, CodebaseResource.type == "file", *where
    )
    if no_status:
        statement = statement.where(CodebaseResource.status == ResourceStatus.NONE)
    with session_scope() as session:
        return session.execute(statement).scalar_one()


def bulk_update(rows: list[dict]) -> None:
    """Update resources by primary key in one statement batch (each dict has ``id``)."""
    if rows:
        with session_scope() as session:
            session.execute(sa.update(CodebaseResource), rows)


def set_directories_status(project_id: int, status: str) -> int:
    """Give the project's directories that have no status ``status``; return how many."""
    statement = (
        sa.update(CodebaseResource)
        .where(
            CodebaseResource.project_id == project_id,
            CodebaseResource.type == "directory",
            CodebaseResource.status == ResourceStatus.NONE,
        )
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    with session_scope() as session:
        return session.execute(statement).rowcount


def tag_folder(project_id: int, folder: str, tag: str) -> int:
    """Set ``tag`` on a folder of the project and everything under it; return how many."""
    with session_scope() as session:
        return session.execute(
            sa.update(CodebaseResource)
            .where(
                CodebaseResource.project_id == project_id,
                sa.or_(
                    CodebaseResource.path == folder,
                    CodebaseResource.path.startswith(f"{folder}/", autoescape=True),
                ),
            )
            .values(tag=tag)
            .execution_options(synchronize_session=False)
        ).rowcount
