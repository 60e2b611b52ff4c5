"""Benchmark: load a generated OSV ecosystem export into the vulnerability database.

Usage::

    .venv/bin/python bench/vulndb.py [--records 200000] [--database sqlite|postgresql]

Writes ``--records`` OSV records (PyPI and npm, ECOSYSTEM and SEMVER ranges, listed
versions, aliases, CVSS vectors) into one zip as osv.dev publishes an ecosystem, then
loads it with ``scanapp vulndb load`` in a child process on a fresh database (SQLite in
a temporary folder, or the PostgreSQL database ``scanapp_bench_vulndb``, re-created) and
prints the load time and the child's peak RSS; then loads it again (every record already
stored: the time of a refresh that changes nothing). Last, it stores a project of
``--packages`` packages drawn from the records' (half PyPI, half npm; versions inside and
outside their ranges) and times find_vulnerabilities' package lookup on it.

Targets (issue 20): 200,000 records loaded with a peak RSS under 500 MB; the matching of
a project of 500 packages under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def generate(path: Path, count: int) -> None:
    """Write ``count`` OSV records into the zip ``path``."""
    chance = random.Random(20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(count):
            npm = number % 2 == 1
            low = chance.randrange(5)
            affected = {
                "package": {"ecosystem": "npm" if npm else "PyPI",
                            "name": f"package-{number % 20_000}" if npm
                            else f"lib-{number % 20_000}"},
                "ranges": [{"type": "SEMVER" if npm else "ECOSYSTEM", "events": [
                    {"introduced": f"{low}.0.0"}, {"fixed": f"{low + 1}.2.0"}]}],
                "versions": [] if npm else [f"{low}.0.{n}" for n in range(20)],
            }
            record = {
                "schema_version": "1.6.0", "id": f"BENCH-{number:07d}",
                "modified": "2024-05-01T00:00:00Z", "published": "2024-04-01T00:00:00Z",
                "aliases": [f"CVE-2024-{number:06d}"], "summary": f"Issue {number}",
                "details": "A generated record. " * 20,
                "severity": [{"type": "CVSS_V3",
                              "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                "affected": [affected],
                "references": [{"type": "WEB", "url": f"https://example.org/{number}"}],
            }
            archive.writestr(f"BENCH-{number:07d}.json", json.dumps(record))


def database_url(kind: str, workdirs: str, postgres_url: str) -> str:
    """Return a fresh database's URL."""
    if kind == "sqlite":
        return f"sqlite:///{workdirs}/scanapp.sqlite3"
    import sqlalchemy as sa

    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("DROP DATABASE IF EXISTS scanapp_bench_vulndb"))
        connection.execute(sa.text("CREATE DATABASE scanapp_bench_vulndb"))
    engine.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/scanapp_bench_vulndb"


def timed_load(env: dict, zip_path: Path) -> tuple[float, dict]:
    """Run ``scanapp vulndb load`` in a child; return its seconds and figures."""
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "scanapp"), "vulndb", "load", str(zip_path), "--json"],
                            env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(result.stdout.strip().splitlines()[-1])


class _Context:
    """What the lookup step needs of a run context."""

    pipeline_name = "find_vulnerabilities"

    def __init__(self, project_id: int):
        self.project_id = project_id

    def log(self, line: str) -> None:
        print(f"  {line}")

    def add_message(self, description: str, **_values) -> None:
        print(f"  message: {description}")


def match_project(packages: int) -> None:
    """Store a project of ``packages`` packages, then time the lookup of their records."""
    import sqlalchemy as sa

    from scanapp.db import get_engine
    from scanapp.models import DiscoveredPackage, Project
    from scanapp.pipes.vulnerabilities import lookup_packages

    chance = random.Random(5)
    with get_engine().begin() as connection:
        project_id = connection.execute(sa.insert(Project).values(
            Project(name="bench", slug="bench").model_dump(exclude={"id"}))
            .returning(Project.id)).scalar_one()
        defaults = DiscoveredPackage(project_id=0).model_dump(exclude={"id", "uuid",
                                                                       "package_uid"})
        rows = []
        for number in range(packages):
            npm = number % 2 == 1
            name = f"package-{chance.randrange(20_000)}" if npm else \
                f"lib-{chance.randrange(20_000)}"
            version = f"{chance.randrange(7)}.{chance.randrange(3)}.{chance.randrange(3)}"
            type_ = "npm" if npm else "pypi"
            rows.append({**defaults, "project_id": project_id, "type": type_, "name": name,
                         "version": version, "purl": f"pkg:{type_}/{name}@{version}",
                         "package_uid": f"pkg:{type_}/{name}@{version}?uuid={number}"})
        connection.execute(sa.insert(DiscoveredPackage), rows)
    started = time.perf_counter()
    vulnerable = lookup_packages(_Context(project_id))
    print(f"matched {packages} packages in {time.perf_counter() - started:.2f} s "
          f"({vulnerable} vulnerable)")


def main() -> None:
    """Generate, load twice, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    workdirs = tempfile.mkdtemp(prefix="scanapp-bench-vulndb-")
    zip_path = Path(workdirs) / "all.zip"
    started = time.perf_counter()
    generate(zip_path, args.records)
    print(f"generated {args.records} records ({zip_path.stat().st_size / 1e6:.0f} MB zip) "
          f"in {time.perf_counter() - started:.0f} s")
    env = {**os.environ, "SCANAPP_WORKDIRS": workdirs,
           "SCANAPP_DATABASE_URL": database_url(args.database, workdirs, args.postgres_url)}
    subprocess.run([str(BIN / "scanapp"), "vulndb", "stats"], env=env, check=True,
                   capture_output=True)  # the schema made first: not in the load's time
    seconds, figures = timed_load(env, zip_path)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{args.database}: loaded in {seconds:.1f} s, peak RSS {peak:.0f} MB: {figures}")
    seconds, figures = timed_load(env, zip_path)
    print(f"{args.database}: loaded again in {seconds:.1f} s: {figures}")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from bench.vulndb import "
            "match_project; match_project(int(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(args.packages)], env=env,
                   check=True)


if __name__ == "__main__":
    main()
