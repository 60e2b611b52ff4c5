"""Compact golden facts taken from ScanCode.io 38.2.0's ``results.json`` anchors.

The anchors live outside the repository (``../shared/anchors/scancodeio/``), so the facts
the golden tests compare are kept in ``tests/data/golden/``. Refresh them with::

    .venv/bin/python -m tests.fidelity.golden
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANCHORS = ROOT.parent / "shared" / "anchors" / "scancodeio"
GOLDEN = ROOT / "tests" / "data" / "golden"
#: input name -> (anchor folder, uploaded sdist in tests/data)
INPUTS = {
    "requests": ("small_requests-2.32.3_scan_single_package", "requests-2.32.3.tar.gz"),
    "click": ("medium_click-8.1.8_scan_single_package", "click-8.1.8.tar.gz"),
}


def facts_of(results: dict) -> dict:
    """The facts compared: input checksum, expression per path, packages with licenses."""
    return {
        "sha256": results["headers"][0]["extra_data"]["sha256"],
        "files": {item["path"]: item["detected_license_expression"] or ""
                  for item in results["files"]},
        "packages": sorted([item["purl"], item["declared_license_expression"] or ""]
                           for item in results["packages"]),
    }


def anchor_facts(name: str) -> dict:
    folder, _ = INPUTS[name]
    return facts_of(json.loads((ANCHORS / folder / "results.json").read_text()))


def golden_facts(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text())


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name in INPUTS:
        text = json.dumps(anchor_facts(name), indent=1, sort_keys=True)
        (GOLDEN / f"{name}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
