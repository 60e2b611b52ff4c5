"""Summarize a scanned project as ``scancode --classify --summary --license-clarity-score``.

scancode-toolkit's summarycode functions (license clarity score, declared holders, primary
language, origin from top-level packages) run unchanged on ``RowCodebase``, a read-only
view of the stored rows that offers the two methods they call (``walk``, ``get_resource``).
The codebase tallies are counted in one streamed pass with summarycode's own talliers.
ScanCode.io's additions are kept: ``key_files`` (with their text), ``key_files_packages``
and ``license_matches``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage, row_dict
from scanapp.pipes import resources
from scanapp.result_fields import PACKAGE_FIELDS, RESOURCE_FIELDS, shaped

UNKNOWN_REFERENCE = "unknown-license-reference"
#: Key file text kept in the summary (bytes); longer files are cut with a marker.
MAX_KEY_FILE_CONTENT = 100 * 1024
_WALK_COLUMNS = (
    CodebaseResource.path,
    CodebaseResource.type,
    CodebaseResource.is_key_file,
    CodebaseResource.license_detections,
    CodebaseResource.detected_license_expression,
    CodebaseResource.copyrights,
    CodebaseResource.holders,
)


def _resource(row: tuple) -> SimpleNamespace:
    _, path, kind, is_key_file, detections, expression, copyrights, holders = row
    return SimpleNamespace(
        path=path,
        is_dir=kind == "directory",
        is_file=kind == "file",
        is_key_file=bool(is_key_file),
        license_detections=detections or [],
        detected_license_expression=expression or None,
        copyrights=copyrights or [],
        holders=holders or [],
    )


class RowCodebase:
    """What summarycode reads of a commoncode Codebase, over a project's stored rows.

    Rows are streamed by pages on each ``walk``, never all loaded at once.
    """

    def __init__(self, project_id: int):
        """Bind the view to a project."""
        self.project_id = project_id

    def walk(self, topdown: bool = True) -> Iterator[SimpleNamespace]:
        """Yield every resource (files and directories) in path order of storage."""
        for row in resources.iter_resources(self.project_id, *_WALK_COLUMNS, files_only=False):
            yield _resource(row)

    def get_resource(self, path: str) -> SimpleNamespace | None:
        """Return the resource at ``path`` (relative to codebase/), or None."""
        statement = select(CodebaseResource.id, *_WALK_COLUMNS).where(
            CodebaseResource.project_id == self.project_id, CodebaseResource.path == path
        )
        with session_scope() as session:
            row = session.execute(statement).first()
        return _resource(tuple(row)) if row else None


def _file_expressions(detections: list, clues: list) -> list:
    found = [item.get("license_expression") for item in detections + clues]
    return [expression for expression in found if expression] or [None]


def codebase_tallies(project_id: int) -> dict[str, list[dict]]:
    """Tally license expressions, holders and languages of every file, as ``--tallies`` does.

    A file without a license or holder counts once under ``None``, like scancode's tallies
    (whose language tally, summed up the tree, drops files without a language).
    """
    from summarycode.copyright_tallies import tally_persons
    from summarycode.utils import sorted_counter

    expressions: Counter = Counter()
    languages: Counter = Counter()
    holders: list = []
    rows = resources.iter_resources(
        project_id,
        CodebaseResource.license_detections,
        CodebaseResource.license_clues,
        CodebaseResource.holders,
        CodebaseResource.programming_language,
    )
    for _, detections, clues, file_holders, language in rows:
        expressions.update(_file_expressions(detections or [], clues or []))
        if language:
            languages[language] += 1
        holders.extend([item.get("holder") for item in file_holders or []] or [None])
    return {
        "detected_license_expression": sorted_counter(expressions),
        "holders": sorted_counter(tally_persons(holders)),
        "programming_language": sorted_counter(languages),
    }


def _package_mapping(package: DiscoveredPackage) -> dict:
    fields = ("type", "namespace", "name", "version", "qualifiers", "subpath", "primary_language")
    mapping = {name: getattr(package, name) or None for name in fields}
    mapping.update(
        declared_license_expression=package.declared_license_expression or None,
        copyright=package.copyright or None,
        datafile_paths=list(package.datafile_paths or []),
    )
    return mapping


def _packages(project_id: int) -> list[DiscoveredPackage]:
    with session_scope() as session:
        return list(
            session.exec(
                select(DiscoveredPackage)
                .where(DiscoveredPackage.project_id == project_id)
                .order_by(DiscoveredPackage.id)
            ).all()
        )


def origin_summary(project_id: int) -> dict:
    """Return scancode's codebase ``summary``: declared license, clarity score, holder, language.

    The steps are those of summarycode's ``ScanSummary.process_codebase``.
    """
    from summarycode.score import compute_license_score
    from summarycode.summarizer import (
        get_declared_holders,
        get_origin_info_from_top_level_packages,
        get_primary_language,
        remove_from_tallies,
    )

    codebase = RowCodebase(project_id)
    tallies = codebase_tallies(project_id)
    packages = [_package_mapping(item) for item in _packages(project_id)]
    expression, holders, language = get_origin_info_from_top_level_packages(packages, codebase)
    scoring, scored_expression = compute_license_score(codebase)
    expression = expression or scored_expression
    holders = holders or get_declared_holders(codebase, tallies["holders"])
    language = language or get_primary_language(tallies["programming_language"])
    return {
        "declared_license_expression": expression,
        "license_clarity_score": scoring.to_dict(),
        "declared_holder": ", ".join(holders),
        "primary_language": language,
        "other_license_expressions": remove_from_tallies(
            expression, tallies["detected_license_expression"]
        ),
        "other_holders": remove_from_tallies(holders, tallies["holders"]),
        "other_languages": remove_from_tallies(language, tallies["programming_language"]),
    }


def _content(location: Path) -> str:
    try:
        with open(location, "rb") as handle:
            data = handle.read(MAX_KEY_FILE_CONTENT + 1)
    except OSError:
        return ""
    text = data[:MAX_KEY_FILE_CONTENT].decode("utf-8", errors="replace")
    return text + ("\n[...]" if len(data) > MAX_KEY_FILE_CONTENT else "")


def key_files(project_id: int, codebase_dir: Path) -> tuple[list[dict], list[str]]:
    """Return the text key files (serialized, with ``content``) and their package uids."""
    statement = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        CodebaseResource.is_key_file == sa.true(),
        CodebaseResource.is_text == sa.true(),
    )
    files, package_uids = [], []
    with session_scope() as session:
        for item in session.exec(statement.order_by(CodebaseResource.path)).all():
            data = shaped(row_dict(item), RESOURCE_FIELDS)
            data["content"] = _content(codebase_dir / item.path)
            files.append(data)
            package_uids.extend(uid for uid in item.for_packages or [] if uid not in package_uids)
    return files, package_uids


def license_matches(project_id: int) -> dict[str, dict[str, list[dict]]]:
    """Return the license matches of every file with license data, ScanCode.io's shape.

    ``{detected_license_expression: {path: [{license_expression, identifier, matches:
    [{license_expression, matched_text}]}]}}``, files in path order; the matches of an
    ``unknown-license-reference`` (what a followed reference pointed at is listed instead)
    are left out, and a file with clues only is listed with no detection under "".
    """
    grouped: dict[str, dict[str, list[dict]]] = {}
    licensed = sa.or_(sa.cast(CodebaseResource.license_detections, sa.Text) != "[]",
                      sa.cast(CodebaseResource.license_clues, sa.Text) != "[]")
    statement = select(
        CodebaseResource.path,
        CodebaseResource.detected_license_expression,
        CodebaseResource.license_detections,
    ).where(CodebaseResource.project_id == project_id, licensed)
    with session_scope() as session:
        rows = sorted(session.execute(statement).all())
    for path, expression, detections in rows:
        grouped.setdefault(expression or "", {})[path] = [
            {
                "license_expression": detection.get("license_expression"),
                "identifier": detection.get("identifier"),
                "matches": [
                    {"license_expression": match.get("license_expression"),
                     "matched_text": match.get("matched_text")}
                    for match in detection.get("matches") or []
                    if match.get("license_expression") != UNKNOWN_REFERENCE
                ],
            }
            for detection in detections or []
        ]
    return grouped


def make_summary(project_id: int, codebase_dir: Path) -> dict:
    """Build the project summary: scancode's summary plus key files and license matches."""
    summary = origin_summary(project_id)
    files, package_uids = key_files(project_id, codebase_dir)
    packages = [item for item in _packages(project_id) if item.package_uid in package_uids]
    summary["license_matches"] = license_matches(project_id)
    summary["key_files"] = files
    summary["key_files_packages"] = [shaped(row_dict(item), PACKAGE_FIELDS) for item in packages]
    return summary
