"""Under ``CI=true`` a test that needs a missing Redis or PostgreSQL fails instead of skipping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_suite_part(test: str, ci: bool, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env, "CI": "true" if ci else "false"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )


def test_missing_redis_skips_locally_and_fails_under_ci():
    unreachable = {"SCANAPP_TEST_REDIS_URL": "redis://127.0.0.1:1"}
    local = run_suite_part("tests/test_redis_fixture.py", ci=False, **unreachable)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout
    ci = run_suite_part("tests/test_redis_fixture.py", ci=True, **unreachable)
    assert ci.returncode == 1 and "CI=true: a missing service fails the run" in ci.stdout


def test_missing_postgresql_fails_under_ci():
    unreachable = {"SCANAPP_TEST_POSTGRES_URL": "postgresql://postgres@127.0.0.1:1/test"}
    ci = run_suite_part("tests/test_migrations.py", ci=True, **unreachable)
    assert ci.returncode == 1, ci.stdout
    assert "passed" in ci.stdout and " error" in ci.stdout and "skipped" not in ci.stdout
    assert "CI=true: a missing service fails the run" in ci.stdout
