"""The cross-project report: one XLSX sheet of one kind of record over many projects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from openpyxl import Workbook

from outputs import xlsx
from scanapp.errors import InvalidInputError

#: ``?model=`` value -> sheet title.
REPORT_MODELS = {name: title for title, name in xlsx.SHEETS.items()}


def check_model(model: str | None) -> str:
    """Return ``model`` if the report knows it, else raise a 400 listing the choices."""
    if model not in REPORT_MODELS:
        choices = ", ".join(REPORT_MODELS)
        given = f"Unknown model '{model}'." if model else "The model parameter is required."
        raise InvalidInputError.for_field("model", f"{given} Choose one of: {choices}.")
    return model


def render_report(projects: Iterable[tuple[int, str]], model: str, target: BinaryIO) -> None:
    """Write one sheet of ``model`` rows of each ``(project id, name)``, project first."""
    check_model(model)
    workbook = Workbook(write_only=True)
    columns = ["project", *xlsx.model_columns(model)]

    def rows():
        for project_id, name in projects:
            for row in xlsx.model_rows(model, project_id):
                yield {"project": name, **row}

    xlsx.write_sheet(workbook, REPORT_MODELS[model], columns, rows())
    workbook.save(target)
