"""ScanCode.io's pipelines needing a service scanapp has no client for: listed, never addable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanapp.errors import PipelineError
from scanapp.registry import get_pipeline

ANCHOR = Path(__file__).resolve().parents[2].parent / "shared/anchors/scancodeio/pipelines.json"

REASONS = {
    "enrich_with_purldb": "PurlDB is not configured: scanapp has no PurlDB client yet.",
    "populate_purldb": "PurlDB is not configured: scanapp has no PurlDB client yet.",
    "find_origins": "No origin detection tool is configured: MatchCode.io or SCANOSS. "
                    "scanapp has no MatchCode.io nor SCANOSS client yet.",
    "match_to_matchcode": "MatchCode.io is not configured: scanapp has no MatchCode.io client yet.",
    "publish_to_federatedcode": "FederatedCode is not configured: "
                                "scanapp has no FederatedCode client yet.",
    "scan_repo_health": "Grimoirelab is not configured: scanapp does not run grimoirelab-metrics "
                        "yet.",
    "find_vulnerabilities": "The vulnerability database is empty: load OSV records with "
                            "`scanapp vulndb load all.zip` (osv.dev's ecosystem exports).",
    "analyze_symbols_reachability": "It needs VulnerableCode's patch data (from "
                                    "find_vulnerabilities): scanapp has no VulnerableCode "
                                    "client yet.",
}


def test_listed_unavailable_with_the_reason(client):
    listed = {item["name"]: item for item in client.get("/api/pipelines/").json}
    for name, reason in REASONS.items():
        assert listed[name]["is_available"] is False, name
        assert listed[name]["unavailable_reason"] == reason
    steps = [step["name"] for step in listed["find_vulnerabilities"]["steps"]]
    assert steps == ["check_vulnerablecode_service_availability",
                     "lookup_packages_vulnerabilities", "lookup_dependencies_vulnerabilities"]
    assert listed["fetch_scores"]["is_available"] is True


@pytest.mark.skipif(not ANCHOR.is_file(), reason="the ScanCode.io anchors are not beside the clone")
def test_names_summaries_and_steps_are_scancodeios(client):
    reference = {item["name"]: item for item in json.loads(ANCHOR.read_text())}
    listed = {item["name"]: item for item in client.get("/api/pipelines/").json}
    for name in [*REASONS, "fetch_scores"]:
        ours, theirs = listed[name], reference[name]
        assert ours["summary"] == theirs["summary"], name
        assert theirs["description"] in ours["description"], name
        assert ours["steps"] == theirs["steps"], name


@pytest.mark.parametrize("name", ["enrich_with_purldb", "analyze_symbols_reachability"])
def test_creating_a_project_with_one_is_a_400_naming_the_reason(client, name):
    response = client.post("/api/projects/", json={"name": f"p-{name}", "pipeline": name})
    assert response.status_code == 400
    assert REASONS[name] in json.dumps(response.json)
    assert client.get("/api/projects/").json["count"] == 0


def test_adding_one_to_a_project_is_a_400(client):
    project = client.post("/api/projects/", json={"name": "later"}).json
    response = client.post(f"/api/projects/{project['uuid']}/add_pipeline/",
                           json={"pipeline": "populate_purldb"})
    assert response.status_code == 400
    assert REASONS["populate_purldb"] in json.dumps(response.json)


def test_a_step_called_directly_raises_instead_of_pretending(client):
    pipeline = get_pipeline("match_to_matchcode")(context=None)
    with pytest.raises(PipelineError, match="match_to_matchcode pipeline is not supported"):
        pipeline.send_project_json_to_matchcode()
