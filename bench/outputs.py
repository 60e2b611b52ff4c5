"""Benchmark: render every output format of a generated project; print time and peak RSS.

Usage: python bench/outputs.py [--resources 100000] [--packages 500] [--formats json,xlsx]

Generates a project (SQLite under a temporary workdirs) with N resources carrying typical
scan data, then renders each format in a fresh child process and reports its wall time and
the child's peak resident memory. Targets: JSON and XLSX under 60 s and 500 MB each.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDER = """
import sys
from scanapp.services.outputs import write_output
from scanapp.db import session_scope
from scanapp.models import Project
from sqlmodel import select
with session_scope() as session:
    uuid = session.exec(select(Project.uuid)).one()
path = write_output(uuid, sys.argv[1])
print(path.stat().st_size)
"""


def generate(resources: int, packages: int) -> None:
    """Store one project with ``resources`` files and ``packages`` packages, in bulk."""
    import sqlalchemy as sa

    from scanapp.db import get_engine, migrate
    from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage
    from tests.factories import make_project

    migrate()
    project = make_project("bench-100k")
    package_rows = [
        {
            "project_id": project.id, "uuid": f"{n:08d}-0000-4000-8000-000000000000",
            "purl": f"pkg:pypi/package-{n}@1.{n}", "type": "pypi", "name": f"package-{n}",
            "version": f"1.{n}", "package_uid": f"pkg:pypi/package-{n}@1.{n}?uuid={n}",
            "declared_license_expression": "mit OR apache-2.0",
            "declared_license_expression_spdx": "MIT OR Apache-2.0",
            "copyright": f"Copyright (c) {n} Example Authors", "sha1": f"{n:040x}",
            "license_detections": [], "keywords": [], "parties": [], "datasource_ids": [],
            "datafile_paths": [], "source_packages": [], "affected_by_vulnerabilities": [],
            "extra_data": {},
        }
        for n in range(packages)
    ]
    dependency_rows = [
        {
            "project_id": project.id, "purl": f"pkg:pypi/dep-{n}", "type": "pypi",
            "name": f"dep-{n}", "dependency_uid": f"pkg:pypi/dep-{n}?uuid={n}",
            "for_package_uid": package_rows[n % packages]["package_uid"], "scope": "install",
            "extra_data": {},
        }
        for n in range(packages * 2)
    ]
    engine = get_engine()
    with engine.begin() as connection:
        connection.execute(sa.insert(DiscoveredPackage), _full(DiscoveredPackage, package_rows))
        connection.execute(
            sa.insert(DiscoveredDependency), _full(DiscoveredDependency, dependency_rows)
        )
        defaults = _full(CodebaseResource, [{"project_id": project.id, "path": ""}])[0]
        for start in range(0, resources, 5000):
            batch = [
                {**defaults, **_resource(project.id, n, package_rows[n % packages]["package_uid"])}
                for n in range(start, min(start + 5000, resources))
            ]
            connection.execute(sa.insert(CodebaseResource), batch)


def _full(model, rows: list[dict]) -> list[dict]:
    """Return the rows with every column's default filled in (bulk inserts skip them)."""
    return [model(**row).model_dump(exclude={"id"}) for row in rows]


def _resource(project_id: int, n: int, package_uid: str) -> dict:
    license_detection = {
        "license_expression": "mit", "license_expression_spdx": "MIT",
        "identifier": f"mit-{n:x}",
        "matches": [{"score": 100.0, "start_line": 1, "end_line": 20, "matched_length": 161,
                     "match_coverage": 100.0, "matcher": "2-aho", "license_expression": "mit",
                     "rule_identifier": "mit.LICENSE", "rule_relevance": 100}],
    }
    return {
        "project_id": project_id, "path": f"src/module{n // 100}/file{n}.py", "type": "file",
        "name": f"file{n}.py", "extension": ".py", "size": 1000 + n, "md5": f"{n:032x}",
        "sha1": f"{n:040x}", "sha256": f"{n:064x}", "sha512": "", "mime_type": "text/x-python",
        "file_type": "Python script, ASCII text executable", "programming_language": "Python",
        "is_text": True, "status": "scanned", "detected_license_expression": "mit",
        "detected_license_expression_spdx": "MIT", "license_detections": [license_detection],
        "license_clues": [], "copyrights": [
            {"copyright": f"Copyright (c) 2024 Author {n}", "start_line": 1, "end_line": 1}
        ],
        "holders": [{"holder": f"Author {n}", "start_line": 1, "end_line": 1}],
        "authors": [], "emails": [{"email": f"a{n}@example.com", "start_line": 2, "end_line": 2}],
        "urls": [{"url": f"https://example.com/{n}", "start_line": 3, "end_line": 3}],
        "package_data": [], "for_packages": [package_uid], "extra_data": {},
    }


def measure(fmt: str, env: dict) -> tuple[float, float, int]:
    """Render ``fmt`` in a child process; return (seconds, peak RSS in MB, bytes written)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", RENDER, fmt], env=env, cwd=ROOT, stdout=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    size = child.stdout.read().decode().strip()
    child.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"rendering {fmt} failed")
    return elapsed, usage.ru_maxrss / 1024, int(size)


def main() -> None:
    """Generate the project, then render and measure each format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--formats", default="", help="comma-separated; default: every format")
    args = parser.parse_args()
    workdirs = tempfile.mkdtemp(prefix="scanapp-bench-outputs-")
    env = {**os.environ, "SCANAPP_WORKDIRS": workdirs, "SCANAPP_DATABASE_URL": "",
           "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from outputs.formats import FORMATS  # after the settings above: the project reads them

    formats = args.formats.split(",") if args.formats else list(FORMATS)
    started = time.perf_counter()
    generate(args.resources, args.packages)
    print(f"generated {args.resources} resources, {args.packages} packages "
          f"in {time.perf_counter() - started:.1f} s ({workdirs})")
    print(f"{'format':<12}{'seconds':>10}{'peak RSS MB':>14}{'size MB':>10}")
    for fmt in formats:
        seconds, rss, size = measure(fmt, env)
        print(f"{fmt:<12}{seconds:>10.1f}{rss:>14.0f}{size / 1e6:>10.1f}")


if __name__ == "__main__":
    main()
