"""XLSX workbook: one sheet per kind of record, written row by row (openpyxl write-only).

Sheets, as ScanCode.io writes them: PACKAGES, DEPENDENCIES, RESOURCES, RELATIONS, MESSAGES,
LAYERS for docker images, TODOS (files that need a person: ``requires-review``,
``virus-detected``) and VULNERABILITIES (one row per known vulnerability and package or
dependency it affects, from find_vulnerabilities) when there are some. Each sheet has
ScanCode.io's columns first, in its order, then the columns scanapp has besides (the
license detections, ``extra_data``...).
Lists are joined by newlines, dicts written as YAML; a cell longer than Excel's 32,767
characters is cut, with a note in the row's trailing ``xlsx_errors`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

import yaml
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from outputs import data
from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
)
from scanapp.result_fields import DEPENDENCY_FIELDS, PACKAGE_FIELDS, RESOURCE_FIELDS

#: Excel's limit on the characters of one cell.
MAX_CELL = 32767

#: Lists of dicts shown by one of their keys (e.g. each copyright statement on its line).
LIST_KEYS = {
    "copyrights": "copyright",
    "holders": "holder",
    "authors": "author",
    "emails": "email",
    "urls": "url",
    "license_detections": "license_expression",
    "license_clues": "license_expression",
    "parties": "name",
}

#: Columns left out of a sheet (kept in the JSON output).
SKIPPED = ("id", "project_id", "package_data")

#: Fields ScanCode.io leaves out of its sheets; scanapp writes them after its columns.
SCANCODEIO_EXCLUDED = (
    "extra_data", "package_data", "license_detections", "other_license_detections",
    "license_clues", "affected_by_vulnerabilities",
)
RELATION_FIELDS = ("to_resource", "status", "map_type", "score", "from_resource")
MESSAGE_FIELDS = (
    "uuid", "severity", "description", "model", "details", "traceback", "created_date",
)
#: Report model -> ScanCode.io's fields for its sheet, in its order.
SCANCODEIO_FIELDS = {
    "package": PACKAGE_FIELDS,
    "dependency": DEPENDENCY_FIELDS,
    "resource": RESOURCE_FIELDS,
    "todo": RESOURCE_FIELDS,
    "relation": RELATION_FIELDS,
    "message": MESSAGE_FIELDS,
}
MODELS = {
    "package": DiscoveredPackage,
    "dependency": DiscoveredDependency,
    "resource": CodebaseResource,
    "todo": CodebaseResource,
    "message": ProjectMessage,
}
RELATION_COLUMNS = [*RELATION_FIELDS, "extra_data"]
LAYER_COLUMNS = [
    "layer_tag", "created_by", "layer_id", "image_id", "created", "size", "author", "comment",
    "archive_location",
]


def model_columns(name: str) -> list[str]:
    """Return a report model's sheet columns: ScanCode.io's, in its order, then scanapp's."""
    first = [field for field in SCANCODEIO_FIELDS[name] if field not in SCANCODEIO_EXCLUDED]
    return first + [column for column in _stored_columns(name) if column not in first]


def _stored_columns(name: str) -> list[str]:
    if name == "relation":
        return list(RELATION_COLUMNS)
    return [column.name for column in MODELS[name].__table__.columns
            if column.name not in SKIPPED]


def model_rows(name: str, project_id: int) -> Iterator[dict]:
    """Yield a report model's rows; relations with ``status``, their to_resource's."""
    if name == "relation":
        return data.iter_relations_with_status(project_id)
    return data.iter_model(name, project_id)


#: Sheet title -> report model.
SHEETS = {
    "PACKAGES": "package",
    "DEPENDENCIES": "dependency",
    "RESOURCES": "resource",
    "RELATIONS": "relation",
    "MESSAGES": "message",
    "TODOS": "todo",
}


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's workbook to ``target``."""
    workbook = Workbook(write_only=True)
    for title, name in SHEETS.items():
        if name != "todo":
            write_sheet(workbook, title, model_columns(name), model_rows(name, project_id))
    layers = data.project_row(project_id).extra_data.get("layers") or []
    if layers:
        columns = list(LAYER_COLUMNS)
        columns += sorted({key for layer in layers for key in layer} - set(columns))
        write_sheet(workbook, "LAYERS", columns, layers)
    todos = _unless_empty(model_rows("todo", project_id))
    if todos is not None:
        write_sheet(workbook, "TODOS", model_columns("todo"), todos)
    vulnerable = _unless_empty(vulnerability_rows(project_id))
    if vulnerable is not None:
        write_sheet(workbook, "VULNERABILITIES", list(VULNERABILITY_COLUMNS), vulnerable)
    workbook.save(target)


#: The VULNERABILITIES sheet's columns.
VULNERABILITY_COLUMNS = (
    "vulnerability_id", "aliases", "severity_level", "score", "summary", "fixed_versions",
    "affected_kind", "affected_purl", "references",
)


def vulnerability_rows(project_id: int) -> Iterator[dict]:
    """Yield a row per vulnerability and the package or dependency it was found on."""
    for model, kind in ((DiscoveredPackage, "package"), (DiscoveredDependency, "dependency")):
        for row in data.iter_rows(model, project_id):
            for found in row["affected_by_vulnerabilities"] or []:
                scores = [s["score"] for s in found.get("severity", []) if s.get("score")]
                yield {
                    "vulnerability_id": found.get("vulnerability_id", ""),
                    "aliases": found.get("aliases", []),
                    "severity_level": found.get("severity_level", ""),
                    "score": max(scores, default=None),
                    "summary": found.get("summary", ""),
                    "fixed_versions": found.get("fixed_versions", []),
                    "affected_kind": kind, "affected_purl": row["purl"],
                    "references": [ref.get("url", "") for ref in found.get("references", [])],
                }


def _unless_empty(rows: Iterator[dict]) -> Iterator[dict] | None:
    """Return ``rows`` whole, or None when there is none."""
    first = next(rows, None)
    return None if first is None else chain([first], rows)


def write_sheet(
    workbook: Workbook,
    title: str,
    columns: list[str],
    rows: Iterable[dict],
) -> None:
    """Append a sheet of ``rows`` with ``columns`` then ``xlsx_errors``."""
    sheet = workbook.create_sheet(title)
    sheet.append([*columns, "xlsx_errors"])
    for row in rows:
        errors: list[str] = []
        cells = [cell_value(column, row.get(column), errors) for column in columns]
        sheet.append([*cells, "\n".join(errors)])


def cell_value(column: str, value, errors: list[str]):
    """Return ``value`` as an Excel cell: text for lists and dicts, cut at the cell limit."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list):
        text = "\n".join(_list_item(column, item) for item in value)
    elif isinstance(value, dict):
        text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True).strip() if value else ""
    else:
        text = str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL:
        errors.append(
            f"The value of {column} was cut from {len(text)} to {MAX_CELL} characters."
        )
        text = text[:MAX_CELL]
    return text


def _list_item(column: str, item) -> str:
    if isinstance(item, dict):
        key = LIST_KEYS.get(column)
        if key and key in item:
            return str(item[key] or "")
        return yaml.safe_dump(item, sort_keys=False, allow_unicode=True).strip()
    return str(item)
