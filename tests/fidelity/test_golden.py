"""Golden tests: scanapp's scan_single_package of requests and click, fact by fact against
what ScanCode.io 38.2.0 wrote for the same sdists (facts kept in ``tests/data/golden/``).

scanapp's own ``results.json`` and summary, as a client reads them, go through the same
``facts_of`` as the anchors. The only differences allowed are those of ``docs/fidelity.md``,
each named here.
"""

from __future__ import annotations

import hashlib

import pytest

from outputs import json_results
from scanapp.services import records
from scanapp.services.compliance import compliance_alerts, set_project_policies
from tests.fidelity.golden import (
    ANCHORS,
    INPUTS,
    REFERENCE_POLICIES,
    ROOT,
    anchor_facts,
    differences,
    facts_of,
    golden_facts,
)
from tests.pipelines_builtin.conftest import DATA_DIR

SETUP_CFG = "requests-2.32.3/setup.cfg"
#: Allowed differences, by the heading of docs/fidelity.md that explains them:
#: (input, section, key, field) -> (scanapp, ScanCode.io).
ALLOWED = {
    "A reference resolved by the package step keeps its resolved license": {
        ("requests", "files", SETUP_CFG, "detected_license_expression"):
            ("apache-2.0", "unknown-license-reference"),
        ("requests", "files", SETUP_CFG, "detected_license_expression_spdx"):
            ("Apache-2.0", "LicenseRef-scancode-unknown-license-reference"),
        ("requests", "files", SETUP_CFG, "compliance_alert"): ("ok", "error"),
        ("requests", "license_matches", f"apache-2.0 {SETUP_CFG}", ""): ("present", None),
        ("requests", "license_matches", f"unknown-license-reference {SETUP_CFG}", ""):
            (None, "present"),
    },
    "An sdist's install requirements are its dependencies": {
        ("requests", "dependencies", f"pkg:pypi/{name} requests-2.32.3/PKG-INFO", ""):
            ("present", None)
        for name in ("certifi", "chardet", "charset-normalizer", "idna", "pysocks", "urllib3")
    },
}
#: Rules allowed on every path: the heading of docs/fidelity.md -> predicate.
DIRECTORY_SIZE = "A directory has no size"
#: A policy many companies set: an unresolved license reference is an error.
STRICT = {**REFERENCE_POLICIES, "license_policies": [
    *REFERENCE_POLICIES["license_policies"][:3],
    {"license_key": "unknown-license-reference", "compliance_alert": "error"},
]}


@pytest.fixture(scope="module", params=sorted(INPUTS))
def scanned(request, sdist_scans):
    name = request.param
    location = DATA_DIR / INPUTS[name][1]
    digest = hashlib.sha256(location.read_bytes()).hexdigest()
    assert digest == golden_facts(name)["input"]["sha256"]
    project = sdist_scans[name]
    facts = facts_of(json_results.document(project.id), records.summary(project.uuid))
    return name, project, facts


def _unexplained(name: str, facts: dict) -> dict:
    """Return the differences with the golden facts that docs/fidelity.md does not explain."""
    found = {}
    for (section, key, field), (ours, theirs) in differences(facts, golden_facts(name)).items():
        if (section, field) == ("files", "size") and ours is None and theirs == 0:
            if facts["files"][key]["type"] == "directory":
                continue  # DIRECTORY_SIZE
        found[(name, section, key, field)] = (ours, theirs)
    allowed = {item: pair for rules in ALLOWED.values() for item, pair in rules.items()}
    return {item: pair for item, pair in found.items() if allowed.get(item) != pair}


def test_every_fact_is_scancodeio_s_or_explained(scanned):
    name, _, facts = scanned
    assert _unexplained(name, facts) == {}


def test_every_allowed_difference_happens(scanned):
    name, _, facts = scanned
    found = differences(facts, golden_facts(name))
    for rules in ALLOWED.values():
        for (input_name, section, key, field) in rules:
            if input_name == name:
                assert (section, key, field) in found, (section, key, field)


@pytest.mark.parametrize("section", ["files", "packages", "dependencies"])
def test_the_same_keys_as_scancodeio(scanned, section):
    name, _, facts = scanned
    assert facts["keys"][section] == golden_facts(name)["keys"][section]


def test_the_see_license_files_carry_the_referenced_license(scanned):
    name, _, facts = scanned
    expected = {
        "requests": {"requests-2.32.3/PKG-INFO": "apache-2.0",
                     "requests-2.32.3/src/requests.egg-info/PKG-INFO": "apache-2.0",
                     "requests-2.32.3/src/requests/__init__.py": "apache-2.0"},
        "click": {"click-8.1.8/pyproject.toml": "bsd-new"},
    }[name]
    found = {path: facts["files"][path]["detected_license_expression"] for path in expected}
    assert found == expected


def test_the_files_of_the_package_are_application_package(scanned):
    name, _, facts = scanned
    statuses = {item["status"] for item in facts["files"].values() if item["type"] == "file"}
    assert statuses == {"application-package"}


def test_no_error_alert_scancodeio_does_not_raise(scanned):
    name, project, _ = scanned
    set_project_policies(project.uuid, STRICT)
    try:
        errors = compliance_alerts(project.uuid, "ERROR").get("resources", {}).get("error", [])
    finally:
        set_project_policies(project.uuid, REFERENCE_POLICIES)
    theirs = {path for path, item in golden_facts(name)["files"].items()
              if item["compliance_alert"] == "error"}
    assert set(errors) - theirs == set()


def test_every_allowed_difference_is_in_fidelity_md():
    text = (ROOT / "docs" / "fidelity.md").read_text()
    for heading in (*ALLOWED, DIRECTORY_SIZE):
        assert f"| {heading} |" in text, heading
    for rules in ALLOWED.values():
        for (_, _, key, _) in rules:
            assert f"`{key.split()[-1]}`" in text, key


@pytest.mark.skipif(not ANCHORS.is_dir(), reason="the ScanCode.io anchors are not beside the clone")
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_golden_facts_are_those_of_the_anchors(name):
    assert golden_facts(name) == anchor_facts(name)
