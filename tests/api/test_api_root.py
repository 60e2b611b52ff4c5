"""``/api/``: the top-level endpoints as absolute URLs, like ScanCode.io's DRF router root."""

from tests.api.test_auth import create_user
from tests.conftest import override

EXPECTED = {
    "projects": "http://localhost/api/projects/",
    "pipelines": "http://localhost/api/pipelines/",
    "health": "http://localhost/api/health/",
    "ready": "http://localhost/api/ready/",
    "openapi": "http://localhost/api/openapi.json",
    "docs": "http://localhost/api/docs/",
}


def test_get_lists_every_top_level_endpoint_and_each_answers(client):
    response = client.get("/api/")
    assert response.status_code == 200 and response.is_json
    assert response.json == EXPECTED
    for key, url in response.json.items():
        status = client.get(url).status_code
        assert status in ((200, 503) if key == "ready" else (200,)), (key, status)


def test_urls_follow_the_host_the_client_used(client):
    response = client.get("/api/", base_url="https://scan.example.org:8443")
    assert response.json["projects"] == "https://scan.example.org:8443/api/projects/"


def test_head_and_no_trailing_slash(client):
    head = client.head("/api/")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Type"] == "application/json"
    assert client.get("/api").json == EXPECTED


def test_needs_the_key_when_authentication_is_required(client, runner):
    key = create_user(runner, "alice")
    override(require_authentication=True)
    for path in ("/api/", "/api"):
        for method in (client.get, client.head):
            assert method(path).status_code == 401, (path, method)
        response = client.get(path, headers={"Authorization": f"Token {key}"})
        assert response.status_code == 200 and response.json == EXPECTED
    assert client.get("/api/", headers={"Authorization": "Token wrong"}).status_code == 401


def test_documented_in_the_openapi_document(client):
    operation = client.get("/api/openapi.json").json["paths"]["/api/"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ApiRoot"}
    document = client.get("/api/openapi.json").json
    root = document["components"]["schemas"]["ApiRoot"]
    assert set(root["properties"]) == set(EXPECTED) == set(root["required"])
