"""Golden facts taken from ScanCode.io 38.2.0's ``results.json`` and ``summary.json`` anchors.

The anchors live outside the repository (``../shared/anchors/scancodeio/``), so the facts
the golden tests compare are kept in ``tests/data/golden/``. The same ``facts_of`` reads
scanapp's own ``results.json`` and summary in the tests. Refresh them with::

    .venv/bin/python -m tests.fidelity.golden
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANCHORS = ROOT.parent / "shared" / "anchors" / "scancodeio"
GOLDEN = ROOT / "tests" / "data" / "golden"
#: input name -> (anchor folder, uploaded sdist in tests/data)
INPUTS = {
    "requests": ("small_requests-2.32.3_scan_single_package", "requests-2.32.3.tar.gz"),
    "click": ("medium_click-8.1.8_scan_single_package", "click-8.1.8.tar.gz"),
}
#: The policy of the reference runs, read back from their alerts.
REFERENCE_POLICIES = {
    "license_policies": [
        {"license_key": "mit", "compliance_alert": ""},
        {"license_key": "apache-2.0", "compliance_alert": ""},
        {"license_key": "bsd-new", "compliance_alert": "warning"},
        {"license_key": "unknown-license-reference", "compliance_alert": "error"},
    ],
    "license_clarity_thresholds": {80: "ok", 50: "warning", 0: "error"},
}

FILE_FACTS = (
    "type", "status", "name", "extension", "size", "sha1", "md5", "sha256", "sha1_git",
    "mime_type", "file_type", "programming_language", "is_binary", "is_text", "is_archive",
    "detected_license_expression", "detected_license_expression_spdx", "compliance_alert",
    "is_legal", "is_manifest", "is_readme", "is_top_level", "is_key_file",
    "license_detections", "license_clues", "package_data",
)
#: Per-file lists compared as (value, start line).
FILE_LISTS = (("copyrights", "copyright"), ("holders", "holder"), ("authors", "author"),
              ("emails", "email"), ("urls", "url"))
PACKAGE_FACTS = (
    "type", "namespace", "name", "version", "primary_language", "declared_license_expression",
    "declared_license_expression_spdx", "other_license_expression", "holder", "copyright",
    "homepage_url", "download_url", "bug_tracking_url", "code_view_url", "vcs_url",
    "datasource_ids", "datafile_paths", "compliance_alert", "parties", "keywords",
    "license_detections", "other_license_detections", "file_references",
)
DEPENDENCY_FACTS = (
    "extracted_requirement", "scope", "is_runtime", "is_optional", "is_pinned", "is_direct",
    "datasource_id", "package_type",
)
SUMMARY_FACTS = (
    "declared_license_expression", "license_clarity_score", "declared_holder",
    "primary_language", "other_license_expressions", "other_holders", "other_languages",
    "license_clarity_compliance_alert",
)
_UUID = re.compile(r"\?uuid=[0-9a-f-]+")


def _without_uuids(value):
    return json.loads(_UUID.sub("", json.dumps(value)))


def _file_facts(item: dict) -> dict:
    facts = {name: item.get(name) for name in FILE_FACTS}
    for name, key in FILE_LISTS:
        facts[name] = [[entry.get(key), entry.get("start_line")] for entry in item.get(name) or []]
    facts["for_packages"] = _without_uuids(item.get("for_packages") or [])
    return facts


def _dependency_key(item: dict) -> str:
    return f"{item['purl']} {item['datafile_path']}"


def _license_matches(summary: dict) -> dict:
    """Flatten ``license_matches`` to ``{"expression path": detections}``."""
    return {f"{expression} {path}": detections
            for expression, paths in (summary.get("license_matches") or {}).items()
            for path, detections in paths.items()}


def facts_of(results: dict, summary: dict) -> dict:
    """Return the compared facts of a ``results.json`` and its ``summary.json``."""
    extra = results["headers"][0]["extra_data"]
    return {
        "input": {name: extra.get(name) for name in
                  ("filename", "size", "md5", "sha1", "sha256", "sha512", "sha1_git")},
        "keys": {section: sorted({key for item in results[section] for key in item})
                 for section in ("files", "packages", "dependencies")},
        "files": {item["path"]: _file_facts(item) for item in results["files"]},
        "packages": {item["purl"]: {name: item.get(name) for name in PACKAGE_FACTS}
                     for item in results["packages"]},
        "dependencies": {
            _dependency_key(item): {
                **{name: item.get(name) for name in DEPENDENCY_FACTS},
                "for_package": _without_uuids(item.get("for_package_uid")),
            }
            for item in results["dependencies"]
        },
        "summary": {
            **{name: summary.get(name) for name in SUMMARY_FACTS},
            "key_files": [item["path"] for item in summary.get("key_files") or []],
            "key_files_alerts": [item.get("compliance_alert")
                                 for item in summary.get("key_files") or []],
            "key_files_packages": [item["purl"] for item in summary.get("key_files_packages")
                                   or []],
        },
        "license_matches": _license_matches(summary),
    }


def flatten(facts: dict) -> dict[tuple, object]:
    """Return ``{(section, key, field): value}`` so that differences are named one by one."""
    flat = {}
    for section, entries in facts.items():
        for key, value in entries.items():
            if isinstance(value, dict) and section not in ("license_matches",):
                for field, item in value.items():
                    flat[(section, key, field)] = item
            else:
                flat[(section, key, "")] = value
    return flat


def differences(ours: dict, theirs: dict) -> dict[tuple, tuple]:
    """Return ``{(section, key, field): (ours, theirs)}`` for every fact that differs.

    An entry only one side has is one difference ``(section, key, "")``, its value
    ``"present"`` on that side and None on the other.
    """
    found = {}
    for section in sorted(set(ours) | set(theirs)):
        mine, reference = ours.get(section) or {}, theirs.get(section) or {}
        for key in sorted(set(mine) ^ set(reference)):
            found[(section, key, "")] = ("present" if key in mine else None,
                                         "present" if key in reference else None)
    mine, reference = flatten(ours), flatten(theirs)
    for name in sorted(set(mine) & set(reference), key=str):
        if mine[name] != reference[name]:
            found[name] = (mine[name], reference[name])
    return found


def anchor_facts(name: str) -> dict:
    folder = ANCHORS / INPUTS[name][0]
    return facts_of(json.loads((folder / "results.json").read_text()),
                    json.loads((folder / "summary.json").read_text()))


def golden_facts(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text())


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        text = json.dumps(anchor_facts(name), indent=1, sort_keys=True)
        (GOLDEN / f"{name}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
