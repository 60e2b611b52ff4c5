"""ScanCode-compatible JSON results, written as a stream.

Top level: ``headers`` (one entry: tool, project, inputs, runs, messages), ``packages``,
``dependencies``, ``files`` and ``relations``; packages, dependencies and files with
ScanCode.io's keys in its order (``scanapp.result_fields``), so ``load_inventory``,
ScanCode.io and its clients read it back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from outputs import data
from outputs.jsonstream import iter_list
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage
from scanapp.result_fields import DEPENDENCY_FIELDS, PACKAGE_FIELDS, RESOURCE_FIELDS, shaped


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's results as one JSON document to ``target``."""
    for part in iter_render(project_id):
        target.write(part)


def iter_render(project_id: int) -> Iterator[bytes]:
    """Yield the bytes of the project's results document, rows read in batches as it goes."""
    yield b"{"
    yield from iter_list("headers", [data.project_header(project_id)], first=True)
    for key, model, fields in (
        ("packages", DiscoveredPackage, PACKAGE_FIELDS),
        ("dependencies", DiscoveredDependency, DEPENDENCY_FIELDS),
        ("files", CodebaseResource, RESOURCE_FIELDS),
    ):
        rows = data.iter_rows(model, project_id)
        yield from iter_list(key, (shaped(row, fields) for row in rows))
    yield from iter_list("relations", data.iter_relations(project_id))
    yield b"\n}\n"


def document(project_id: int) -> dict:
    """Return the project's results as a dict (for webhook payloads: small projects)."""
    buffer = io.BytesIO()
    render(project_id, buffer, "")
    return json.loads(buffer.getvalue())
