"""Load a ScanCode toolkit JSON scan or a scanapp JSON result into a project (streamed).

Both layouts are one JSON object with ``headers`` (the first entry names the tool),
``packages``, ``dependencies`` and ``files`` (and ``relations`` in scanapp's). Files are read
with ijson, one top-level array item at a time, so a scan of any size loads in bounded
memory: a first pass checks that the file is valid JSON of a known layout and collects the
package uids (nothing is written when it is not), a second pass writes rows in batches.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ijson
import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import (
    CodebaseRelation,
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    Project,
)
from scanapp.pipes import packages as packages_pipe
from scanapp.pipes import resources
from scanapp.statuses import ResourceStatus

BATCH_SIZE = 500
SECTIONS = ("headers", "packages", "dependencies", "files", "relations")
#: Header ``tool_name`` -> layout. ScanCode.io ("scanpipe") writes scanapp's layout.
TOOLS = {"scancode-toolkit": "scancode", "scanapp": "scanapp", "scanpipe": "scanapp"}
#: ScanCode file keys that are derived or per-scan counters: not kept.
DROPPED_FILE_KEYS = ("base_name", "files_count", "dirs_count", "size_count", "id", "project_id")
_FLAGS = ("is_legal", "is_readme", "is_manifest", "is_top_level", "is_key_file")


class InventoryError(Exception):
    """A file that is not a loadable scan: invalid JSON or an unknown layout."""


@dataclass
class ScanFile:
    """What the checking pass found in one scan file."""

    location: Path
    layout: str = ""
    tool: str = ""
    tool_version: str = ""
    counts: dict = field(default_factory=dict)
    package_uids: set = field(default_factory=set)
    header_extra: dict = field(default_factory=dict)
    header_errors: list = field(default_factory=list)


@dataclass
class LoadStats:
    """Rows written and items skipped by one load."""

    resources: int = 0
    packages: int = 0
    dependencies: int = 0
    relations: int = 0
    skipped: list = field(default_factory=list)


def iter_sections(handle) -> Iterator[tuple[str, object]]:
    """Yield ``(section, item)`` for each item of the top-level arrays, streamed.

    Also yields ``("", key)`` for every top-level key. Raise InventoryError when the
    document is not a JSON object; ijson raises on invalid JSON.
    """
    builder, item_prefix, section = None, "", ""
    started = False
    for prefix, event, value in ijson.parse(handle, use_float=True):
        if not started:
            if event != "start_map":
                raise InventoryError("not a JSON object")
            started = True
            continue
        if builder is not None:
            builder.event(event, value)
            if prefix == item_prefix and event in ("end_map", "end_array"):
                yield section, builder.value
                builder = None
        elif prefix == "" and event == "map_key":
            yield "", value
        elif prefix.endswith(".item") and prefix.count(".") == 1:
            section = prefix[: -len(".item")]
            if section not in SECTIONS:
                continue
            if event in ("start_map", "start_array"):
                builder, item_prefix = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            else:
                yield section, value


def check_scan(location: Path) -> ScanFile:
    """Read a whole scan once: its layout, counts and package uids; raise InventoryError."""
    scan = ScanFile(location=location)
    keys = []
    try:
        with open(location, "rb") as handle:
            for section, item in iter_sections(handle):
                if not section:
                    keys.append(item)
                    continue
                if not isinstance(item, dict):
                    raise InventoryError(f"{section} entries must be objects")
                scan.counts[section] = scan.counts.get(section, 0) + 1
                if section == "headers" and scan.counts[section] == 1:
                    _read_header(scan, item)
                elif section == "packages" and item.get("package_uid"):
                    scan.package_uids.add(item["package_uid"])
    except ijson.JSONError as error:
        raise InventoryError(f"invalid JSON: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InventoryError(f"cannot be read: {error}") from None
    _check_layout(scan, keys)
    return scan


def _read_header(scan: ScanFile, header: dict) -> None:
    scan.tool = str(header.get("tool_name") or "")
    scan.tool_version = str(header.get("tool_version") or "")
    scan.layout = TOOLS.get(scan.tool, "")
    if isinstance(header.get("extra_data"), dict):
        scan.header_extra = header["extra_data"]
    if isinstance(header.get("errors"), list):
        scan.header_errors = [str(error) for error in header["errors"]]


def _check_layout(scan: ScanFile, keys: list[str]) -> None:
    known = ", ".join(sorted(TOOLS))
    if "headers" not in keys or not scan.counts.get("headers"):
        raise InventoryError(
            "unknown layout: no headers (expected a ScanCode toolkit or scanapp JSON scan "
            "with headers, packages, dependencies and files)"
        )
    if not scan.layout:
        raise InventoryError(
            f"unknown layout: headers tool_name {scan.tool!r} is not one of: {known}"
        )
    if "files" not in keys:
        raise InventoryError(f"unknown layout: a {scan.tool} scan without files")


def iter_section(location: Path, wanted: str) -> Iterator[dict]:
    """Yield the items of one top-level array of a checked scan."""
    with open(location, "rb") as handle:
        for section, item in iter_sections(handle):
            if section == wanted:
                yield item


def _text_values(model, data: dict) -> dict:
    """Turn dicts/lists given for string columns into JSON text."""
    columns = model.__table__.columns
    for key, value in data.items():
        if key in columns and isinstance(value, dict | list):
            if isinstance(columns[key].type, sa.String):
                data[key] = json.dumps(value, ensure_ascii=False)
    return data


def resource_row(project_id: int, item: dict) -> dict:
    """Return the CodebaseResource values of a scan ``files`` entry."""
    data = {key: value for key, value in item.items() if key not in DROPPED_FILE_KEYS}
    path = str(data.get("path") or "").strip("/")
    name = data.get("name") or path.rsplit("/", 1)[-1]
    data.update(path=path, name=name)
    if data.get("type") != "directory":
        for flag, value in resources.classify(path, name).items():
            data.setdefault(flag, value)
    extra = dict(data.get("extra_data") or {})
    for key in ("is_source", "is_script"):
        if key in data:
            extra[key] = bool(data.pop(key))
    data["extra_data"] = extra
    if "status" not in item:
        data["status"] = _derived_status(data)
    data = _text_values(CodebaseResource, data)
    return packages_pipe.model_row(CodebaseResource, data, project_id)


def _derived_status(data: dict) -> str:
    """Return a status for a ScanCode toolkit file (the toolkit JSON has none)."""
    if data.get("type") != "file":
        return ""
    if data.get("scan_errors"):
        return ResourceStatus.SCANNED_WITH_ERROR
    if data.get("package_data"):
        return ResourceStatus.APPLICATION_PACKAGE
    return ResourceStatus.SCANNED


def package_row(project_id: int, item: dict) -> dict:
    """Return the DiscoveredPackage values of a scan ``packages`` entry (a new uuid)."""
    data = {key: value for key, value in item.items() if key not in ("uuid", "id", "project_id")}
    return packages_pipe.package_row(project_id, _text_values(DiscoveredPackage, data))


def dependency_row(project_id: int, item: dict, package_uids: set[str]) -> dict:
    """Return the DiscoveredDependency values of a scan ``dependencies`` entry."""
    data = {key: value for key, value in item.items() if key not in ("id", "project_id")}
    resolved = data.pop("resolved_to_package_uid", None)
    row = packages_pipe.dependency_row(
        project_id, _text_values(DiscoveredDependency, data), package_uids
    )
    if resolved and not row["resolved_to_package_uid"]:
        row["resolved_to_package_uid"] = resolved if resolved in package_uids else None
    return row


def existing_values(model, column, project_id: int, values: list) -> set:
    """Return which of ``values`` the project already has in ``column``."""
    if not values:
        return set()
    with session_scope() as session:
        rows = session.execute(
            select(column).where(model.project_id == project_id, column.in_(values))
        ).all()
    return {row[0] for row in rows}


def insert_new(model, key: str, rows: list[dict], project_id: int, stats: LoadStats) -> int:
    """Insert the rows whose ``key`` is not in the project yet; record the others as skipped."""
    seen = existing_values(model, getattr(model, key), project_id, [row[key] for row in rows])
    fresh, batch_keys = [], set()
    for row in rows:
        if row[key] in seen or row[key] in batch_keys:
            stats.skipped.append(f"{model.__tablename__} {row[key]!r} is already in the project")
            continue
        batch_keys.add(row[key])
        fresh.append(row)
    if fresh:
        with session_scope() as session:
            session.execute(sa.insert(model), fresh)
    return len(fresh)


def _batches(items: Iterator[dict], make_row, stats: LoadStats, kind: str) -> Iterator[list]:
    """Yield batches of rows; an entry that cannot be turned into a row is skipped."""
    batch = []
    for number, item in enumerate(items, start=1):
        try:
            batch.append(make_row(item))
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            stats.skipped.append(f"{kind} #{number}: {error}")
            continue
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def load_scan(project_id: int, scan: ScanFile, progress=None) -> LoadStats:
    """Write the resources, packages, dependencies and relations of a checked scan."""
    stats = LoadStats()
    uids = scan.package_uids | existing_package_uids(project_id)
    location = scan.location
    for batch in _batches(
        iter_section(location, "files"), lambda i: resource_row(project_id, i), stats, "file"
    ):
        stats.resources += insert_new(CodebaseResource, "path", batch, project_id, stats)
        if progress:
            progress(stats.resources)
    for batch in _batches(
        iter_section(location, "packages"), lambda i: package_row(project_id, i), stats, "package"
    ):
        stats.packages += insert_new(DiscoveredPackage, "package_uid", batch, project_id, stats)
    for batch in _batches(
        iter_section(location, "dependencies"),
        lambda i: dependency_row(project_id, i, uids),
        stats,
        "dependency",
    ):
        stats.dependencies += insert_new(
            DiscoveredDependency, "dependency_uid", batch, project_id, stats
        )
    stats.relations = load_relations(project_id, iter_section(location, "relations"), stats)
    store_header(project_id, scan, stats)
    return stats


def existing_package_uids(project_id: int) -> set[str]:
    """Return the package uids the project already has."""
    with session_scope() as session:
        rows = session.execute(
            select(DiscoveredPackage.package_uid).where(DiscoveredPackage.project_id == project_id)
        ).all()
    return {row[0] for row in rows}


def load_relations(project_id: int, items: Iterator[dict], stats: LoadStats) -> int:
    """Store relations between loaded resources, found by path; others are skipped."""
    count = 0
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            count += _store_relations(project_id, batch, stats)
            batch = []
    return count + (_store_relations(project_id, batch, stats) if batch else 0)


def _store_relations(project_id: int, batch: list[dict], stats: LoadStats) -> int:
    paths = {str(item.get(key) or "") for item in batch for key in ("from_resource", "to_resource")}
    with session_scope() as session:
        ids = dict(
            session.execute(
                select(CodebaseResource.path, CodebaseResource.id).where(
                    CodebaseResource.project_id == project_id, CodebaseResource.path.in_(paths)
                )
            ).all()
        )
    rows = []
    for item in batch:
        source, target = ids.get(item.get("from_resource")), ids.get(item.get("to_resource"))
        if not source or not target or not item.get("map_type"):
            stats.skipped.append(
                f"relation {item.get('from_resource')!r} -> {item.get('to_resource')!r}: "
                "unknown resource or no map_type"
            )
            continue
        rows.append(
            {
                "project_id": project_id,
                "from_resource_id": source,
                "to_resource_id": target,
                "map_type": str(item["map_type"])[:30],
                "score": item.get("score"),
                "extra_data": item.get("extra_data") or {},
            }
        )
    if rows:
        with session_scope() as session:
            session.execute(sa.insert(CodebaseRelation), rows)
    return len(rows)


def store_header(project_id: int, scan: ScanFile, stats: LoadStats) -> None:
    """Record the loaded scan on the project; keep the header's extra_data it does not have."""
    record = {
        "filename": scan.location.name,
        "tool_name": scan.tool,
        "tool_version": scan.tool_version,
        "resources": stats.resources,
        "packages": stats.packages,
        "dependencies": stats.dependencies,
        "relations": stats.relations,
    }
    with session_scope() as session:
        project = session.get(Project, project_id)
        extra = dict(project.extra_data or {})
        if scan.layout == "scanapp":
            for key, value in scan.header_extra.items():
                extra.setdefault(key, value)
        extra["loaded_inventories"] = [*extra.get("loaded_inventories", []), record]
        project.extra_data = extra


def check_inputs(context, names: list[str]) -> list[ScanFile]:
    """Check every input scan file; record a message and raise on the first bad one."""
    scans = []
    for name in names:
        location = context.workdir.input / name
        try:
            scans.append(check_scan(location))
        except InventoryError as error:
            text = f"{name}: {error}"
            context.add_message(text, model="load_inventory", details={"input": name})
            raise InventoryError(text) from None
    return scans


def load_into_project(context, scan: ScanFile) -> LoadStats:
    """Load one checked scan, log its counts and record skipped entries as warnings."""
    total = scan.counts.get("files", 0)
    started = time.monotonic()
    stats = load_scan(
        context.project_id,
        scan,
        progress=lambda done: context.set_progress(done, total, started),
    )
    for error in scan.header_errors[:100]:
        context.add_message(
            f"{scan.location.name}: scan error: {error}", severity="warning", model="load_inventory"
        )
    for skipped in stats.skipped[:1000]:
        context.add_message(
            f"{scan.location.name}: skipped {skipped}", severity="warning", model="load_inventory"
        )
    context.log(
        f"Loaded {scan.location.name} ({scan.tool} {scan.tool_version}): "
        f"{stats.resources} resources, {stats.packages} packages, "
        f"{stats.dependencies} dependencies, {stats.relations} relations"
    )
    return stats
