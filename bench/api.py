"""Benchmark: read endpoints of a generated project under concurrent clients; p50/p99 each.

Usage::

    .venv/bin/python bench/api.py [--resources 100000] [--clients 4] [--requests 200]
                                  [--database sqlite|postgresql|both] [--no-vacuum]
    .venv/bin/python bench/api.py --pages [--resources 100000] [...]
    .venv/bin/python bench/api.py --portfolio 1000 [--packages-per-project 500] [...]

Generates one project of N resources (``bench/outputs.py``'s generator) in fresh work
directories, on SQLite or on a fresh PostgreSQL database (``--postgres-url``, default the
local ``test`` server; the database ``scanapp_bench_api`` is re-created). Then it refreshes
the planner statistics as the end of a run does (PostgreSQL's ANALYZE) and, on PostgreSQL,
vacuums as autovacuum does soon after a bulk load (``--no-vacuum``: not, so the pages far
down a list are read without index-only scans). It serves the project with ``scanapp serve``
(gunicorn, 2 workers) on 127.0.0.1 and times the first project detail (the counts computed
and stored: the generator writes rows as no run does). Then ``--clients`` threads send
``--requests`` requests to each read endpoint, after a first one (timed too: it computes
and keeps the length of a long filtered list, the anchors of pages far down); it prints the
median and 99th percentile latency of each. Last, it downloads ``results/`` and prints the
time, the time to its first byte and the server's peak memory, beside its value before: the
summed RSS of gunicorn's master and workers (a page they share counts once per process),
their summed PSS (shared pages divided among them: the memory the server takes) and the RSS
of the largest.

``--pages`` measures the web pages instead (issue 21): the project's directories are stored
too, and the first file's text written, so that the resource tree and the file viewer have
something to show; then what a run's end does (alerts, package summary, counts). Target:
every page under 200 ms at 100,000 resources.

Targets (issue 17): p99 at most 50 ms at 100,000 resources; at 1,000,000 resources p99 at
most 100 ms and ``results/`` streamed with the server's peak memory under 300 MB.

``--portfolio N`` measures the questions across projects instead (issue 19): N projects of
``--packages-per-project`` packages and as many dependencies each, drawn from a pool of
20,000 packages (maven with namespaces, npm, pypi; ten versions each; log4j-core 2.x in one
project of ten), then the package search, a package, its dependents and the stats. Target:
the package search p99 at most 100 ms over 1,000 projects of 500 packages.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: The read endpoints measured, ``{uuid}`` being the project's, ``{middle}`` its middle page.
ENDPOINTS = (
    "/api/projects/",
    "/api/projects/{uuid}/",
    "/api/projects/{uuid}/resources/",
    "/api/projects/{uuid}/resources/?page={middle}",
    "/api/projects/{uuid}/resources/?programming_language=Python",
    "/api/projects/{uuid}/packages/",
    "/api/projects/{uuid}/dependencies/",
    "/api/projects/{uuid}/messages/",
    "/api/projects/{uuid}/resources/?path=src/module0/file0.py",
    "/api/pipelines/",
)

#: The web pages measured with ``--pages`` (issue 21: each under 200 ms at 100,000 resources).
PAGE_ENDPOINTS = (
    "/projects/",
    "/projects/{uuid}/",
    "/projects/{uuid}/runs",
    "/projects/{uuid}/charts",
    "/projects/{uuid}/resources/",
    "/projects/{uuid}/resources/src",
    "/projects/{uuid}/resources/src?page=10",
    "/projects/{uuid}/resources/src/module500",
    "/projects/{uuid}/resources/src/module0/file0.py",
    "/projects/{uuid}/packages",
    "/projects/{uuid}/packages?page=5",
    "/projects/{uuid}/packages?name=package-42",
    "/projects/{uuid}/dependencies",
    "/projects/{uuid}/compliance",
    "/projects/{uuid}/vulnerabilities",
    "/projects/{uuid}/downloads",
    "/projects/{uuid}/webhooks",
    "/packages/",
    "/packages/?purl=pkg:pypi/package-42",
    "/compare/",
    "/api/docs/",
)

LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core"
#: The questions across projects measured with ``--portfolio``.
PORTFOLIO_ENDPOINTS = (
    f"/api/packages/?purl={LOG4J}",
    f"/api/packages/?purl={LOG4J}&version_range=vers:maven/>=2.0|<2.17",
    "/api/packages/?purl=pkg:npm/package-123",
    "/api/packages/?purl=pkg:pypi/lib-77@1.7",
    "/api/packages/?name=lib-42",
    "/api/packages/?purl=pkg:maven/org.example.g7",
    "/api/packages/?type=npm&license=apache-2.0",
    "/api/packages/?compliance_alert=error",
    "/api/packages/",
    "/api/packages/maven/org.apache.logging.log4j%2Flog4j-core/",
    "/api/packages/maven/org.apache.logging.log4j%2Flog4j-core/versions/2.12.1/",
    "/api/packages/npm/package-123/dependents/",
    "/api/stats/",
)


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(kind: str, postgres_url: str) -> str:
    """Return the database URL to generate into ("" is SQLite under the work directories)."""
    if kind == "sqlite":
        return ""
    admin = postgres_url.rsplit("/", 1)[0]
    name = "scanapp_bench_api"
    import psycopg

    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql"),
                         autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return f"{admin}/{name}"


def vacuum(url: str) -> float:
    """VACUUM the PostgreSQL database (what autovacuum does after a bulk load); return seconds."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM")
    return time.perf_counter() - started


def generate_in_child(env: dict, resources: int, tree: bool = False) -> str:
    """Generate the project in a child process (its own settings); return the project uuid.

    ``tree``: also the directories of the files and the text of the first one, as a scan
    stores them (the pages browse them).
    """
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from bench.outputs import generate;"
        "generate(int(sys.argv[2]), 500);"
        + ("from bench.api import add_tree; add_tree();" if tree else "") +
        "from scanapp.services.counts import analyze_results; analyze_results();"
        "from scanapp.db import session_scope; from scanapp.models import Project;"
        "from sqlmodel import select\n"
        "with session_scope() as s: print(s.exec(select(Project.uuid)).one())"
    )
    found = subprocess.run([sys.executable, "-c", code, str(ROOT), str(resources)], env=env,
                           cwd=ROOT, capture_output=True, text=True, check=True)
    return found.stdout.split()[-1]


def wait_ready(base: str, server: subprocess.Popen) -> None:
    """Wait until the server answers its health check."""
    for _ in range(300):
        if server.poll() is not None:
            raise SystemExit("scanapp serve exited")
        try:
            urllib.request.urlopen(f"{base}/api/health/", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("scanapp serve did not answer")


def timed_get(url: str, timeout: float = 120, first_byte: list | None = None) -> float:
    """GET ``url`` to the end; return the seconds it took (to the first byte in ``first_byte``)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read(1)
        if first_byte is not None:
            first_byte.append(time.perf_counter() - started)
        while response.read(1 << 16):
            pass
    return time.perf_counter() - started


def percentiles(values: list[float]) -> tuple[float, float]:
    """Return (p50, p99) in milliseconds."""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def tree_memory(pid: int) -> tuple[int, int, int]:
    """Return (summed RSS, summed PSS, largest RSS) in bytes of ``pid`` and its children."""
    rss, pss, largest, pending = 0, 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                values = dict(line.split()[:2] for line in handle if line.split()[0] in
                              ("Rss:", "Pss:"))
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
        rss += int(values["Rss:"]) * 1024
        pss += int(values["Pss:"]) * 1024
        largest = max(largest, int(values["Rss:"]) * 1024)
    return rss, pss, largest


def stream_results(base: str, uuid: str, server_pid: int) -> tuple[float, float, list[int]]:
    """Download ``results/`` once; return (seconds, seconds to the first byte, peaks).

    The peaks: of the server tree's summed RSS, summed PSS and its largest process's RSS.
    """
    peak, done = [0, 0, 0], threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[:] = [max(pair) for pair in zip(peak, tree_memory(server_pid), strict=True)]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    first_byte: list[float] = []
    seconds = timed_get(f"{base}/api/projects/{uuid}/results/", timeout=600, first_byte=first_byte)
    done.set()
    sampler.join()
    return seconds, first_byte[0], peak


@contextlib.contextmanager
def serving(kind: str, env: dict, workdirs: str):
    """Run ``scanapp serve`` (2 workers) on a free port; yield its base URL and process."""
    port = free_port()
    log = Path(workdirs) / "serve.log"
    with open(log, "wb") as handle:
        server = subprocess.Popen([str(BIN / "scanapp"), "serve", "--port", str(port)],
                                  env=env, stdout=handle, stderr=subprocess.STDOUT)
    print(f"{kind}: server log {log}")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still busy with a request
            server.kill()
            server.wait()


def measure(base: str, endpoints, args, **values) -> None:
    """Print the first, p50 and p99 latency of each endpoint under ``--clients`` threads."""
    width = max(len(endpoint) for endpoint in endpoints) + 2
    print(f"{'endpoint':<{width}}{'first ms':>9}{'p50 ms':>9}{'p99 ms':>9}")
    with ThreadPoolExecutor(args.clients) as pool:
        for endpoint in endpoints:
            url = base + endpoint.format(**values)
            try:
                first = timed_get(url) * 1000  # warms up (lengths and anchors kept)
            except urllib.error.HTTPError as error:
                print(f"{endpoint:<{width}}  answers {error.code}: not measured")
                continue
            times = list(pool.map(timed_get, [url] * args.requests))
            p50, p99 = percentiles(times)
            print(f"{endpoint:<{width}}{first:>9.1f}{p50:>9.1f}{p99:>9.1f}")


def environment(kind: str, args) -> tuple[dict, str]:
    """Return the environment of a fresh work directory and database, and the folder."""
    workdirs = tempfile.mkdtemp(prefix=f"scanapp-bench-api-{kind}-")
    return {**os.environ, "SCANAPP_WORKDIRS": workdirs, "PYTHONPATH": str(ROOT),
            "SCANAPP_DATABASE_URL": database_url(kind, args.postgres_url)}, workdirs


def run(kind: str, args) -> None:
    """Generate, serve and measure on one database."""
    env, workdirs = environment(kind, args)
    started = time.perf_counter()
    uuid = generate_in_child(env, args.resources, tree=args.pages)
    print(f"{kind}: generated {args.resources} resources in {time.perf_counter() - started:.0f} s")
    if kind == "postgresql" and not args.no_vacuum:
        print(f"{kind}: vacuumed in {vacuum(env['SCANAPP_DATABASE_URL']):.0f} s")
    with serving(kind, env, workdirs) as (base, server):
        first = timed_get(f"{base}/api/projects/{uuid}/") * 1000
        print(f"{kind}: first project detail (counts computed and stored) {first:.0f} ms")
        if args.pages:
            first = timed_get(f"{base}/projects/{uuid}/") * 1000
            print(f"{kind}: first project page {first:.0f} ms")
            measure(base, PAGE_ENDPOINTS, args, uuid=uuid)
            return
        measure(base, ENDPOINTS, args, uuid=uuid, middle=max(1, args.resources // 100))
        before = tree_memory(server.pid)
        seconds, first_byte, peak = stream_results(base, uuid, server.pid)
        names = ("summed RSS", "summed PSS", "largest process RSS")
        memory = ", ".join(f"{name} {high / 1024**2:.0f} MiB (before {low / 1024**2:.0f})"
                           for name, high, low in zip(names, peak, before, strict=True))
        print(f"results/: {seconds:.1f} s, first byte after {first_byte:.2f} s; "
              f"server peak {memory}")


def add_tree() -> None:
    """Store the directories of the generated files, and the first file's text on disk."""
    import sqlalchemy as sa
    from sqlmodel import select

    from scanapp.db import get_engine, session_scope
    from scanapp.models import CodebaseResource, Project
    from scanapp.workdir import workdir_for

    with session_scope() as session:
        project = session.exec(select(Project)).one()
        paths = session.exec(select(CodebaseResource.path)
                             .where(CodebaseResource.project_id == project.id)).all()
    folders = sorted({path.rsplit("/", 1)[0] for path in paths} | {"src"})
    rows = [CodebaseResource(project_id=project.id, path=folder, name=folder.rsplit("/", 1)[-1],
                             type="directory", status="").model_dump(exclude={"id"})
            for folder in folders]
    with get_engine().begin() as connection:
        connection.execute(sa.insert(CodebaseResource), rows)
    location = workdir_for(project.slug).create().codebase / "src" / "module0" / "file0.py"
    location.parent.mkdir(parents=True, exist_ok=True)
    notice = "# Copyright (c) 2024 Author 0\n# Permission is hereby granted, free of charge...\n"
    location.write_text(notice + "".join(f"value_{n} = {n}\n" for n in range(200)))
    end_of_run(project.id)


def end_of_run(project_id: int) -> None:
    """Do what the end of a run does: alerts, package summary, statistics and counts."""
    from scanapp.services import package_summary
    from scanapp.services.compliance import update_alerts
    from scanapp.services.counts import analyze_results, refresh_counts

    update_alerts(project_id)
    package_summary.refresh()
    analyze_results()
    refresh_counts(project_id)


def run_portfolio(kind: str, args) -> None:
    """Generate the projects, serve them and measure the questions across projects."""
    env, workdirs = environment(kind, args)
    started = time.perf_counter()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from bench.api import "
            "generate_portfolio; generate_portfolio(int(sys.argv[2]), int(sys.argv[3]));"
            "from scanapp.services.counts import analyze_results; analyze_results()")
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(args.portfolio),
                    str(args.packages_per_project)], env=env, cwd=ROOT, check=True)
    total = args.portfolio * args.packages_per_project
    print(f"{kind}: generated {args.portfolio} projects, {total} packages and {total} "
          f"dependencies in {time.perf_counter() - started:.0f} s")
    if kind == "postgresql" and not args.no_vacuum:
        print(f"{kind}: vacuumed in {vacuum(env['SCANAPP_DATABASE_URL']):.0f} s")
    with serving(kind, env, workdirs) as (base, _server):
        measure(base, PORTFOLIO_ENDPOINTS, args)


def generate_portfolio(projects: int, per_project: int) -> None:
    """Store ``projects`` projects of ``per_project`` packages and dependencies, in bulk."""
    import random
    import zlib

    import sqlalchemy as sa

    from scanapp.db import get_engine, migrate
    from scanapp.models import DiscoveredDependency, DiscoveredPackage, Project, new_uuid
    from scanapp.services.package_summary import refresh

    migrate()
    chance = random.Random(19)
    pool = [("maven", f"org.example.g{n % 50}", f"lib-{n}") if n % 3 == 0 else
            ("npm", "", f"package-{n}") if n % 3 == 1 else ("pypi", "", f"lib-{n}")
            for n in range(20_000)]
    licenses = ("mit", "apache-2.0", "bsd-new", "mit AND apache-2.0", "gpl-2.0-plus", "")
    engine = get_engine()
    package_defaults = DiscoveredPackage(project_id=0).model_dump(exclude={"id"})
    dependency_defaults = DiscoveredDependency(project_id=0).model_dump(exclude={"id"})
    for number in range(projects):
        with engine.begin() as connection:
            uuid = new_uuid()
            row = Project(uuid=uuid, name=f"product-{number}", slug=f"product-{number}-{uuid[:8]}")
            project_id = connection.execute(sa.insert(Project).values(
                row.model_dump(exclude={"id"})).returning(Project.id)).scalar_one()
            chosen = chance.sample(pool, per_project)
            if number % 10 == 0:
                chosen[0] = ("maven", "org.apache.logging.log4j", "log4j-core")
            packages, dependencies = [], []
            for index, (type_, namespace, name) in enumerate(chosen):
                version = (f"2.{12 + number // 10 % 10}.1" if name == "log4j-core"
                           else f"1.{chance.randrange(10)}")
                path = f"{namespace}/{name}" if namespace else name
                # A package has the same license wherever it is found.
                license_ = ("apache-2.0" if name == "log4j-core"
                            else licenses[zlib.crc32(name.encode()) % len(licenses)])
                packages.append({
                    **package_defaults, "project_id": project_id, "uuid": new_uuid(),
                    "type": type_, "namespace": namespace, "name": name, "version": version,
                    "purl": f"pkg:{type_}/{path}@{version}",
                    "package_uid": f"pkg:{type_}/{path}@{version}?uuid={index}",
                    "declared_license_expression": license_,
                    "compliance_alert": "error" if license_ == "gpl-2.0-plus" else ""})
                dependency = chance.choice(pool)
                dependency_path = "/".join(part for part in dependency[1:] if part)
                dependencies.append({
                    **dependency_defaults, "project_id": project_id, "type": dependency[0],
                    "namespace": dependency[1], "name": dependency[2],
                    "purl": f"pkg:{dependency[0]}/{dependency_path}",
                    "dependency_uid": f"dep-{index}", "extracted_requirement": ">=1.0",
                    "for_package_uid": packages[-1]["package_uid"], "scope": "install"})
            connection.execute(sa.insert(DiscoveredPackage), packages)
            connection.execute(sa.insert(DiscoveredDependency), dependencies)
    started = time.perf_counter()
    identities = refresh()  # as each run's end does
    print(f"package summary: {identities} identities counted in "
          f"{time.perf_counter() - started:.1f} s")


def main() -> None:
    """Parse the options and measure on each database asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--portfolio", type=int, default=0, metavar="PROJECTS",
                        help="measure the searches across PROJECTS generated projects")
    parser.add_argument("--packages-per-project", type=int, default=500)
    parser.add_argument("--pages", action="store_true",
                        help="measure the web pages of the generated project instead")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="measure PostgreSQL right after the load, before any VACUUM")
    args = parser.parse_args()
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        (run_portfolio if args.portfolio else run)(kind, args)


if __name__ == "__main__":
    main()
