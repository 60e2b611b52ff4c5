"""The license post-scan of files already scanned and packages already assembled.

For pipelines that assemble packages before scanning files for licenses (ScanCode.io's
root filesystem and image pipelines): once every file is scanned, the toolkit's license
step follows the "see LICENSE" references (in the same folder, beside the manifests of the
file's packages, then at the root) and gives each match its ``from_file``; then the files
are classified (legal, readme, manifest, top-level, key file) relative to the package roots.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage
from scanapp.pipes import postscan

#: What the license step reads of a package.
PACKAGE_KEYS = (
    "package_uid", "datafile_paths", "declared_license_expression",
    "declared_license_expression_spdx", "license_detections",
)


def _load_packages(codebase, project_id: int) -> None:
    """Put the stored packages and the files' ``for_packages`` on the codebase."""
    root = codebase.root.path
    with session_scope() as session:
        packages = session.exec(
            select(*(getattr(DiscoveredPackage, name) for name in PACKAGE_KEYS)).where(
                DiscoveredPackage.project_id == project_id
            )
        ).all()
        linked = session.exec(
            select(CodebaseResource.path, CodebaseResource.for_packages).where(
                CodebaseResource.project_id == project_id,
                sa.cast(CodebaseResource.for_packages, sa.Text) != "[]",
            )
        ).all()
    # Only packages read from a datafile: the toolkit looks their license up there.
    codebase.attributes.packages = [
        dict(zip(PACKAGE_KEYS, row, strict=True)) for row in packages if row[1]
    ]
    for path, uids in linked:
        resource = codebase.get_resource(f"{root}/{path}")
        if resource is not None:
            resource.for_packages = list(uids or [])
            codebase.save_resource(resource)


def collect_license_detections(project_id: int, codebase_dir: Path) -> dict:
    """Follow the license references of the scanned files; classify the files.

    Return the counts of files whose license fields and key-file flags changed.
    """
    codebase = postscan.build_codebase(codebase_dir, project_id)
    loaded = postscan.load_scan_data(codebase, project_id)
    _load_packages(codebase, project_id)
    postscan.process_licenses(codebase, loaded)
    counts = {"files_updated": postscan.store_changes(project_id, codebase, loaded)}
    postscan.classify(codebase)
    counts["classified"] = postscan.store_classification(project_id, codebase)
    return counts
