"""Benchmark: the scancode-toolkit CLI against ``scanapp run scan_codebase`` on one input.

Each repeat runs both tools on the same archive, alternating which goes first:

- scancode: copy the archive to a fresh temp folder, ``extractcode`` it, then
  ``scancode -clpieu --json out.json -n N`` on the folder (archive + extracted tree, the same
  files scanapp scans); extraction is included in its time.
- scanapp: ``scanapp run scan_codebase INPUT --output -`` with ``SCANAPP_PROCESSES=N`` and a
  fresh temporary ``SCANAPP_WORKDIRS`` (SQLite), standard output to a file.

Wall time is measured around the whole command(s). For scanapp, the codebase-level pass
(scancode-toolkit's license-reference, package and classification steps on the stored
per-file results: the ``assemble_packages_and_dependencies`` step) is read from the run log
and reported as a share of the wall time. Memory is sampled every 50 ms over the
whole process tree (the command and every descendant, multiprocessing pool workers included,
found through /proc): the peak of the summed RSS, and of the summed PSS (shared pages such as
the license index inherited by forked workers are counted once; Linux only). On workers
the tree is sampled every 0.5 s and its PSS every 5 s, so that the sampling does not take a
share of the cores the workers scan with.

``--workers N`` also times the scan queued to running ``scanapp worker`` processes (each with
``SCANAPP_PROCESSES`` = ``--processes``, the license index loaded at start as a server's are,
one fresh SQLite work directory and Redis queue): N of them against 1, from the upload to the
run's end; with ``--rescan``, a second scan
of the input on the N workers too, with ``--after`` a scan after OTHER_INPUT on them. The
workers' scans are submitted as a client would, through ``scanapp serve`` (``POST
/api/projects/`` with the upload; the run's end is read from the database).
``--only-scanapp`` leaves the scancode CLI out, ``--only-workers`` every measure but the
workers', ``--only NAME,...`` every measure not named (names as printed: ``scancode``,
``scanapp``, ``rescan``, ``after``, ``workers1``, ``workersN``, ``rescan-wN``, ``after-wN``).
On workers the share of files from the scan cache is printed too.

Example::

    .venv/bin/python bench/scan.py --input tests/data/flask-3.1.0.tar.gz --processes 2 --repeats 3
    .venv/bin/python bench/scan.py --input tests/data/flask-3.1.0.tar.gz --rescan --repeats 3
    .venv/bin/python bench/scan.py --input tests/data/flask-3.1.0.tar.gz \
        --after tests/data/flask-3.0.3.tar.gz
    .venv/bin/python bench/scan.py --processes 1 --workers 2 --rescan --only-scanapp
    .venv/bin/python bench/scan.py --processes 1 --workers 2 --rescan --only-workers \
        --after tests/data/flask-3.0.3.tar.gz
    .venv/bin/python bench/scan.py --input Django-5.1.4.tar.gz --after Django-5.1.3.tar.gz \
        --processes 1 --workers 2 --only after-w2 --repeats 1
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.api import free_port, wait_ready  # noqa: E402 - after the path it is found on

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.05
WORKERS_SAMPLE_SECONDS = 0.5
WORKERS_PSS_SECONDS = 5.0


@dataclass
class Measure:
    """One run of one tool."""

    wall: float = 0.0
    peak_rss: int = 0
    peak_pss: int = 0
    files: int | None = None
    error: str = ""
    extra: dict = field(default_factory=dict)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may hold spaces: fields resume after the last ")".
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(root: int) -> list[int]:
    """Return ``root`` and all its live descendants."""
    children = _children_map()
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def _memory(pid: int, with_pss: bool = True) -> tuple[int, int]:
    """Return (rss, pss) in bytes of one process, (0, 0) when it is gone (pss 0 without it)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            rss = int(handle.read().split()[1]) * PAGE
        pss = 0
        if not with_pss:
            return rss, pss
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
        return rss, pss
    except (OSError, ValueError, IndexError):
        return 0, 0


class TreeSampler(threading.Thread):
    """Sample the summed RSS and PSS of a process tree until stopped; keep the peaks.

    PSS is read every ``pss_interval`` seconds only: the kernel walks a process's page
    tables to sum it (about 18 ms of a core for a process holding the 1.5 GB license index),
    which would take a share of the cores a scan on every core needs.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS, pss_interval: float = 0):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.max_processes = pid, 0, 0, 0
        self.interval, self.pss_interval = interval, pss_interval
        self._stop_event = threading.Event()

    def run(self) -> None:  # noqa: D102
        pss_due = 0.0
        while not self._stop_event.is_set():
            pids = process_tree(self.pid)
            with_pss = time.monotonic() >= pss_due
            if with_pss:
                pss_due = time.monotonic() + self.pss_interval
            sizes = [_memory(pid, with_pss) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in sizes))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in sizes))
            self.max_processes = max(self.max_processes, sum(1 for rss, _ in sizes if rss))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._stop_event.set()
        self.join()


def run_measured(
    command: list[str], measure: Measure, env=None, stdout=None, ok_codes=(0,)
) -> bool:
    """Run one command, add its wall time and peaks to ``measure``; False on failure."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = TreeSampler(process.pid)
    sampler.start()
    _, stderr = process.communicate()
    sampler.stop()
    measure.wall += time.monotonic() - started
    measure.peak_rss = max(measure.peak_rss, sampler.peak_rss)
    measure.peak_pss = max(measure.peak_pss, sampler.peak_pss)
    measure.extra["processes"] = max(measure.extra.get("processes", 0), sampler.max_processes)
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-15:]
    if process.returncode not in ok_codes:
        measure.error = f"{command[0]} exited {process.returncode}:\n" + "\n".join(tail)
        return False
    if process.returncode:
        measure.extra.setdefault("warnings", []).extend(tail[-3:])
    return True


#: The step of scan_codebase that runs the toolkit's codebase-level steps.
CODEBASE_STEP = "assemble_packages_and_dependencies"
_SCANNED = re.compile(r"Scanned (\d+) files \((\d+) from the scan cache\)")
_STEP_DONE = re.compile(r"Step \[(?P<step>\w+)\] completed in (?P<seconds>[0-9.]+) seconds")


def step_seconds(result: Path) -> dict[str, float]:
    """Return the seconds of each step of the first run logged in a scanapp JSON result."""
    try:
        log = json.loads(result.read_bytes())["headers"][0]["runs"][0]["log"]
    except (OSError, ValueError, KeyError, IndexError):
        return {}
    return {found["step"]: float(found["seconds"]) for found in _STEP_DONE.finditer(log)}


def count_files(result: Path) -> int | None:
    """Return the number of ``files`` of type file in a JSON result, None if unreadable."""
    try:
        data = json.loads(result.read_bytes())
        return sum(1 for item in data.get("files", []) if item.get("type") == "file")
    except (OSError, ValueError, AttributeError):
        return None


def run_scancode(archive: Path, processes: int) -> Measure:
    """Extract with extractcode, then scan with the scancode CLI (both timed)."""
    measure = Measure()
    with tempfile.TemporaryDirectory(prefix="bench-scancode-") as tmp:
        folder = Path(tmp) / "codebase"
        folder.mkdir()
        shutil.copy(archive, folder / archive.name)
        result = Path(tmp) / "out.json"
        # extractcode exits 1 when a nested file cannot be extracted (Django ships a broken
        # .lzma test fixture); the rest is extracted and scanned, as scanapp does.
        extract = [str(BIN / "extractcode"), str(folder / archive.name)]
        if not run_measured(extract, measure, ok_codes=(0, 1)):
            return measure
        scan = [
            str(BIN / "scancode"), "-clpieu", "--json", str(result),
            "-n", str(processes), "--quiet", str(folder),
        ]
        if not run_measured(scan, measure):
            return measure
        measure.files = count_files(result)
    return measure


def run_scanapp(archive: Path, processes: int, first: Path | None = None) -> Measure:
    """Run ``scanapp run scan_codebase`` on fresh work directories.

    With ``first``, that input is scanned first in the same work directories (not timed):
    what the timed scan finds there (a scan cache) is what a rescan or a new release finds.
    """
    measure = Measure()
    with tempfile.TemporaryDirectory(prefix="bench-scanapp-") as tmp:
        env = {
            **os.environ,
            "SCANAPP_PROCESSES": str(processes),
            "SCANAPP_WORKDIRS": str(Path(tmp) / "workdirs"),
            "SCANAPP_DATABASE_URL": "",
        }
        result = Path(tmp) / "out.json"
        if first is not None:
            warm = [str(BIN / "scanapp"), "run", "scan_codebase", str(first), "--output",
                    os.devnull, "--quiet"]
            if not run_measured(warm, Measure(), env=env, stdout=subprocess.DEVNULL):
                measure.error = f"the first scan of {first.name} failed"
                return measure
        command = [
            str(BIN / "scanapp"), "run", "scan_codebase", str(archive),
            "--output", "-", "--quiet",
        ]
        with open(result, "wb") as stdout:
            if run_measured(command, measure, env=env, stdout=stdout):
                measure.files = count_files(result)
                measure.extra["codebase_pass"] = step_seconds(result).get(CODEBASE_STEP)
    return measure


class WorkerPool:
    """``count`` ``scanapp worker`` processes on one fresh work directory and queue.

    Each worker listens on a queue of its own name in Redis (``SCANAPP_REDIS_URL``, default
    the local server) and loads the license index at start, as a server's workers do; the
    benchmark waits for that before timing anything.
    """

    def __init__(self, tmp: Path, processes: int, count: int):
        """Start the workers; ``processes`` is each one's ``SCANAPP_PROCESSES``."""
        self.queue = f"bench-{os.getpid()}-{time.monotonic_ns()}"
        self.database = Path(tmp) / "workdirs" / "scanapp.sqlite3"
        self.env = {
            **os.environ,
            "SCANAPP_PROCESSES": str(processes),
            "SCANAPP_WORKDIRS": str(Path(tmp) / "workdirs"),
            "SCANAPP_DATABASE_URL": "",
            "SCANAPP_QUEUE_NAME": self.queue,
            "SCANAPP_WEBHOOK_QUEUE_NAME": f"{self.queue}-webhooks",
        }
        subprocess.run([str(BIN / "scanapp"), "migrate"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)
        self.server = None
        self.logs = [Path(tmp) / f"worker-{index}.log" for index in range(count)]
        self.processes = [
            subprocess.Popen(
                [str(BIN / "scanapp"), "worker", "--queue", self.queue, "--name",
                 f"{self.queue}-{index}"],
                env=self.env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                start_new_session=True,
            )
            for index, log in enumerate(self.logs)
        ]
        for log in self.logs:
            while "License index loaded" not in log.read_text(errors="replace"):
                time.sleep(0.2)
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen(
            [str(BIN / "scanapp"), "serve", "--port", str(port)], env=self.env,
            stdout=open(Path(tmp) / "serve.log", "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
        )
        wait_ready(self.base, self.server)

    def scan(self, archive: Path, measure: Measure | None = None) -> int:
        """POST ``archive`` with ``scan_codebase`` to the API, wait for the run; return files.

        Timed from the upload to the run's end, as a client of the server sees it.
        """
        import requests

        name = f"{archive.name}-{time.monotonic_ns()}"
        started = time.monotonic()
        # Every 0.5 s, PSS every 5 s: walking /proc every 50 ms and summing the PSS of every
        # worker each time took about 7 s of the 73 core-seconds of a 2-worker scan.
        sampler = TreeSampler(os.getpid(), interval=WORKERS_SAMPLE_SECONDS,
                              pss_interval=WORKERS_PSS_SECONDS)
        sampler.start()
        with open(archive, "rb") as upload:
            response = requests.post(
                f"{self.base}/api/projects/", timeout=600,
                data={"name": name, "pipeline": "scan_codebase", "execute_now": "true"},
                files={"upload_file": (archive.name, upload)},
            )
        response.raise_for_status()
        run_url = f"{self.base}/api/runs/{response.json()['runs'][0]['uuid']}/"
        # The database is polled (10 times a second) rather than the API: requests at that
        # rate would take a share of the cores the workers scan with.
        while (status := self._status(name)) not in ("success", "failure", "stale", "stopped"):
            time.sleep(0.1)
        sampler.stop()
        if measure is not None:
            measure.wall += time.monotonic() - started
            measure.peak_rss = max(measure.peak_rss, sampler.peak_rss)
            measure.peak_pss = max(measure.peak_pss, sampler.peak_pss)
            if status != "success":
                measure.error = f"the run ended {status}"
            log = requests.get(run_url, timeout=60).json()["log"]
            found = [tuple(map(int, item)) for item in _SCANNED.findall(log)]
            measure.extra["cached"] = (sum(cached for _, cached in found),
                                       sum(scanned for scanned, _ in found))
        return self._files(name)

    def _query(self, sql: str, name: str):
        import sqlite3

        with sqlite3.connect(self.database, timeout=30) as connection:
            return connection.execute(sql, (name,)).fetchone()

    def _status(self, name: str) -> str:
        row = self._query("SELECT run.status FROM run JOIN project ON project.id = "
                          "run.project_id WHERE project.name = ?", name)
        return row[0] if row else ""

    def _files(self, name: str) -> int:
        return self._query("SELECT count(*) FROM codebaseresource JOIN project ON project.id "
                           "= codebaseresource.project_id WHERE project.name = ? AND "
                           "codebaseresource.type = 'file'", name)[0]

    def close(self) -> None:
        """Stop the server and every worker."""
        for process in [self.server, *self.processes]:
            process.terminate()
        for process in [self.server, *self.processes]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def run_workers(archive: Path, processes: int, workers: int, first: Path | None = None) -> Measure:
    """Scan with ``workers`` running ``scanapp worker`` processes (after ``first``, untimed)."""
    measure = Measure()
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        pool = WorkerPool(Path(tmp), processes, workers)
        try:
            if first is not None:
                pool.scan(first)
            measure.files = pool.scan(archive, measure)
        finally:
            pool.close()
    measure.extra["processes"] = workers * (processes + 1)
    return measure


def _mib(value: int) -> str:
    return f"{value / 1024**2:.0f} MiB"


def report(name: str, runs: list[Measure]) -> dict:
    """Print one tool's runs and return its medians and peaks."""
    good = [run for run in runs if not run.error]
    for run in runs:
        if run.error:
            print(f"  {name}: ERROR {run.error}")
        for warning in run.extra.get("warnings", []):
            print(f"  {name}: warning: {warning}")
    if not good:
        return {}
    figures = {
        "wall": statistics.median(run.wall for run in good),
        "rss": max(run.peak_rss for run in good),
        "pss": max(run.peak_pss for run in good),
    }
    walls = ", ".join(f"{run.wall:.1f}" for run in good)
    passes = [(run.extra["codebase_pass"], run.wall) for run in good
              if run.extra.get("codebase_pass") is not None]
    if passes:
        seconds = statistics.median(value for value, _ in passes)
        share = max(value / wall for value, wall in passes)
        print(f"{name:9} codebase-level pass: median {seconds:.2f} s, "
              f"at most {100 * share:.1f}% of the wall time")
    for run in good:
        if run.extra.get("cached"):
            cached, scanned = run.extra["cached"]
            print(f"{name:9} files from the scan cache: {cached} of {scanned} "
                  f"({100 * cached / max(scanned, 1):.1f}%)")
    print(
        f"{name:9} median wall {figures['wall']:.1f} s ({walls}); "
        f"peak tree RSS {_mib(figures['rss'])}, PSS {_mib(figures['pss'])}; "
        f"files {good[0].files}; processes {good[0].extra.get('processes')}"
    )
    return figures


def _tools(args, parser) -> dict:
    """Return the measures to take, by name: each a function of (archive, processes)."""
    tools = {} if args.only_scanapp or args.only_workers else {"scancode": run_scancode}
    if args.after and not args.after.resolve().is_file():
        parser.error(f"{args.after}: no such file")
    if args.only_workers and not args.workers:
        parser.error("--only-workers needs --workers N")
    if not args.only_workers:
        tools["scanapp"] = run_scanapp
        if args.rescan:
            tools["rescan"] = lambda path, processes: run_scanapp(path, processes, first=path)
        if args.after:
            tools["after"] = lambda path, processes: run_scanapp(
                path, processes, first=args.after.resolve())
    if args.workers:
        for count in sorted({1, args.workers}):
            tools[f"workers{count}"] = (
                lambda path, processes, count=count: run_workers(path, processes, count))
        if args.rescan:
            tools[f"rescan-w{args.workers}"] = lambda path, processes: run_workers(
                path, processes, args.workers, first=path)
        if args.after:
            tools[f"after-w{args.workers}"] = lambda path, processes: run_workers(
                path, processes, args.workers, first=args.after.resolve())
    return tools


def _ratio(figures: dict, name: str, base: str, label: str) -> None:
    if figures.get(name) and figures.get(base):
        print(f"{label}: wall {figures[name]['wall'] / figures[base]['wall']:.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=Path("tests/data/flask-3.1.0.tar.gz"))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rescan", action="store_true",
                        help="Also time scanapp scanning the input a second time.")
    parser.add_argument("--after", type=Path, default=None, metavar="OTHER_INPUT",
                        help="Also time scanapp scanning the input after OTHER_INPUT (a new "
                             "release after the previous one).")
    parser.add_argument("--workers", type=int, default=0, metavar="N",
                        help="Also time the scan queued to N running `scanapp worker` processes "
                             "against 1 (each with --processes).")
    parser.add_argument("--only-scanapp", action="store_true",
                        help="Do not run the scancode CLI.")
    parser.add_argument("--only-workers", action="store_true",
                        help="Time only the scans on workers (with --workers).")
    parser.add_argument("--only", default="", metavar="NAME[,NAME]",
                        help="Take only these measures (e.g. after-w2).")
    args = parser.parse_args(argv)
    archive = args.input.resolve()
    if not archive.is_file():
        parser.error(f"{archive}: no such file")
    tools = _tools(args, parser)
    if args.only:
        tools = {name: tool for name, tool in tools.items() if name in args.only.split(",")}
        if not tools:
            parser.error(f"--only {args.only}: no such measure")
    results: dict[str, list[Measure]] = {name: [] for name in tools}
    print(f"Input {archive.name}, {args.processes} processes, {args.repeats} repeat(s)")
    for repeat in range(args.repeats):
        order = list(tools) if repeat % 2 == 0 else list(reversed(tools))
        for name in order:
            measure = tools[name](archive, args.processes)
            results[name].append(measure)
            status = "failed" if measure.error else f"{measure.wall:.1f} s"
            print(f"  repeat {repeat + 1} {name}: {status}", flush=True)
    figures = {name: report(name, runs) for name, runs in results.items()}
    _ratio(figures, "rescan", "scanapp", "rescan / cold scanapp")
    _ratio(figures, "after", "scanapp", "after / cold scanapp")
    workers = f"workers{args.workers}"
    _ratio(figures, "workers1", workers, f"speed-up of {args.workers} workers over 1")
    for kind in ("rescan", "after"):
        _ratio(figures, f"{kind}-w{args.workers}", workers,
               f"{kind} on {args.workers} workers / cold on {args.workers}")
    base, ours = figures.get("scancode"), figures.get("scanapp")
    if base and ours:
        print(
            f"ratio scanapp/scancode: wall {ours['wall'] / base['wall']:.2f}x, "
            f"peak RSS {ours['rss'] / base['rss']:.2f}x, peak PSS {ours['pss'] / base['pss']:.2f}x"
        )
    return 0 if all(figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
