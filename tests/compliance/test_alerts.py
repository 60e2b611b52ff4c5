"""Stored alerts, the three compliance endpoints, the lookup order and the run-ended hook."""

import pytest
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import CodebaseResource, DiscoveredPackage, Project, ProjectMessage
from scanapp.services.compliance import set_project_policies, update_alerts
from scanapp.workdir import workdir_for
from tests.conftest import override
from tests.factories import make_package, make_project, make_resource, make_run

GLOBAL = """\
license_policies:
  - {license_key: mit, label: Approved, compliance_alert: ''}
  - {license_key: LGPL-2.1-only, label: Restricted, compliance_alert: warning}
  - {license_key: gpl-2.0, label: Prohibited, compliance_alert: error}
license_clarity_thresholds: {91: ok, 80: warning, 0: error}
scorecard_score_thresholds: {9.0: ok, 7.0: warning, 0: error}
"""
BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def global_file(settings, tmp_path):
    path = tmp_path / "global-policies.yml"
    path.write_text(GLOBAL)
    override(policies_file=path)
    return path


@pytest.fixture
def project(global_file):
    item = make_project("alerts")
    for path, expression in [
        ("src", ""),
        ("src/a.py", "mit"),
        ("src/b.py", "mit AND gpl-2.0"),
        ("src/c.py", "mit OR lgpl-2.1"),
        ("src/d.py", "gpl-2.0 WITH classpath-exception-2.0"),
        ("src/e.py", "unknown-license-reference"),
        ("src/f.py", "mit WITH classpath-exception-2.0"),
    ]:
        make_resource(item, path, detected_license_expression=expression,
                      type="directory" if path == "src" else "file")
    make_package(item, "pkg:pypi/ok@1.0", declared_license_expression="mit")
    make_package(item, "pkg:pypi/bad@1.0", declared_license_expression="gpl-2.0 OR mit")
    make_package(item, "pkg:pypi/unknown@1.0", declared_license_expression="proprietary-license")
    make_package(item, "pkg:pypi/none@1.0")
    return item


def alerts_of(model, project):
    with session_scope() as session:
        rows = session.exec(select(model).where(model.project_id == project.id)).all()
        key = "path" if model is CodebaseResource else "purl"
        return {getattr(row, key): row.compliance_alert for row in rows}


@BOTH_DATABASES
def test_update_alerts_stores_the_worst_alert_of_each_expression(project):
    update_alerts(project.id)
    assert alerts_of(CodebaseResource, project) == {
        "src": "", "src/a.py": "ok", "src/b.py": "error", "src/c.py": "warning",
        "src/d.py": "error", "src/e.py": "missing", "src/f.py": "missing",
    }
    assert alerts_of(DiscoveredPackage, project) == {
        "pkg:pypi/ok@1.0": "ok", "pkg:pypi/bad@1.0": "error",
        "pkg:pypi/unknown@1.0": "missing", "pkg:pypi/none@1.0": "",
    }


@BOTH_DATABASES
def test_compliance_endpoint_each_fail_level(client, project):
    url = f"/api/projects/{project.uuid}/compliance/"
    default = client.get(url)
    assert default.status_code == 200
    assert default.json == {"compliance_alerts": {
        "packages": {"error": ["pkg:pypi/bad@1.0"]},
        "resources": {"error": ["src/b.py", "src/d.py"]},
    }}
    assert client.get(url + "?fail_level=ERROR").json == default.json
    assert client.get(url + "?fail_level=error").json == default.json
    assert client.get(url + "?fail_level=").json == default.json
    warning = client.get(url + "?fail_level=Warning").json["compliance_alerts"]
    assert warning["packages"] == {"error": ["pkg:pypi/bad@1.0"]}
    assert list(warning["resources"].items()) == [
        ("error", ["src/b.py", "src/d.py"]), ("warning", ["src/c.py"])]
    missing = client.get(url + "?fail_level=MISSING").json["compliance_alerts"]
    assert list(missing["packages"].items()) == [
        ("error", ["pkg:pypi/bad@1.0"]), ("missing", ["pkg:pypi/unknown@1.0"])]
    assert list(missing["resources"]) == ["error", "warning", "missing"]
    assert missing["resources"]["missing"] == ["src/e.py", "src/f.py"]


def test_bad_fail_level_is_a_400(client, project):
    for value in ("FATAL", "ok", "ERRORS"):
        response = client.get(f"/api/projects/{project.uuid}/compliance/?fail_level={value}")
        assert response.status_code == 400, value
        assert "fail_level" in response.json["errors"]
        assert "is not one of ERROR, WARNING, MISSING" in response.json["message"]


def test_unknown_project_is_a_404(client, settings):
    uuid = "00000000-0000-4000-8000-000000000000"
    for action in ("compliance", "license_clarity_compliance", "scorecard_compliance"):
        assert client.get(f"/api/projects/{uuid}/{action}/").status_code == 404


def test_no_alerts_gives_an_empty_mapping(client, global_file):
    item = make_project("clean")
    make_resource(item, "a.py", detected_license_expression="mit")
    response = client.get(f"/api/projects/{item.uuid}/compliance/?fail_level=MISSING")
    assert response.json == {"compliance_alerts": {}}


def test_alerts_follow_a_change_of_the_global_file(client, project, global_file):
    url = f"/api/projects/{project.uuid}/compliance/"
    assert client.get(url).json["compliance_alerts"]["packages"] == {"error": ["pkg:pypi/bad@1.0"]}
    global_file.write_text(GLOBAL.replace("compliance_alert: error", "compliance_alert: ''  "))
    assert client.get(url).json == {"compliance_alerts": {}}
    assert alerts_of(DiscoveredPackage, project)["pkg:pypi/bad@1.0"] == "ok"


@BOTH_DATABASES
def test_compliance_alert_filter_on_lists(client, project):
    update_alerts(project.id)
    packages = client.get(f"/api/projects/{project.uuid}/packages/?compliance_alert=error")
    assert packages.status_code == 200
    assert [item["purl"] for item in packages.json["results"]] == ["pkg:pypi/bad@1.0"]
    assert packages.json["results"][0]["compliance_alert"] == "error"
    resources = client.get(f"/api/projects/{project.uuid}/resources/?compliance_alert=missing")
    assert [item["path"] for item in resources.json["results"]] == ["src/e.py", "src/f.py"]
    none = client.get(f"/api/projects/{project.uuid}/resources/?compliance_alert=")
    assert [item["path"] for item in none.json["results"]] == ["src"]


def store_summary(project, summary):
    workdir_for(project.slug).store_summary(summary)


@pytest.mark.parametrize(("summary", "alert"), [
    ({"license_clarity_score": {"score": 100}}, "ok"),
    ({"license_clarity_score": {"score": 91}}, "ok"),
    ({"license_clarity_score": {"score": 85}}, "warning"),
    ({"license_clarity_score": {"score": 10}}, "error"),
    ({"license_clarity_score": {}}, "error"),
    ({}, "error"),
    (None, None),
])
def test_license_clarity_compliance(client, global_file, summary, alert):
    item = make_project("clarity")
    if summary is not None:
        store_summary(item, summary)
    response = client.get(f"/api/projects/{item.uuid}/license_clarity_compliance/")
    assert response.status_code == 200
    assert response.json == {"license_clarity_compliance_alert": alert}


def test_license_clarity_without_thresholds_is_null(client, settings, tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("license_policies: [{license_key: mit}]\n")
    override(policies_file=path)
    item = make_project("no-thresholds")
    store_summary(item, {"license_clarity_score": {"score": 10}})
    response = client.get(f"/api/projects/{item.uuid}/license_clarity_compliance/")
    assert response.json == {"license_clarity_compliance_alert": None}


@pytest.mark.parametrize(("scores", "alert"), [
    ([9.5, 9.0], "ok"),
    ([9.5, 7.2], "warning"),
    ([9.5, 7.2, 3.0], "error"),
    ([], None),
])
def test_scorecard_compliance(client, global_file, scores, alert):
    item = make_project("scorecard")
    make_package(item, "pkg:npm/unscored@1.0")
    for index, score in enumerate(scores):
        make_package(item, f"pkg:npm/p{index}@1.0", extra_data={"scorecard": {"score": score}})
    response = client.get(f"/api/projects/{item.uuid}/scorecard_compliance/")
    assert response.status_code == 200
    assert response.json == {"scorecard_compliance_alert": alert}


def test_lookup_order_setting_then_input_file_then_global(client, global_file):
    item = make_project("lookup")
    make_resource(item, "a.py", detected_license_expression="mit")
    url = f"/api/projects/{item.uuid}/compliance/?fail_level=MISSING"
    assert client.get(url).json == {"compliance_alerts": {}}  # global: mit is ok

    input_file = workdir_for(item.slug).input / "policies.yml"
    input_file.write_text("license_policies:\n  - {license_key: mit, compliance_alert: warning}\n")
    assert client.get(url).json["compliance_alerts"] == {"resources": {"warning": ["a.py"]}}

    set_project_policies(item.uuid, {"license_policies": [
        {"license_key": "MIT", "label": "No", "compliance_alert": "error"}]})
    assert alerts_of(CodebaseResource, item) == {"a.py": "error"}
    assert client.get(url).json["compliance_alerts"] == {"resources": {"error": ["a.py"]}}

    set_project_policies(item.uuid, "license_policies: []\n")  # YAML text: no license policy
    assert client.get(url).json == {"compliance_alerts": {}}
    assert alerts_of(CodebaseResource, item) == {"a.py": ""}

    set_project_policies(item.uuid, None)  # removed: the input file applies again
    assert client.get(url).json["compliance_alerts"] == {"resources": {"warning": ["a.py"]}}


def test_invalid_input_file_is_a_400_on_read(client, global_file):
    item = make_project("bad-input")
    (workdir_for(item.slug).input / "policies.yml").write_text("license_policy: []\n")
    response = client.get(f"/api/projects/{item.uuid}/compliance/")
    assert response.status_code == 400
    assert response.json["message"] == (
        "input policies.yml: line 1 (license_policy): unknown key 'license_policy'; expected one "
        "of license_policies, license_clarity_thresholds, scorecard_score_thresholds, "
        "vulnerability_severity_thresholds"
    )


def test_create_project_with_policies_setting(client, global_file):
    policies = {"license_policies": [{"license_key": "mit", "compliance_alert": "error"}]}
    created = client.post("/api/projects/", json={"name": "with-policies",
                                                  "settings": {"policies": policies}})
    assert created.status_code == 201, created.json
    yaml_text = "license_policies:\n  - license_key: mit\n    compliance_alert: warning\n"
    created = client.post("/api/projects/", json={"name": "with-yaml",
                                                  "settings": {"policies": yaml_text}})
    assert created.status_code == 201, created.json
    with session_scope() as session:
        stored = session.exec(select(Project).where(Project.name == "with-yaml")).one()
    assert stored.settings == {"policies": yaml_text}


@pytest.mark.parametrize(("policies", "message"), [
    ({"license_policies": [{"license_key": "mit", "compliance_alert": "fatal"}]},
     "settings: policies: license_policies[0].compliance_alert: compliance_alert 'fatal' is not "
     "one of '', 'warning', 'error'"),
    ({"license_clarity": {}},
     "settings: policies: license_clarity: unknown key 'license_clarity'; expected one of "
     "license_policies, license_clarity_thresholds, scorecard_score_thresholds, "
     "vulnerability_severity_thresholds"),
    ({"vulnerability_severity_thresholds": {"severe": "error"}},
     "settings: policies: vulnerability_severity_thresholds.severe: level 'severe' is not one "
     "of critical, high, medium, low, none"),
    ({"license_clarity_thresholds": {"0": "error", "90": "ok"}},
     "settings: policies: license_clarity_thresholds.90: thresholds must be strictly "
     "descending: 90 after 0"),
    ("license_policies:\n  - license_key: mit\n    compliance_alert: [\n",
     "settings: policies: line 4, column 1: invalid YAML"),
    ("license_policies:\n  - license_key: mit\n    colour: red\n",
     "settings: policies: line 3 (license_policies[0].colour): unknown key 'colour'"),
    (["mit"], "settings: policies: must be a mapping or YAML text like policies.yml"),
])
def test_create_project_with_invalid_policies_is_a_400(client, global_file, policies, message):
    body = {"name": "bad", "settings": {"policies": policies}}
    response = client.post("/api/projects/", json=body)
    assert response.status_code == 400
    assert response.json["message"].startswith(message), response.json["message"]
    assert list(response.json["errors"]) == ["settings"]
    with session_scope() as session:
        assert session.exec(select(Project)).all() == []


def test_run_end_recomputes_alerts_before_webhooks(global_file):
    from scanapp.services.run_end import AFTER_RUN
    from scanapp.services.runs import execute_in_process as execute_run

    hooks = [hook.__name__ for hook in AFTER_RUN]
    assert hooks == ["update_alerts_after_run", "refresh_counts_after_run", "refresh_after_run",
                     "fire_webhooks"]
    item = make_project("hooked")
    make_resource(item, "a.py", detected_license_expression="gpl-2.0")
    run = make_run(item, "do_nothing")
    assert execute_run(run.id) == 0
    assert alerts_of(CodebaseResource, item) == {"a.py": "error"}


def test_invalid_input_file_becomes_a_run_error_message(global_file):
    from scanapp.services.runs import execute_in_process as execute_run

    item = make_project("bad-input-run")
    make_resource(item, "a.py", detected_license_expression="gpl-2.0")
    text = "license_policies:\n  - license_key: mit\n    compliance_alert: maybe\n"
    (workdir_for(item.slug).input / "policies.yml").write_text(text)
    run = make_run(item, "do_nothing")
    assert execute_run(run.id) == 0
    with session_scope() as session:
        [message] = session.exec(
            select(ProjectMessage).where(ProjectMessage.project_id == item.id)).all()
    assert message.severity == "error" and message.model == "do_nothing"
    assert message.description == (
        "Compliance alerts not computed: input policies.yml: line 3 "
        "(license_policies[0].compliance_alert): compliance_alert 'maybe' is not one of '', "
        "'warning', 'error'"
    )
    assert alerts_of(CodebaseResource, item) == {"a.py": ""}
