"""One real scan of each reference sdist, shared by every fidelity test of the package.

The golden facts, the reports and the ORT and CSV outputs are all compared with what
ScanCode.io 38.2.0 wrote for the same two sdists; scanning them once keeps the suite short.
Projects are named as the reference runs were (the ORT package list carries the name) and
carry the policy of the reference runs.
"""

from __future__ import annotations

import pytest

from scanapp.models import RunStatus
from scanapp.services.compliance import set_project_policies
from tests.fidelity.golden import INPUTS, REFERENCE_POLICIES
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings_on

#: input -> the reference run's project name.
PROJECT_NAMES = {"requests": "small_warm2", "click": "medium_click"}


@pytest.fixture(scope="package")
def scan_settings(tmp_path_factory):
    """Settings on a package-wide temporary workdirs (SQLite), 2 scan processes."""
    yield from scan_settings_on(tmp_path_factory.mktemp("fidelity-workdirs"))


@pytest.fixture(scope="package")
def sdist_scans(scan_settings) -> dict:
    """Return ``{input name: project}``: each sdist scanned with scan_single_package."""
    projects = {}
    for name, (_, sdist) in INPUTS.items():
        project, run = run_pipeline(PROJECT_NAMES[name], "scan_single_package",
                                    uploads=[DATA_DIR / sdist])
        assert run.status == RunStatus.SUCCESS, run.task_output
        set_project_policies(project.uuid, REFERENCE_POLICIES)
        projects[name] = project
    return projects
