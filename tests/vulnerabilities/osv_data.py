"""A small OSV dataset made for the tests: records as osv.dev publishes them."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path


def record(id_: str, ecosystem: str, name: str, *, modified="2024-05-01T00:00:00Z",
           ranges=(), versions=(), **more) -> dict:
    """Return an OSV record affecting one package."""
    affected = {"package": {"ecosystem": ecosystem, "name": name}}
    if ranges:
        affected["ranges"] = list(ranges)
    if versions:
        affected["versions"] = list(versions)
    return {"schema_version": "1.6.0", "id": id_, "modified": modified,
            "affected": [affected], **more}


def events(kind: str, *pairs) -> dict:
    """Return a range of ``kind`` from (event, version) pairs."""
    return {"type": kind, "events": [{event: version} for event, version in pairs]}


#: A PyPI record with ECOSYSTEM ranges and a CVE alias, an npm record with SEMVER ranges,
#: a withdrawn record, and a record of exact versions only.
RECORDS = [
    record("PYSEC-2023-1", "PyPI", "Requests",
           ranges=[events("ECOSYSTEM", ("introduced", "2.3.0"), ("fixed", "2.31.0"))],
           aliases=["CVE-2023-32681"], summary="Unintended leak of Proxy-Authorization header",
           severity=[{"type": "CVSS_V3",
                      "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N"}],
           references=[{"type": "ADVISORY",
                        "url": "https://github.com/psf/requests/security/advisories/"}]),
    record("GHSA-npm1-0000-0001", "npm", "left-pad",
           ranges=[events("SEMVER", ("introduced", "0"), ("fixed", "1.3.0"))],
           summary="left-pad before 1.3.0",
           severity=[{"type": "CVSS_V3",  # 7.5: high
                      "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"}]),
    record("GHSA-gone-0000-0002", "PyPI", "click", withdrawn="2024-06-01T00:00:00Z",
           ranges=[events("ECOSYSTEM", ("introduced", "0"))], summary="withdrawn"),
    record("PYSEC-2024-9", "PyPI", "idna", versions=["3.6"], summary="exact versions only"),
    # requests 2.32.3 is affected (CVE-2024-47081, fixed in 2.32.4).
    record("GHSA-9hjg-9r4m-mvj7", "PyPI", "requests",
           ranges=[events("ECOSYSTEM", ("introduced", "0"), ("fixed", "2.32.4"))],
           aliases=["CVE-2024-47081"], summary="Requests .netrc credentials leak",
           severity=[{"type": "CVSS_V3",
                      "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:H/I:N/A:N"}]),
]


def write_zip(path: Path, records=RECORDS) -> Path:
    """Write ``records`` as osv.dev's ecosystem zips hold them: one ``ID.json`` each."""
    with zipfile.ZipFile(path, "w") as archive:
        for item in records:
            archive.writestr(f"{item['id']}.json", json.dumps(item))
    return path


def write_folder(path: Path, records=RECORDS) -> Path:
    """Write ``records`` as a folder of ``ID.json`` files."""
    path.mkdir(parents=True, exist_ok=True)
    for item in records:
        (path / f"{item['id']}.json").write_text(json.dumps(item))
    return path
