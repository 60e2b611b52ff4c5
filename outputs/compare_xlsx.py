"""The XLSX of a comparison of two projects: a SUMMARY sheet, then one sheet per kind of change.

The columns of each sheet are the fields of its item in the API's comparison schema, so the
workbook and ``GET /api/projects/{uuid}/compare/`` show the same facts.
"""

from __future__ import annotations

from typing import BinaryIO

from openpyxl import Workbook

from outputs.xlsx import write_sheet
from scanapp.schemas.compare import ComparisonSchema

_FIELDS = ComparisonSchema().fields


def columns(kind: str) -> list[str]:
    """Return the columns of the sheet of ``kind`` (``packages_added``...)."""
    return list(_FIELDS[kind].inner.schema.fields)


def render(comparison: dict, target: BinaryIO) -> None:
    """Write the comparison's workbook to ``target``."""
    workbook = Workbook(write_only=True)
    sides = [("project", comparison["project"]), ("with", comparison["with"])]
    summary = [{"item": f"{side} {key}", "value": value}
               for side, project in sides for key, value in project.items()]
    summary += [{"item": kind, "value": count} for kind, count in comparison["summary"].items()]
    write_sheet(workbook, "SUMMARY", ["item", "value"], summary)
    for kind in comparison["summary"]:
        if kind in _FIELDS:  # not the counts of files unchanged
            write_sheet(workbook, kind.upper(), columns(kind), comparison[kind])
    workbook.save(target)
