"""scancode-toolkit's codebase-level steps, run on the per-file results stored in the database.

Files are scanned one by one (``scanapp.pipes.scancode``); what scancode then computes over
the whole codebase is computed here, by the toolkit's own plugins, on a commoncode
``Codebase`` over codebase/ loaded from the stored rows (never a second scan):

1. packages (``PackageScanner.process_codebase``): manifests and lockfiles become packages
   and dependencies, files are assigned to packages, and a "see LICENSE" of a manifest is
   resolved to the referenced file's license; a package read from an archive that was
   extracted is dropped when the same package was read from its extracted files (a wheel
   and its ``METADATA``), the archive joining it; the dependencies of a package's own
   manifest that assembly leaves out (an sdist's ``Requires-Dist``) are added;
2. licenses (``LicenseScanner.process_codebase``): the other "see LICENSE" references are
   followed, in the same folder then at the root, and every match gets its ``from_file``;
   a file whose reference the package step resolved gets the expression of its resolved
   detections (the toolkit leaves ``unknown-license-reference`` there: docs/fidelity.md);
3. classification (the ``--classify`` plugin): ``is_legal``, ``is_readme``, ``is_manifest``,
   ``is_top_level`` and ``is_key_file``, relative to the package roots.

The steps run in the toolkit's order; what they changed is written back in batches.
"""

from __future__ import annotations

import json
from pathlib import Path

import attr
import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource
from scanapp.pipes import chunked, packages, resources
from scanapp.pipes.extract import EXTRACT_SUFFIX

BATCH_SIZE = 500
LICENSE_FIELDS = (
    "license_detections",
    "license_clues",
    "detected_license_expression",
    "detected_license_expression_spdx",
)
PACKAGE_FIELDS = ("package_data", *LICENSE_FIELDS, "for_packages")
#: The fields the steps may change on a loaded file, written back when they do.
CHANGED_FIELDS = (*LICENSE_FIELDS, "package_data")
CLASSIFICATION_FIELDS = ("is_legal", "is_readme", "is_manifest", "is_top_level", "is_key_file")


def _list_field():
    return attr.ib(default=attr.Factory(list), repr=False)


def build_codebase(codebase_dir: Path, project_id: int | None = None):
    """Return a commoncode Codebase over ``codebase_dir`` with the attributes the steps use.

    With ``project_id``, the stored resources commoncode skips when it walks the folder
    (``.gitignore``, ``.git/``... : VCS files) are added, so they join their package too.
    """
    from commoncode.resource import Codebase

    resource_attributes = {
        "package_data": _list_field(),
        "license_detections": _list_field(),
        "license_clues": _list_field(),
        "detected_license_expression": attr.ib(default=None),
        "detected_license_expression_spdx": attr.ib(default=None),
        "percentage_of_license_text": attr.ib(default=0),
        "for_packages": _list_field(),
        "copyrights": _list_field(),
        "holders": _list_field(),
        "authors": _list_field(),
        **{name: attr.ib(default=False) for name in (*CLASSIFICATION_FIELDS, "is_community")},
    }
    codebase_attributes = {
        "packages": _list_field(),
        "dependencies": _list_field(),
        "license_detections": _list_field(),
    }
    codebase = Codebase(
        location=str(codebase_dir),
        resource_attributes=resource_attributes,
        codebase_attributes=codebase_attributes,
    )
    if project_id is not None:
        add_skipped_resources(codebase, project_id)
    return codebase


def add_skipped_resources(codebase, project_id: int) -> int:
    """Add the project's stored resources the codebase walk skipped; return how many.

    commoncode always skips VCS files when it walks a folder, and its ``paths=`` option
    (which does not) attaches resources to the wrong parents, so the missing resources
    are created one by one under their parents (``_get_or_create_resource`` is the only
    way commoncode offers).
    """
    root = codebase.root.path
    added = 0
    rows = resources.iter_resources(
        project_id, CodebaseResource.path, CodebaseResource.type, files_only=False
    )
    for _, path, kind in sorted(rows, key=lambda row: row[1].split("/")):
        if codebase.get_resource(f"{root}/{path}") is not None:
            continue
        parent_path, _, name = f"{root}/{path}".rpartition("/")
        parent = codebase.get_resource(parent_path)
        if parent is None or parent.is_file:
            continue
        codebase._get_or_create_resource(name=name, parent=parent, is_file=kind == "file")
        added += 1
    return added


def _empty(name: str, stored: bool = False):
    """Return the empty value of a field: on a codebase resource, or ``stored`` in a row."""
    if name.startswith("detected_"):
        return "" if stored else None
    return []


def _state(resource, names) -> tuple:
    return tuple(json.dumps(getattr(resource, name), sort_keys=True) for name in names)


def load_scan_data(codebase, project_id: int, where: tuple = ()) -> dict[str, tuple]:
    """Load what the steps read into ``codebase``; return the license fields as loaded.

    The license fields of every licensed file, the package data of the package files
    matching ``where``. The returned states are keyed by codebase path.
    """
    root = codebase.root.path
    package_files = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        sa.cast(CodebaseResource.package_data, sa.Text) != "[]",
        *where,
    )
    licensed_files = select(CodebaseResource).where(
        CodebaseResource.project_id == project_id,
        sa.or_(sa.cast(CodebaseResource.license_detections, sa.Text) != "[]",
               sa.cast(CodebaseResource.license_clues, sa.Text) != "[]"),
    )
    loaded = {}
    with session_scope() as session:
        for statement, names in ((licensed_files, LICENSE_FIELDS), (package_files, PACKAGE_FIELDS)):
            for row in session.exec(statement).yield_per(BATCH_SIZE):
                resource = codebase.get_resource(f"{root}/{row.path}")
                if resource is None:
                    continue
                for name in names:
                    setattr(resource, name, getattr(row, name) or _empty(name))
                codebase.save_resource(resource)
                loaded[resource.path] = _state(resource, CHANGED_FIELDS)
    return loaded


def process_licenses(codebase, loaded: dict[str, tuple]) -> None:
    """Follow license references and set ``from_file``: the toolkit's license post-scan.

    Then each loaded file's expression is made the combination of its detections' again.
    """
    from licensedcode.plugin_license import LicenseScanner

    LicenseScanner().process_codebase(
        codebase, license_text=True, license_diagnostics=True, license_text_diagnostics=True
    )
    for path in loaded:
        resource = codebase.get_resource(path)
        if resource is not None and resource.license_detections:
            _combine_detections(resource)
            codebase.save_resource(resource)


def _combine_detections(resource) -> None:
    """Set the expression of ``resource`` from its detections, as the license scan does."""
    from licensedcode.cache import build_spdx_license_expression, get_cache
    from packagedcode.utils import combine_expressions

    expressions = [item["license_expression"] for item in resource.license_detections
                   if item.get("license_expression")]
    licensing = get_cache().licensing
    combined = str(combine_expressions(expressions, relation="AND", unique=True,
                                       licensing=licensing)) if expressions else None
    if combined and combined != resource.detected_license_expression:
        resource.detected_license_expression = combined
        resource.detected_license_expression_spdx = str(
            build_spdx_license_expression(combined, licensing=licensing)
        )


def process_packages(codebase) -> None:
    """Assemble packages and dependencies, then drop the archive duplicates."""
    from packagedcode.plugin_package import PackageScanner

    PackageScanner().process_codebase(codebase, strip_root=True)
    drop_archive_duplicates(codebase)
    add_manifest_dependencies(codebase)


def _identity(package: dict) -> tuple:
    return tuple(package.get(key) or "" for key in ("type", "namespace", "name", "version"))


def drop_archive_duplicates(codebase) -> list[str]:
    """Drop the packages read from an archive whose extracted files give the same package.

    A wheel, a jar or a gem is parsed as a package and so are the manifests extracted from
    it: one package, two records. The record from the extracted files (richer: file
    references, license files) is kept and the archive is assigned to it. Return the
    package_uids dropped.
    """
    attributes = codebase.attributes
    by_identity: dict[tuple, list[dict]] = {}
    for package in attributes.packages:
        by_identity.setdefault(_identity(package), []).append(package)
    replaced: dict[str, str] = {}
    for group in by_identity.values():
        for package in group:
            paths = package.get("datafile_paths") or []
            kept = next((other for other in group if other is not package
                         and _inside_extraction(other, paths)), None)
            if kept is not None and package["package_uid"] not in replaced.values():
                replaced[package["package_uid"]] = kept["package_uid"]
    if not replaced:
        return []
    attributes.packages = [item for item in attributes.packages
                           if item["package_uid"] not in replaced]
    attributes.dependencies = [item for item in attributes.dependencies
                               if item.get("for_package_uid") not in replaced]
    for resource in codebase.walk():
        if any(uid in replaced for uid in resource.for_packages or ()):
            uids = [replaced.get(uid, uid) for uid in resource.for_packages]
            resource.for_packages = list(dict.fromkeys(uids))
            codebase.save_resource(resource)
    return list(replaced)


def add_manifest_dependencies(codebase) -> int:
    """Report the dependencies a package's own manifest lists that assembly left out.

    The toolkit assembles an sdist from its ``PKG-INFO`` without its ``Requires-Dist``
    (requests' ``urllib3``, ``idna``...: the install requirements a vulnerability match
    needs). A dependency of a package's datafile is added when no dependency was yielded
    from that datafile and the package has none with the same purl and scope. Return how
    many were added.
    """
    from packagedcode.models import Dependency, PackageData

    attributes = codebase.attributes
    yielded = {item.get("datafile_path") for item in attributes.dependencies}
    root = codebase.root.path
    added = 0
    for package in attributes.packages:
        uid = package["package_uid"]
        known = {(item.get("purl"), item.get("scope")) for item in attributes.dependencies
                 if item.get("for_package_uid") == uid}
        for path in package.get("datafile_paths") or ():
            resource = None if path in yielded else codebase.get_resource(f"{root}/{path}")
            for data in (resource.package_data if resource is not None else ()):
                package_data = PackageData.from_dict(data)
                for item in Dependency.from_dependent_packages(
                    package_data.dependencies, path, package_data.datasource_id, uid
                ):
                    if (item.purl, item.scope) not in known:
                        known.add((item.purl, item.scope))
                        attributes.dependencies.append(item.to_dict())
                        added += 1
    return added


def _inside_extraction(package: dict, archive_paths: list[str]) -> bool:
    """Tell whether ``package`` was read from files extracted from one of ``archive_paths``."""
    folders = [f"{path}{EXTRACT_SUFFIX}/" for path in archive_paths]
    return any(path.startswith(folder) for path in package.get("datafile_paths") or ()
               for folder in folders)


def classify(codebase) -> None:
    """Set the key-file flags as ``scancode --classify`` does."""
    from summarycode.classify_plugin import FileClassifier

    FileClassifier().process_codebase(codebase, classify=True)


def store_changes(project_id: int, codebase, loaded: dict[str, tuple]) -> int:
    """Write back the license fields and package data the steps changed; return how many."""
    updates = []
    for path, before in loaded.items():
        resource = codebase.get_resource(path)
        if resource is None:
            continue
        after = _state(resource, CHANGED_FIELDS)
        changed = [name for name, old, new in zip(CHANGED_FIELDS, before, after, strict=True)
                   if old != new]
        if changed:
            updates.append((path, {name: getattr(resource, name) or _empty(name, stored=True)
                                   for name in changed}))
    return _write(project_id, codebase, updates)


def store_classification(project_id: int, codebase) -> int:
    """Write back the key-file flags that differ from the stored ones; return how many."""
    columns = [getattr(CodebaseResource, name) for name in CLASSIFICATION_FIELDS]
    root = codebase.root.path
    updates = []
    for row_id, path, *stored in resources.iter_resources(
        project_id, CodebaseResource.path, *columns, files_only=False
    ):
        resource = codebase.get_resource(f"{root}/{path}")
        if resource is None:
            continue
        found = [bool(getattr(resource, name)) for name in CLASSIFICATION_FIELDS]
        if found != [bool(value) for value in stored]:
            updates.append({"id": row_id, **dict(zip(CLASSIFICATION_FIELDS, found, strict=True))})
    for batch in chunked(updates, BATCH_SIZE):
        resources.bulk_update(batch)
    return len(updates)


def link_resources(project_id: int, codebase, package_files_status: str = "") -> int:
    """Store ``for_packages`` on the resources assigned to packages (and files' status)."""
    updates = []
    for resource in codebase.walk(topdown=True):
        if resource.for_packages:
            update = {"for_packages": list(resource.for_packages)}
            if package_files_status and resource.is_file:
                update["status"] = package_files_status
            updates.append((resource.path, update))
    return _write(project_id, codebase, updates)


def _write(project_id: int, codebase, updates: list[tuple[str, dict]]) -> int:
    """Write ``(codebase path, values)`` updates to the rows of those paths; return how many."""
    if not updates:
        return 0
    ids = dict(resources.iter_resources(project_id, CodebaseResource.path, files_only=False))
    by_path = {path: row_id for row_id, path in ids.items()}
    root = codebase.root.path + "/"
    rows = [{"id": by_path[path[len(root):]], **values} for path, values in updates
            if path.startswith(root) and path[len(root):] in by_path]
    for batch in chunked(rows, BATCH_SIZE):
        resources.bulk_update(batch)
    return len(rows)


def run_codebase_steps(
    project_id: int,
    codebase_dir: Path,
    *,
    where: tuple = (),
    package_files_status: str = "",
    classification: bool = True,
) -> dict:
    """Run the licenses, packages and classification steps; store what they found.

    Only the package data of the resources matching ``where`` is assembled. With
    ``package_files_status``, the files of a package get that status (``application-package``
    for a single package). Return the counts.
    """
    codebase = build_codebase(codebase_dir, project_id)
    loaded = load_scan_data(codebase, project_id, where)
    process_packages(codebase)
    process_licenses(codebase, loaded)
    found = codebase.attributes
    packages.store_packages(project_id, found.packages)
    uids = {item["package_uid"] for item in found.packages}
    packages.store_dependencies(project_id, found.dependencies, uids)
    counts = {
        "packages": len(found.packages),
        "dependencies": len(found.dependencies),
        "linked_resources": link_resources(project_id, codebase, package_files_status),
        "files_updated": store_changes(project_id, codebase, loaded),
    }
    if classification:
        classify(codebase)
        counts["classified"] = store_classification(project_id, codebase)
    return counts
