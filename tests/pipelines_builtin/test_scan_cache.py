"""The scan cache on real scan_codebase runs of flaskr (flask's tutorial, from the flask sdist).

The same input scanned twice gives the same results, the second time every file from the
cache; with one file changed only that file is scanned, the license rule ranking of its
unchanged query runs from the match cache, and the results are those of a scan without any
cache; ``SCANAPP_SCAN_CACHE=false`` neither reads nor writes the caches; ``scanapp cache
stats`` and ``scanapp cache clear`` as subprocesses.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import tarfile

import pytest

from outputs import json_results
from scanapp.config import set_settings
from scanapp.models import RunStatus
from scanapp.services.scan_cache import cache_stats
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings  # noqa: F401

TUTORIAL = "flask-3.1.0/examples/tutorial"
CHANGED = f"{TUTORIAL}/flaskr/auth.py"
SCANNED = re.compile(r"Scanned (\d+) files \((\d+) from the scan cache\)")
RANKED = re.compile(r"License rule rankings: (\d+) of (\d+) query runs from the match cache")
CHANGE = {CHANGED: b"\n# changed\n"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def flaskr_archive(folder, changes: dict[str, bytes] | None = None):
    """Write flaskr as a tarball, with the files of ``changes`` given other contents."""
    archive = folder / "flaskr.tar.gz"
    changes = changes or {}
    with tarfile.open(DATA_DIR / "flask-3.1.0.tar.gz") as source, \
            tarfile.open(archive, "w:gz") as target:
        for member in source.getmembers():
            if member.name.startswith(f"{TUTORIAL}/") and member.isfile():
                data = source.extractfile(member).read() + changes.get(member.name, b"")
                member.size = len(data)
                target.addfile(member, io.BytesIO(data))
    return archive


def scan(name: str, archive):
    project, run = run_pipeline(name, "scan_codebase", uploads=[archive])
    assert run.status == RunStatus.SUCCESS, run.task_output
    counts = [tuple(map(int, found)) for found in SCANNED.findall(run.log)]
    return project, run, counts


@pytest.fixture(scope="module")
def runs(scan_settings, tmp_path_factory):  # noqa: F811 - the imported fixture
    archive = flaskr_archive(tmp_path_factory.mktemp("same"))
    changed = flaskr_archive(tmp_path_factory.mktemp("changed"), CHANGE)
    return {
        "cold": scan("cold", archive),
        "warm": scan("warm", archive),
        "changed": scan("changed", changed),
    }


def normalized(project) -> dict:
    """Return the project's JSON results without what differs between two projects."""
    document = json_results.document(project.id)
    headers = document.pop("headers")
    for header in headers:
        header.pop("runs", None)  # their logs, timings and progress
    text = json.dumps(document | {"headers": headers}, sort_keys=True)
    text = text.replace(project.slug, "SLUG").replace(project.name, "NAME")
    return json.loads(DATE.sub("DATE", UUID.sub("UUID", text)))


def test_the_cold_scan_scans_every_file(runs):
    _, run, counts = runs["cold"]
    assert len(counts) == 2 and all(scanned > 0 for scanned, _ in counts)
    assert [cached for _, cached in counts] == [0, 0]
    assert run.progress["cached"] == 0


def test_a_rescan_takes_every_file_from_the_cache(runs):
    _, run, counts = runs["warm"]
    assert counts == [(scanned, scanned) for scanned, _ in runs["cold"][2]]
    assert run.progress["cached"] == run.progress["done"] == counts[-1][0]


def test_a_rescan_gives_the_same_results(runs):
    cold, warm = normalized(runs["cold"][0]), normalized(runs["warm"][0])
    assert cold["files"] and cold == warm


def test_only_the_changed_file_is_scanned(runs):
    project, run, counts = runs["changed"]
    manifests, others = counts
    assert manifests[0] == manifests[1]
    # Scanned again: the changed file and the uploaded archive holding it.
    assert others == (others[0], others[0] - 2)
    assert run.progress["cached"] == run.progress["total"] - 2
    files = {item["path"]: item for item in json_results.document(project.id)["files"]}
    changed = next(item for path, item in files.items() if path.endswith(CHANGED))
    assert changed["sha256"] != next(
        item["sha256"] for item in json_results.document(runs["cold"][0].id)["files"]
        if item["path"].endswith(CHANGED)
    )


def test_a_changed_file_takes_the_ranking_of_its_unchanged_runs(runs):
    log = runs["changed"][1].log
    [(cached, ranked)] = [tuple(map(int, found)) for found in RANKED.findall(log)]
    assert 0 < cached < ranked  # the runs it shares with the file as first scanned, not the end
    assert not RANKED.findall(runs["warm"][1].log)  # no file was detected again


def test_hits_and_misses_are_counted(runs):
    figures = cache_stats()
    ranked = [tuple(map(int, found)) for _, run, _ in runs.values() for found in
              RANKED.findall(run.log)]
    assert figures["match_hits"] == sum(cached for cached, _ in ranked)
    assert figures["match_misses"] == sum(total - cached for cached, total in ranked)
    assert 0 < figures["match_entries"] <= figures["match_misses"]
    stored = sum(scanned for scanned, _ in runs["cold"][2]) + 2  # + the changed file, archive
    assert figures["entries"] == stored
    assert figures["misses"] == stored  # every file looked up in vain was stored
    assert figures["hits"] == sum(cached for _, _, counts in runs.values()
                                  for _, cached in counts)
    assert figures["size"] > 0


def test_the_cache_can_be_turned_off(runs, scan_settings, tmp_path_factory):  # noqa: F811
    """Off, nothing is read or written; the results are those the caches gave."""
    before = cache_stats()
    archive = flaskr_archive(tmp_path_factory.mktemp("off"), CHANGE)
    set_settings(dataclasses.replace(scan_settings, scan_cache=False))
    try:
        project, run, counts = scan("off", archive)
    finally:
        set_settings(scan_settings)
    assert [cached for _, cached in counts] == [0, 0]
    assert run.progress["cached"] == 0
    assert not RANKED.findall(run.log)
    assert cache_stats() == before
    off, changed = normalized(project), normalized(runs["changed"][0])
    for document in (off, changed):  # the archives differ by their gzip time stamps
        document["files"] = [item for item in document["files"]
                             if not item["path"].endswith(".tar.gz")]
    assert off["files"] and off == changed


def test_the_cache_commands(runs, scan_settings):  # noqa: F811
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env["SCANAPP_WORKDIRS"] = str(scan_settings.workdirs)

    def scanapp(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "scanapp", "cache", *args], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    figures = cache_stats()
    assert json.loads(scanapp("stats", "--json")) == figures
    assert f"entries: {figures['entries']}" in scanapp("stats")
    assert scanapp("clear", "--older-than", "1").strip() == (
        "Removed 0 scan cache entries and 0 license-match entries.")
    assert scanapp("clear").strip() == (
        f"Removed {figures['entries']} scan cache entries and {figures['match_entries']} "
        "license-match entries.")
    assert json.loads(scanapp("stats", "--json")) == dict.fromkeys(figures, 0)
