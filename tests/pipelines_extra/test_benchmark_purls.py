"""benchmark_purls after a real inspect_packages run: the missing and the unexpected purls."""

from __future__ import annotations

import json

from sqlmodel import select

from scanapp import db
from scanapp.models import ProjectMessage, Run, RunStatus
from scanapp.services.projects import ProjectRequest, create_project
from scanapp.services.runs import execute_in_process, project_runs
from scanapp.workdir import workdir_for
from tests.pipelines_builtin.conftest import DATA_DIR, scan_settings  # noqa: F401


def _run_all(name, uploads, pipelines):
    project = create_project(ProjectRequest(name=name, uploads=uploads, pipelines=pipelines))
    codes = [execute_in_process(run.id) for run in project_runs(project.id)]
    with db.session_scope() as session:
        runs = session.exec(select(Run).where(Run.project_id == project.id).order_by(Run.id)).all()
        messages = session.exec(select(ProjectMessage).where(
            ProjectMessage.project_id == project.id)).all()
    return project, codes, runs, messages


def test_mismatches_written_to_the_output_and_a_message(scan_settings, tmp_path):  # noqa: F811
    expected = tmp_path / "expected_purls.txt"
    expected.write_text("pkg:pypi/platformdirs@4.2.1\n\npkg:pypi/attrs@23.2.0\n")
    uploads = [(DATA_DIR / "platformdirs-4.2.1-py3-none-any.whl", ""),
               (DATA_DIR / "click-8.1.8.tar.gz", ""), (expected, "")]
    project, codes, runs, messages = _run_all(
        "bench", uploads, ["inspect_packages", "benchmark_purls"]
    )
    assert codes == [0, 0], [run.task_output for run in runs]
    [output] = sorted(workdir_for(project.slug).output.glob("benchmark_purls-*.txt"))
    assert output.read_text().splitlines() == [
        "- pkg:pypi/click@8.1.8",
        "+ pkg:pypi/attrs@23.2.0",
    ]
    [message] = [item for item in messages if item.model == "benchmark_purls"]
    assert message.severity == "warning"
    assert message.details["missing"] == ["pkg:pypi/attrs@23.2.0"]
    assert message.details["unexpected"] == ["pkg:pypi/click@8.1.8"]
    assert "1 expected purl(s) missing, 1 unexpected" in message.description


def test_tagged_input_and_a_match_is_an_empty_diff(scan_settings, tmp_path):  # noqa: F811
    manifest = tmp_path / "package.json"
    manifest.write_text(json.dumps({"name": "demo", "version": "1.0.0"}))
    reference = tmp_path / "reference.txt"
    reference.write_text("pkg:npm/demo@1.0.0\n")
    project, codes, runs, messages = _run_all(
        "bench-tag", [(manifest, ""), (reference, "purls")],
        ["inspect_packages", "benchmark_purls"],
    )
    assert codes == [0, 0], [run.task_output for run in runs]
    [output] = workdir_for(project.slug).output.glob("benchmark_purls-*.txt")
    assert output.read_text() == ""
    [message] = [item for item in messages if item.model == "benchmark_purls"]
    assert message.severity == "info" and message.details["missing"] == []


def test_no_expected_purls_fails_the_run(scan_settings, tmp_path):  # noqa: F811
    manifest = tmp_path / "package.json"
    manifest.write_text(json.dumps({"name": "demo", "version": "1.0.0"}))
    _, codes, runs, _ = _run_all("bench-none", [(manifest, "")], ["benchmark_purls"])
    assert codes == [1]
    assert runs[0].status == RunStatus.FAILURE
    assert "Expected PURLs not provided" in runs[0].task_output
