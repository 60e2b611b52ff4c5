"""Flag resources by status, as ScanCode.io's root filesystem and image pipelines do.

A root filesystem is a folder of codebase/ (``<input>-extract``, or a layer folder of a
Windows image); a resource's ``rootfs_path`` is its path from that root, ``/`` first
(``/etc/passwd``), the path the file has on the running system.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import chunked, resources
from scanapp.statuses import ResourceStatus

Status = ResourceStatus


def _is_empty_list(column) -> sa.ColumnElement:
    return sa.or_(column.is_(None), sa.cast(column, sa.Text) == "[]")


def _update(project_id: int, *where, status: str) -> int:
    with session_scope() as session:
        return session.execute(
            sa.update(CodebaseResource)
            .where(CodebaseResource.project_id == project_id, *where)
            .values(status=status)
            .execution_options(synchronize_session=False)
        ).rowcount


def rootfs_path(root: str, path: str) -> str:
    """Return the path of ``path`` inside the root filesystem ``root``: ``/etc/passwd``."""
    return "/" + path[len(root) :].lstrip("/")


def under(root: str) -> sa.ColumnElement:
    """Select the resources inside the root filesystem folder ``root`` (not the root itself)."""
    return CodebaseResource.path.startswith(f"{root}/", autoescape=True)


def iter_rootfs_resources(
    project_id: int, roots: list[str], *columns, files_only: bool = False
) -> Iterator[tuple]:
    """Yield (id, root, rootfs_path, *columns) of the resources with no status in ``roots``."""
    for root in roots:
        for row_id, path, *values in resources.iter_resources(
            project_id,
            CodebaseResource.path,
            *columns,
            files_only=files_only,
            no_status=True,
            where=(under(root),),
        ):
            yield (row_id, root, rootfs_path(root, path), *values)


def set_status(ids: list[int], status: str) -> int:
    """Set ``status`` on the resources ``ids``; return how many."""
    for batch in chunked(({"id": row_id, "status": status} for row_id in ids), 500):
        resources.bulk_update(batch)
    return len(ids)


def flag_under_folders(project_id: int, roots: list[str], folders: tuple[str, ...]) -> int:
    """Flag ``ignored-not-interesting`` what has no status under ``folders`` of each root.

    ``folders`` are rootfs paths such as ``/tmp/``: the folder itself is not flagged.
    """
    conditions = [
        CodebaseResource.path.startswith(f"{root}{folder}", autoescape=True)
        for root in roots
        for folder in folders
    ]
    if not conditions:
        return 0
    return _update(
        project_id,
        CodebaseResource.status == Status.NONE,
        sa.or_(*conditions),
        status=Status.IGNORED_NOT_INTERESTING,
    )


def flag_empty_files(project_id: int) -> int:
    """Flag ``ignored-empty-file`` the empty files with no status or ``not-analyzed``."""
    return _update(
        project_id,
        CodebaseResource.type == "file",
        sa.or_(CodebaseResource.size.is_(None), CodebaseResource.size == 0),
        CodebaseResource.status.in_((Status.NONE, Status.NOT_ANALYZED)),
        status=Status.IGNORED_EMPTY_FILE,
    )


def flag_default_ignores(project_id: int, roots: list[str]) -> int:
    """Flag ``ignored-default-ignores`` the files commoncode ignores by default.

    commoncode's own matcher is applied to each rootfs path (``*.lnk``, ``Thumbs.db``,
    ``NTUSER.DAT*``, ``.git``...); ScanCode.io turns the same patterns into SQL substring
    lookups, which also flag any path that merely contains ``compile`` or ``missing``.
    """
    from commoncode.ignore import default_ignores, is_ignored

    ids = [
        row_id
        for row_id, _, path in iter_rootfs_resources(project_id, roots)
        if is_ignored(path, default_ignores, skip_special=False)
    ]
    return set_status(ids, Status.IGNORED_DEFAULT_IGNORES)


def flag_media_files(project_id: int, codebase) -> int:
    """Flag ``ignored-media-file`` the image, audio and video files with no status.

    The file type comes from typecode, as the file info scan computes it.
    """
    from typecode.contenttype import get_type

    ids = []
    for row_id, path in resources.iter_resources(
        project_id, CodebaseResource.path, no_status=True
    ):
        location = codebase / path
        if not location.is_symlink() and location.is_file() and get_type(str(location)).is_media:
            ids.append(row_id)
    return set_status(ids, Status.IGNORED_MEDIA_FILE)


def analyze_scanned_files(project_id: int) -> dict:
    """Flag scanned files ``no-licenses`` (nothing detected) or ``unknown-license``."""
    scanned = (CodebaseResource.type == "file", CodebaseResource.status == Status.SCANNED)
    no_licenses = _update(
        project_id,
        *scanned,
        _is_empty_list(CodebaseResource.license_detections),
        _is_empty_list(CodebaseResource.license_clues),
        status=Status.NO_LICENSES,
    )
    unknown = _update(
        project_id,
        *scanned,
        CodebaseResource.detected_license_expression.contains("unknown", autoescape=True),
        status=Status.UNKNOWN_LICENSE,
    )
    return {Status.NO_LICENSES: no_licenses, Status.UNKNOWN_LICENSE: unknown}


def flag_data_files_with_no_clues(project_id: int) -> int:
    """Flag ``ignored-data-file-no-clues`` the ``data`` files without any clue of origin.

    No copyright, holder, author, license, email nor URL: whatever their status, as in
    ScanCode.io.
    """
    clues = (
        CodebaseResource.copyrights,
        CodebaseResource.holders,
        CodebaseResource.authors,
        CodebaseResource.license_detections,
        CodebaseResource.emails,
        CodebaseResource.urls,
    )
    return _update(
        project_id,
        CodebaseResource.file_type == "data",
        CodebaseResource.detected_license_expression == "",
        *(_is_empty_list(column) for column in clues),
        status=Status.IGNORED_DATA_FILE_NO_CLUES,
    )


def flag_not_analyzed(project_id: int) -> int:
    """Flag ``not-analyzed`` every resource still without a status; return how many."""
    return _update(project_id, CodebaseResource.status == Status.NONE, status=Status.NOT_ANALYZED)
