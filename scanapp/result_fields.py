"""The keys of ScanCode.io's results, in its order: the ``json`` output, summaries, reports.

ScanCode.io 38 writes each package, dependency and file of ``results.json`` with these keys
in this order; scanapp writes the same, so a client reading one reads the other. Columns
scanapp keeps besides (a package's ``uuid`` and ``filename``, a dependency's purl parts)
are served by the API, not written into results.
"""

from __future__ import annotations

PACKAGE_FIELDS = (
    "purl", "type", "namespace", "name", "version", "qualifiers", "subpath", "tag",
    "primary_language", "description", "notes", "release_date", "parties", "keywords",
    "homepage_url", "download_url", "bug_tracking_url", "code_view_url", "vcs_url",
    "repository_homepage_url", "repository_download_url", "api_data_url", "size", "md5",
    "sha1", "sha256", "sha512", "copyright", "holder", "declared_license_expression",
    "declared_license_expression_spdx", "license_detections", "other_license_expression",
    "other_license_expression_spdx", "other_license_detections", "extracted_license_statement",
    "compliance_alert", "notice_text", "source_packages", "extra_data", "package_uid",
    "is_private", "is_virtual", "datasource_ids", "datafile_paths", "file_references",
    "missing_resources", "modified_resources", "affected_by_vulnerabilities",
)
DEPENDENCY_FIELDS = (
    "purl", "extracted_requirement", "scope", "is_runtime", "is_optional", "is_pinned",
    "is_direct", "dependency_uid", "for_package_uid", "resolved_to_package_uid",
    "datafile_path", "datasource_id", "package_type", "affected_by_vulnerabilities",
)
RESOURCE_FIELDS = (
    "path", "type", "name", "status", "for_packages", "tag", "extension", "size", "mime_type",
    "file_type", "programming_language", "detected_license_expression",
    "detected_license_expression_spdx", "license_detections", "license_clues",
    "percentage_of_license_text", "compliance_alert", "copyrights", "holders", "authors",
    "package_data", "emails", "urls", "md5", "sha1", "sha256", "sha512", "sha1_git",
    "is_binary", "is_text", "is_archive", "is_media", "is_legal", "is_manifest", "is_readme",
    "is_top_level", "is_key_file", "extra_data",
)
#: Values ScanCode.io writes as null when empty.
_NULL_WHEN_EMPTY = {"release_date"}


def shaped(row: dict, fields: tuple[str, ...]) -> dict:
    """Return ``row`` (a stored row as a dict) with exactly ``fields``, in their order."""
    return {name: (row.get(name) or None) if name in _NULL_WHEN_EMPTY else row.get(name)
            for name in fields}
