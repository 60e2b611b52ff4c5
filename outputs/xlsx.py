"""XLSX workbook: one sheet per kind of record, written row by row (openpyxl write-only).

Sheets: PACKAGES, DEPENDENCIES, RESOURCES, RELATIONS, MESSAGES, TODOS (files that need a
person: ``requires-review``, ``virus-detected``) and LAYERS for docker images. Lists are
joined by newlines, dicts written as YAML; a cell longer than Excel's 32,767 characters is
cut, with a note in the row's trailing ``xlsx_errors`` column.
"""

from __future__ import annotations

from collections.abc import Iterable
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
SKIPPED = {"resource": ("package_data",)}

RELATION_COLUMNS = ["from_resource", "to_resource", "map_type", "score", "extra_data"]
LAYER_COLUMNS = ["layer_tag", "layer_id", "created_by", "size", "comment", "created"]


def model_columns(name: str) -> list[str]:
    """Return the sheet columns of a report model."""
    if name == "relation":
        return list(RELATION_COLUMNS)
    model = {
        "package": DiscoveredPackage,
        "dependency": DiscoveredDependency,
        "resource": CodebaseResource,
        "todo": CodebaseResource,
        "message": ProjectMessage,
    }[name]
    skipped = ("id", "project_id", *SKIPPED.get("resource" if name == "todo" else name, ()))
    return [column.name for column in model.__table__.columns if column.name not in skipped]


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
        write_sheet(workbook, title, model_columns(name), data.iter_model(name, project_id))
    layers = data.project_row(project_id).extra_data.get("layers") or []
    if layers:
        columns = list(LAYER_COLUMNS)
        columns += sorted({key for layer in layers for key in layer} - set(columns))
        write_sheet(workbook, "LAYERS", columns, layers)
    workbook.save(target)


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
