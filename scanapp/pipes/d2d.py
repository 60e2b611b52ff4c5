"""Deploy-to-develop mapping: place ``from``/``to`` inputs, index resources, store relations.

The ``from`` side holds the development sources, the ``to`` side what is deployed (binaries,
jars, minified bundles). Each mapping function relates ``to`` files not mapped yet to their
origin on the ``from`` side and stores CodebaseRelation rows; the Java and JavaScript
mappers live in ``d2d_java`` and ``d2d_js``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseRelation, CodebaseResource, InputSource
from scanapp.pipes import chunked, fetch, resources
from scanapp.statuses import ResourceStatus

FROM, TO = "from", "to"
SIDES = (FROM, TO)
BATCH_SIZE = 500
#: A path mapping needs at least this many trailing segments in common (or the whole path).
MIN_PATH_SEGMENTS = 2


@dataclass(frozen=True)
class Res:
    """The fields of a resource that mapping needs."""

    id: int
    path: str
    sha1: str

    @property
    def name(self) -> str:
        """The file name."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def parts(self) -> list[str]:
        """The path segments below the side folder, ``*-extract`` folders left out."""
        return [part for part in self.path.split("/")[1:] if not part.endswith("-extract")]


def input_side(source: InputSource) -> str | None:
    """Return ``from`` or ``to`` for an input: its tag, else a ``from-``/``to-`` name prefix."""
    tag = (source.tag or "").strip().lower()
    if tag in SIDES:
        return tag
    name = (source.filename or "").lower()
    for side in SIDES:
        if name.startswith(f"{side}-") or name.startswith(f"{side}_"):
            return side
    return None


def copy_tagged_inputs(context, names: list[str]) -> dict[str, int]:
    """Copy each input under codebase/from/ or codebase/to/ by its tag; return the counts.

    An input with neither tag is an error naming it (nothing is guessed).
    """
    with session_scope() as session:
        sources = session.exec(
            select(InputSource).where(
                InputSource.project_id == context.project_id, InputSource.filename.in_(names)
            )
        ).all()
    counts = dict.fromkeys(SIDES, 0)
    untagged = [source.filename for source in sources if input_side(source) is None]
    if untagged:
        raise ValueError(
            f"Input(s) {', '.join(untagged)} not tagged 'from' or 'to': add URLs with a "
            "#from or #to fragment, or upload with upload_file_tag=from|to."
        )
    for source in sources:
        side = input_side(source)
        target = context.workdir.codebase / side
        target.mkdir(parents=True, exist_ok=True)
        fetch.copy_to_codebase(context.workdir.input / source.filename, target)
        counts[side] += 1
    missing = [side for side in SIDES if not counts[side]]
    if missing:
        raise ValueError(f"No input tagged {' or '.join(missing)!r}: both sides are needed.")
    return counts


def tag_resources(project_id: int) -> None:
    """Set ``tag`` to ``from`` or ``to`` on every resource by its top folder."""
    for side in SIDES:
        resources.tag_folder(project_id, side, side)


def side_files(project_id: int, side: str) -> list[Res]:
    """Return the files of one side that are not ignored."""
    statement = select(CodebaseResource.id, CodebaseResource.path, CodebaseResource.sha1).where(
        CodebaseResource.project_id == project_id,
        CodebaseResource.type == "file",
        CodebaseResource.tag == side,
        sa.not_(CodebaseResource.status.startswith(ResourceStatus.IGNORED_PREFIX)),
    )
    with session_scope() as session:
        rows = session.execute(statement.order_by(CodebaseResource.id)).all()
    return [Res(row_id, path, sha1 or "") for row_id, path, sha1 in rows]


def mapped_ids(project_id: int) -> set[int]:
    """Return the ids of the ``to`` resources that already have a relation."""
    with session_scope() as session:
        rows = session.execute(
            select(CodebaseRelation.to_resource_id)
            .where(CodebaseRelation.project_id == project_id)
            .distinct()
        ).all()
    return {row[0] for row in rows}


def unmapped_to_files(project_id: int) -> list[Res]:
    """Return the ``to`` files with no relation yet."""
    done = mapped_ids(project_id)
    return [item for item in side_files(project_id, TO) if item.id not in done]


def relation(source: Res, target: Res, map_type: str, score=None, **extra) -> dict:
    """Return the insert values of one relation (``source`` on the from side)."""
    return {
        "from_resource_id": source.id,
        "to_resource_id": target.id,
        "map_type": map_type,
        "score": score,
        "extra_data": extra,
    }


def store_relations(project_id: int, rows) -> int:
    """Insert relation values in batches; return how many were stored."""
    count = 0
    for batch in chunked(rows, BATCH_SIZE):
        with session_scope() as session:
            session.execute(
                sa.insert(CodebaseRelation), [dict(row, project_id=project_id) for row in batch]
            )
        count += len(batch)
    return count


def map_checksum(project_id: int) -> int:
    """Relate each unmapped ``to`` file to the ``from`` files with the same SHA1."""
    by_sha1 = defaultdict(list)
    for item in side_files(project_id, FROM):
        if item.sha1:
            by_sha1[item.sha1].append(item)
    rows = (
        relation(source, target, "sha1", 1.0)
        for target in unmapped_to_files(project_id)
        if target.sha1
        for source in by_sha1.get(target.sha1, ())
    )
    return store_relations(project_id, rows)


class NameIndex:
    """``from`` files by file name, to find the one sharing the longest path suffix."""

    def __init__(self, files: list[Res]):
        """Index ``files`` by name."""
        self.by_name: dict[str, list[Res]] = defaultdict(list)
        for item in files:
            self.by_name[item.name].append(item)

    def best(self, parts: list[str], name: str | None = None) -> tuple[list[Res], int]:
        """Return the files named ``name`` sharing the most trailing segments with ``parts``.

        ``name`` defaults to the last part; the count of common segments comes second.
        """
        name = name or parts[-1]
        best, score = [], 0
        for candidate in self.by_name.get(name, ()):
            common = common_suffix(candidate.parts[:-1], parts[:-1]) + 1
            if common > score:
                best, score = [candidate], common
            elif common == score:
                best.append(candidate)
        return best, score


def common_suffix(left: list[str], right: list[str]) -> int:
    """Count the trailing segments two paths have in common."""
    count = 0
    for one, two in zip(reversed(left), reversed(right), strict=False):
        if one != two:
            break
        count += 1
    return count


def map_path(project_id: int) -> int:
    """Relate each unmapped ``to`` file to the ``from`` files ending with the same path."""
    index = NameIndex(side_files(project_id, FROM))
    rows = []
    for target in unmapped_to_files(project_id):
        parts = target.parts
        sources, score = index.best(parts)
        if sources and (score >= MIN_PATH_SEGMENTS or score == len(parts)):
            path_score = f"{score}/{len(parts)}"
            ratio = round(score / len(parts), 2)
            rows += [
                relation(source, target, "path", ratio, path_score=path_score)
                for source in sources
            ]
    return store_relations(project_id, rows)


def flag_to_files(project_id: int, codebase: Path) -> dict[str, int]:
    """Set the status of every ``to`` file: mapped, archive-extracted or requires-review."""
    done = mapped_ids(project_id)
    ends = (ResourceStatus.MAPPED, ResourceStatus.ARCHIVE_EXTRACTED, ResourceStatus.REQUIRES_REVIEW)
    counts = dict.fromkeys(ends, 0)
    updates = []
    for item in side_files(project_id, TO):
        if item.id in done:
            status = ResourceStatus.MAPPED
        elif (codebase / f"{item.path}-extract").is_dir():
            status = ResourceStatus.ARCHIVE_EXTRACTED
        else:
            status = ResourceStatus.REQUIRES_REVIEW
        counts[status] += 1
        updates.append({"id": item.id, "status": status})
    for batch in chunked(updates, BATCH_SIZE):
        resources.bulk_update(batch)
    return counts
