"""CSV: one file per model, as ScanCode.io's ``output --format csv`` writes them, in one zip.

The zip holds ``discoveredpackage.csv``, ``discovereddependency.csv``, ``codebaseresource.csv``
and ``projectmessage.csv`` (ScanCode.io writes no relations CSV). Each has ScanCode.io's
columns in its order and its rows in its order: packages by type, namespace, name and version;
dependencies the same then by datasource; resources by path, symlinks left out; messages by
date. Cells are what ScanCode.io's ``csv.DictWriter`` writes: empty for null, ``True`` and
``False``, lists and dicts as Python literals (``ast.literal_eval`` reads them back) with the
keys of each dict in PostgreSQL ``jsonb`` order (shorter keys first), dates as
``YYYY-MM-DD HH:MM:SS.ffffff+00:00``. Each CSV is written row by row into the zip.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, BinaryIO

from outputs import data
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage
from scanapp.result_fields import DEPENDENCY_FIELDS, PACKAGE_FIELDS, RESOURCE_FIELDS, shaped

#: ScanCode.io's ProjectMessage columns.
MESSAGE_FIELDS = (
    "uuid", "severity", "description", "model", "details", "traceback", "created_date",
)
#: Columns whose stored ISO 8601 text ScanCode.io writes as ``str(datetime)``.
DATE_FIELDS = {"created_date"}
PACKAGE_ORDER = ("type", "namespace", "name", "version")
DEPENDENCY_ORDER = (*PACKAGE_ORDER, "datasource_id")


def _packages(project_id: int) -> Iterator[dict]:
    return data.iter_ordered(DiscoveredPackage, project_id, PACKAGE_ORDER)


def _dependencies(project_id: int) -> Iterator[dict]:
    return data.iter_ordered(DiscoveredDependency, project_id, DEPENDENCY_ORDER)


def _resources(project_id: int) -> Iterator[dict]:
    return data.iter_ordered(
        CodebaseResource, project_id, ("path",), CodebaseResource.type != "symlink"
    )


def _messages(project_id: int) -> Iterator[dict]:
    return data.iter_model("message", project_id)


#: Zip member -> (columns, rows of a project), in ScanCode.io's order of its files.
FILES = {
    "discoveredpackage.csv": (PACKAGE_FIELDS, _packages),
    "discovereddependency.csv": (DEPENDENCY_FIELDS, _dependencies),
    "codebaseresource.csv": (RESOURCE_FIELDS, _resources),
    "projectmessage.csv": (MESSAGE_FIELDS, _messages),
}


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the zip of the project's CSV files to ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in FILES.items():
            with archive.open(name, "w", force_zip64=True) as member:
                write_csv(member, columns, rows(project_id))


def write_csv(target: BinaryIO, columns: tuple[str, ...], rows: Iterable[dict]) -> None:
    """Write a header of ``columns`` then one line per row (UTF-8, CRLF as csv writes it)."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        values = shaped(row, columns)
        writer.writerow([cell(values[name], date=name in DATE_FIELDS) for name in columns])
    text.flush()
    text.detach()


def cell(value: Any, *, date: bool = False) -> Any:
    """Return a value as ScanCode.io writes it in a CSV cell (csv writes None as "")."""
    if isinstance(value, dict | list):
        return repr(jsonb_order(value))
    if date and isinstance(value, str) and value:
        return str(datetime.fromisoformat(value))
    return value


def jsonb_order(value: Any) -> Any:
    """Return ``value`` with each dict's keys in PostgreSQL ``jsonb`` order, recursively.

    ScanCode.io stores JSON fields as ``jsonb``, which keeps the keys of an object by length,
    then bytewise; its CSV cells show that order, scanapp's rows keep the toolkit's.
    """
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: jsonb_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [jsonb_order(item) for item in value]
    return value
