"""Policies: loading, each validation error (with its line or key), key lookup, alerts."""

from pathlib import Path

import pytest

from scanapp.policies import (
    PolicyError,
    canonical_key,
    license_alert,
    load_policies_file,
    parse_policies,
    score_alert,
)

REPO_POLICIES = Path(__file__).parents[2] / "policies.yml"

POLICIES = """\
license_policies:
  - license_key: mit
    label: Approved License
    compliance_alert: ''
  - license_key: Apache-2.0
    label: Approved License
    compliance_alert: ''
  - license_key: lgpl-2.1
    label: Restricted License
    compliance_alert: warning
  - license_key: gpl-2.0
    label: Prohibited License
    compliance_alert: error
  - license_key: classpath-exception-2.0
    label: Exception
    compliance_alert:
license_clarity_thresholds:
  91: ok
  80: warning
  0: error
scorecard_score_thresholds:
  9.0: ok
  7.0: warning
  0: error
"""


@pytest.fixture(scope="module")
def policies():
    return parse_policies(POLICIES, "test")


def test_the_default_file_is_valid_and_every_key_is_a_scancode_key():
    from scanapp.licensing import license_db

    policies = load_policies_file(REPO_POLICIES)
    keys = set(license_db())
    assert set(policies.license_policies) <= keys
    assert policies.license_policies["gpl-3.0"].compliance_alert == "error"
    assert policies.license_policies["mit"].compliance_alert == ""
    assert policies.license_clarity_thresholds == ((91, "ok"), (80, "warning"), (0, "error"))
    assert policies.scorecard_score_thresholds == ((9.0, "ok"), (7.0, "warning"), (0, "error"))


def test_loading_text_and_mapping_gives_the_same_policies(policies):
    import yaml

    as_mapping = parse_policies(yaml.safe_load(POLICIES), "mapping")
    assert as_mapping.license_policies == policies.license_policies
    assert as_mapping.fingerprint == policies.fingerprint
    assert policies.license_policies["apache-2.0"].license_key == "Apache-2.0"
    assert policies.license_policies["classpath-exception-2.0"].compliance_alert == ""


def test_json_string_keys_are_accepted_for_thresholds():
    parsed = parse_policies({"license_clarity_thresholds": {"90": "ok", "0": "error"},
                             "scorecard_score_thresholds": {"7.5": "ok", "0": "error"}}, "api")
    assert parsed.license_clarity_thresholds == ((90, "ok"), (0, "error"))
    assert parsed.scorecard_score_thresholds == ((7.5, "ok"), (0, "error"))


def test_empty_documents_have_no_policies():
    for value in ("", "# nothing\n", {}, None):
        parsed = parse_policies(value, "empty")
        assert parsed.license_policies == {} and parsed.license_clarity_thresholds == ()


def error_for(text: str) -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policies(text, "policies.yml")
    return caught.value.message


def test_unknown_top_key_names_its_line():
    message = error_for("license_policies: []\nlicence_clarity_thresholds:\n  90: ok\n")
    assert message.startswith("policies.yml: line 2 (licence_clarity_thresholds): unknown key")


def test_unknown_policy_key_names_its_line_and_path():
    message = error_for("license_policies:\n  - license_key: mit\n    alert: error\n")
    assert "line 3 (license_policies[0].alert): unknown key 'alert'" in message


def test_bad_alert_names_its_line():
    message = error_for(
        "license_policies:\n  - license_key: mit\n    compliance_alert: ''\n"
        "  - license_key: gpl-2.0\n    compliance_alert: fatal\n"
    )
    assert "line 5 (license_policies[1].compliance_alert)" in message
    assert "'fatal' is not one of '', 'warning', 'error'" in message


def test_ok_is_not_a_license_alert():
    assert "is not one of" in error_for("license_policies:\n  - {license_key: mit, "
                                        "compliance_alert: ok}\n")


def test_missing_license_key():
    message = error_for("license_policies:\n  - label: nameless\n")
    assert "line 2 (license_policies[0]): license_key is required" in message


def test_duplicate_license_key_by_spdx_id():
    message = error_for("license_policies:\n  - license_key: mit\n  - license_key: MIT\n")
    assert "line 3 (license_policies[1].license_key): duplicate license_key 'MIT'" in message


def test_thresholds_not_strictly_descending():
    message = error_for("license_clarity_thresholds:\n  80: warning\n  91: ok\n  0: error\n")
    expected = "line 3 (license_clarity_thresholds.91): thresholds must be strictly descending"
    assert expected in message
    equal = error_for("scorecard_score_thresholds:\n  7.5: ok\n  7.50: warning\n")
    assert "line 3, column 3: invalid YAML: duplicate key '7.50'" in equal
    same = error_for("scorecard_score_thresholds:\n  7: ok\n  7: warning\n")
    assert "line 3, column 3: invalid YAML: duplicate key '7'" in same


def test_threshold_values_and_keys():
    assert "alert 'fine' is not one of ok, warning, error" in error_for(
        "license_clarity_thresholds:\n  90: fine\n")
    assert "threshold 'high' must be an integer from 0 to 100" in error_for(
        "license_clarity_thresholds:\n  high: ok\n")
    assert "threshold 90.5 must be an integer" in error_for(
        "license_clarity_thresholds:\n  90.5: ok\n")
    assert "threshold 11 must be a number from 0 to 10" in error_for(
        "scorecard_score_thresholds:\n  11: ok\n")
    assert "must be a mapping" in error_for("license_clarity_thresholds: [90, 0]\n")
    assert "threshold '1e400' must be an integer" in error_for(
        "license_clarity_thresholds:\n  1e400: ok\n")
    assert "must be an integer" in error_for(f"license_clarity_thresholds:\n  {10**400}: ok\n")
    assert "threshold 'nan' must be a number" in error_for(
        "scorecard_score_thresholds:\n  nan: ok\n")


def test_unparsable_yaml_names_line_and_column():
    message = error_for("license_policies:\n  - license_key: mit\n    label: [unclosed\n")
    assert message.startswith("policies.yml: line 4, column 1: invalid YAML")
    tabs = error_for("license_policies:\n\t- license_key: mit\n")
    assert "line 2" in tabs and "invalid YAML" in tabs


def test_not_a_mapping():
    assert "must be a mapping" in error_for("- mit\n- gpl\n")
    assert "must be a list" in error_for("license_policies: mit\n")


def test_errors_on_a_mapping_name_the_key_path():
    with pytest.raises(PolicyError) as caught:
        parse_policies({"license_policies": [{"license_key": "mit", "compliance_alert": "x"}]},
                       "settings.policies")
    assert caught.value.message == (
        "settings.policies: license_policies[0].compliance_alert: "
        "compliance_alert 'x' is not one of '', 'warning', 'error'"
    )


def test_unreadable_file(tmp_path):
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policies_file(tmp_path / "missing.yml")


def test_canonical_keys():
    assert canonical_key("MIT") == "mit"
    assert canonical_key("GPL-2.0-or-later") == canonical_key("GPL-2.0+") == "gpl-2.0-plus"
    assert canonical_key("BSD-3-Clause") == "bsd-new"
    assert canonical_key("LicenseRef-scancode-public-domain") == "public-domain"
    assert canonical_key("Not-A-License") == "not-a-license"


@pytest.mark.parametrize(("expression", "alert"), [
    ("mit", "ok"),
    ("MIT", "ok"),  # SPDX id in the expression, ScanCode key in the policy
    ("apache-2.0", "ok"),  # ScanCode key in the expression, SPDX id in the policy
    ("mit AND apache-2.0", "ok"),
    ("mit AND gpl-2.0", "error"),
    ("mit OR gpl-2.0", "error"),
    ("(mit OR lgpl-2.1) AND apache-2.0", "warning"),
    ("mit AND unknown-license-reference", "missing"),
    ("lgpl-2.1 AND unknown-license-reference", "warning"),
    ("gpl-2.0 WITH classpath-exception-2.0", "error"),
    ("lgpl-2.1 WITH classpath-exception-2.0", "warning"),
    ("mit WITH unknown-exception", "missing"),
    ("apache-2.0 WITH classpath-exception-2.0", "ok"),
    ("bsd-new", "missing"),
    ("mit AND (", "missing"),
    ("", ""),
    ("   ", ""),
    (None, ""),
])
def test_license_alerts(policies, expression, alert):
    assert license_alert(policies, expression) == alert


def test_no_license_policies_gives_no_alert():
    assert license_alert(None, "gpl-2.0") == ""
    assert license_alert(parse_policies("license_clarity_thresholds: {0: ok}", "x"), "mit") == ""


@pytest.mark.parametrize(("score", "alert"), [
    (100, "ok"), (91, "ok"), (90, "warning"), (80, "warning"), (79.9, "error"),
    (79, "error"), (0, "error"), (None, "error"), ("n/a", "error"),
])
def test_clarity_score_alert(policies, score, alert):
    assert score_alert(policies.license_clarity_thresholds, score) == alert


def test_score_below_every_threshold_is_error_and_no_thresholds_is_none():
    assert score_alert(((9.0, "ok"), (5.0, "warning")), 4.9) == "error"
    assert score_alert(((9.0, "ok"), (5.0, "warning")), 5) == "warning"
    assert score_alert((), 5) is None
