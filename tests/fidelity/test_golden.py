"""Golden tests: scanapp's scan_single_package of requests and click, fact by fact against
what ScanCode.io 38.2.0 wrote for the same sdists (facts kept in ``tests/data/golden/``).

The only differences allowed are those of ``docs/fidelity.md``, each named here.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredPackage, RunStatus
from scanapp.services.compliance import compliance_alerts, set_project_policies
from tests.fidelity.golden import ANCHORS, INPUTS, ROOT, anchor_facts, golden_facts
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings  # noqa: F401

#: Allowed differences of detected_license_expression: (input, path) -> (scanapp, ScanCode.io).
ALLOWED_EXPRESSIONS = {
    ("requests", "requests-2.32.3/setup.cfg"): ("apache-2.0", "unknown-license-reference"),
}
#: A policy many companies set: an unresolved license reference is an error.
STRICT_POLICIES = {"license_policies": [
    {"license_key": "apache-2.0", "compliance_alert": ""},
    {"license_key": "bsd-new", "compliance_alert": ""},
    {"license_key": "unknown-license-reference", "compliance_alert": "error"},
]}


@pytest.fixture(scope="module", params=sorted(INPUTS))
def scanned(request, scan_settings):  # noqa: F811 - the imported fixture
    name = request.param
    location = DATA_DIR / INPUTS[name][1]
    assert hashlib.sha256(location.read_bytes()).hexdigest() == golden_facts(name)["sha256"]
    project, run = run_pipeline(name, "scan_single_package", uploads=[location])
    assert run.status == RunStatus.SUCCESS, run.task_output
    return name, project


def ours(project, model):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id)).all()


def normalized(path: str, filename: str) -> str:
    return path.removeprefix(f"{filename}-extract/")


def test_license_expressions_per_path(scanned):
    name, project = scanned
    filename = INPUTS[name][1]
    found = {normalized(item.path, filename): item.detected_license_expression or ""
             for item in ours(project, CodebaseResource)}
    differences = {}
    for path, theirs in golden_facts(name)["files"].items():
        mine = found.get(path)
        if mine != theirs:
            differences[(name, path)] = (mine, theirs)
    allowed = {key: value for key, value in ALLOWED_EXPRESSIONS.items() if key[0] == name}
    assert differences == allowed


def test_the_see_license_files_carry_the_referenced_license(scanned):
    name, project = scanned
    filename = INPUTS[name][1]
    expected = {
        "requests": {"requests-2.32.3/PKG-INFO": "apache-2.0",
                     "requests-2.32.3/src/requests.egg-info/PKG-INFO": "apache-2.0",
                     "requests-2.32.3/src/requests/__init__.py": "apache-2.0"},
        "click": {"click-8.1.8/pyproject.toml": "bsd-new"},
    }[name]
    found = {normalized(item.path, filename): item.detected_license_expression
             for item in ours(project, CodebaseResource)}
    assert {path: found[path] for path in expected} == expected


def test_packages_and_their_declared_license(scanned):
    name, project = scanned
    mine = sorted([item.purl, item.declared_license_expression or ""]
                  for item in ours(project, DiscoveredPackage))
    assert mine == golden_facts(name)["packages"]


def test_no_error_alert_scancodeio_does_not_raise(scanned):
    name, project = scanned
    set_project_policies(project.uuid, STRICT_POLICIES)
    errors = compliance_alerts(project.uuid, "ERROR").get("resources", {}).get("error", [])
    filename = INPUTS[name][1]
    theirs = {path for path, expression in golden_facts(name)["files"].items()
              if "unknown-license-reference" in expression}
    extra = {normalized(path, filename) for path in errors} - theirs
    assert extra == set()


def test_every_allowed_difference_is_in_fidelity_md():
    text = (ROOT / "docs" / "fidelity.md").read_text()
    for _, path in ALLOWED_EXPRESSIONS:
        assert f"`{path}`" in text, path


@pytest.mark.skipif(not ANCHORS.is_dir(), reason="the ScanCode.io anchors are not beside the clone")
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_golden_facts_are_those_of_the_anchors(name):
    assert golden_facts(name) == anchor_facts(name)
