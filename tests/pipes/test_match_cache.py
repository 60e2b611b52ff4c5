"""The license-match cache on real detections, on SQLite and PostgreSQL.

A file detected with every ranking taken from the store gives the detections the toolkit
gives alone; what is stored survives a new process (a fresh memory); a changed file takes
the rankings of its unchanged runs.
"""

from __future__ import annotations

import tarfile

import pytest
from scancode.api import get_licenses

from scanapp.pipes import match_cache
from scanapp.services.scan_cache import cache_stats
from tests.pipelines_builtin.conftest import DATA_DIR

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

MEMBERS = ("flask-3.1.0/LICENSE.txt", "flask-3.1.0/src/flask/ctx.py")


@pytest.fixture
def files(tmp_path):
    """flask's license with two words changed (an approximate match) and one of its modules."""
    with tarfile.open(DATA_DIR / "flask-3.1.0.tar.gz") as archive:
        texts = {name: archive.extractfile(name).read() for name in MEMBERS}
    license_text = texts[MEMBERS[0]].replace(b"permitted", b"allowed").replace(b"notice", b"note")
    paths = []
    for name, data in ((MEMBERS[0], license_text), (MEMBERS[1], texts[MEMBERS[1]])):
        path = tmp_path / name.rsplit("/", 1)[1]
        path.write_bytes(data)
        paths.append(str(path))
    return paths


@pytest.fixture
def installed():
    match_cache.install()
    yield
    match_cache.uninstall()


def detect(path: str) -> dict:
    return get_licenses(path, include_text=True, license_text_diagnostics=True,
                        license_diagnostics=True)


def fresh_process() -> None:
    """Forget what this process remembers, as a new scan process would not know it."""
    match_cache.uninstall()
    match_cache.install()


def test_rankings_from_the_store_give_the_toolkits_detections(settings, files, installed):
    first = [detect(path) for path in files]
    ranked = match_cache.take()
    assert ranked.misses > 2 and set(ranked.hits) <= set(ranked.entries)  # repeats: memory
    match_cache.record(ranked)
    assert cache_stats()["match_entries"] == len(ranked.entries)

    fresh_process()
    again = [detect(path) for path in files]
    from_store = match_cache.take()
    assert from_store.misses == 0
    assert len(from_store.hits) == ranked.misses + len(ranked.hits)
    assert again == first
    assert "bsd-new" in first[0]["detected_license_expression"]
    assert first[0]["license_detections"][0]["matches"][0]["matcher"] == "3-seq"

    match_cache.uninstall()
    assert [detect(path) for path in files] == first  # the toolkit's own ranking


def test_a_changed_file_takes_the_rankings_of_its_unchanged_runs(settings, files, installed):
    module = files[1]
    detect(module)
    match_cache.record(match_cache.take())
    with open(module, "a") as stream:
        stream.write("\n\n\n\n\n\n# A new comment at the end, about a licence to print money.\n")
    fresh_process()
    changed = detect(module)
    ranked = match_cache.take()
    assert ranked.hits and ranked.misses
    match_cache.uninstall()
    assert detect(module) == changed


def test_encoding_round_trips_the_candidates(settings, files, installed):
    from licensedcode.cache import get_index
    from licensedcode.match_set import compute_candidates  # the wrapped one

    index = get_index()
    found = []
    original = match_cache._installed.original

    def keep(*args, **kwargs):
        candidates = original(*args, **kwargs)
        found.append(candidates)
        return candidates

    match_cache._installed.original = keep
    detect(files[0])
    assert compute_candidates is match_cache._ranked
    assert any(found)
    for candidates in found:
        assert match_cache.decode(match_cache.encode(candidates), index) == candidates
