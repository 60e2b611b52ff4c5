"""ScanCode-compatible JSON results, written as a stream.

Top level: ``headers`` (one entry: tool, project, inputs, runs, messages), ``packages``,
``dependencies``, ``files`` and ``relations``. ``files`` entries carry the ScanCode toolkit's
file keys (path, type, sha1, detected_license_expression, license_detections, copyrights,
package_data, for_packages, ...), so ``load_inventory`` and ScanCode tools read it back.
"""

from __future__ import annotations

import io
import json
from typing import BinaryIO

from outputs import data
from outputs.jsonstream import write_list
from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's results as one JSON document to ``target``."""
    target.write(b"{")
    write_list(target, "headers", [data.project_header(project_id)], first=True)
    write_list(target, "packages", data.iter_rows(DiscoveredPackage, project_id))
    write_list(target, "dependencies", data.iter_rows(DiscoveredDependency, project_id))
    write_list(target, "files", data.iter_rows(CodebaseResource, project_id))
    write_list(target, "relations", data.iter_relations(project_id))
    target.write(b"\n}\n")


def document(project_id: int) -> dict:
    """Return the project's results as a dict (for webhook payloads: small projects)."""
    buffer = io.BytesIO()
    render(project_id, buffer, "")
    return json.loads(buffer.getvalue())
