"""Benchmark: read endpoints of a generated project under concurrent clients; p50/p99 each.

Usage::

    .venv/bin/python bench/api.py [--resources 100000] [--clients 4] [--requests 200]
                                  [--database sqlite|postgresql|both] [--no-vacuum]

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

Targets (issue 17): p99 at most 50 ms at 100,000 resources; at 1,000,000 resources p99 at
most 100 ms and ``results/`` streamed with the server's peak memory under 300 MB.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


def generate_in_child(env: dict, resources: int) -> str:
    """Generate the project in a child process (its own settings); return the project uuid."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from bench.outputs import generate;"
        "generate(int(sys.argv[2]), 500);"
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


def run(kind: str, args) -> None:
    """Generate, serve and measure on one database."""
    workdirs = tempfile.mkdtemp(prefix=f"scanapp-bench-api-{kind}-")
    env = {**os.environ, "SCANAPP_WORKDIRS": workdirs, "PYTHONPATH": str(ROOT),
           "SCANAPP_DATABASE_URL": database_url(kind, args.postgres_url)}
    started = time.perf_counter()
    uuid = generate_in_child(env, args.resources)
    print(f"{kind}: generated {args.resources} resources in {time.perf_counter() - started:.0f} s")
    if kind == "postgresql" and not args.no_vacuum:
        print(f"{kind}: vacuumed in {vacuum(env['SCANAPP_DATABASE_URL']):.0f} s")
    port = free_port()
    log = Path(workdirs) / "serve.log"
    with open(log, "wb") as handle:
        server = subprocess.Popen([str(BIN / "scanapp"), "serve", "--port", str(port)],
                                  env=env, stdout=handle, stderr=subprocess.STDOUT)
    print(f"{kind}: server log {log}")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        first = timed_get(f"{base}/api/projects/{uuid}/") * 1000
        print(f"{kind}: first project detail (counts computed and stored) {first:.0f} ms")
        print(f"{'endpoint':<64}{'first ms':>9}{'p50 ms':>9}{'p99 ms':>9}")
        with ThreadPoolExecutor(args.clients) as pool:
            for endpoint in ENDPOINTS:
                url = base + endpoint.format(uuid=uuid, middle=max(1, args.resources // 100))
                first = timed_get(url) * 1000  # warms up (lengths and anchors kept)
                times = list(pool.map(timed_get, [url] * args.requests))
                p50, p99 = percentiles(times)
                print(f"{endpoint:<64}{first:>9.1f}{p50:>9.1f}{p99:>9.1f}")
        before = tree_memory(server.pid)
        seconds, first_byte, peak = stream_results(base, uuid, server.pid)
        names = ("summed RSS", "summed PSS", "largest process RSS")
        memory = ", ".join(f"{name} {high / 1024**2:.0f} MiB (before {low / 1024**2:.0f})"
                           for name, high, low in zip(names, peak, before, strict=True))
        print(f"results/: {seconds:.1f} s, first byte after {first_byte:.2f} s; "
              f"server peak {memory}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still busy with a request
            server.kill()
            server.wait()


def main() -> None:
    """Parse the options and measure on each database asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-vacuum", action="store_true",
                        help="measure PostgreSQL right after the load, before any VACUUM")
    args = parser.parse_args()
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        run(kind, args)


if __name__ == "__main__":
    main()
