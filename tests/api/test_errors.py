"""Every error is JSON with ``code`` (the HTTP status) and ``message``; 405 on POST-only actions."""

import pytest

from tests.conftest import override
from tests.factories import make_project

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def assert_error(response, code: int):
    assert response.status_code == code, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)
    body = response.json
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["status"] == body["message"]
    return body


def post_only_paths(app, uuid: str) -> list[str]:
    """Every registered ``/api/`` path that accepts POST but not GET, with a real uuid."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():  # a path may have a rule per method
        if rule.rule.startswith("/api/"):
            methods.setdefault(rule.rule, set()).update(rule.methods)
    return [path.replace("<uuid:uuid>", uuid) for path, found in methods.items()
            if "POST" in found and "GET" not in found]


def test_get_on_every_post_only_action_is_405_json(app, client):
    project = make_project("p")
    paths = post_only_paths(app, project.uuid)
    assert f"/api/projects/{project.uuid}/archive/" in paths
    assert f"/api/projects/{project.uuid}/add_input/" in paths
    for path in paths:
        if "<" in path:
            continue  # another converter than the project uuid
        response = client.get(path)
        body = assert_error(response, 405)
        assert "not allowed" in body["message"].lower(), path
        assert "POST" in response.headers["Allow"], path


def test_errors_are_json_with_code_and_message(client):
    project = make_project("p")
    base = f"/api/projects/{project.uuid}"
    missing = "/api/projects/6461408c-726c-4b70-aa7a-c9cc9d1c9685"
    cases = [
        (client.get("/api/nothing-here/"), 404),
        (client.get("/api/projects/not-a-uuid/"), 404),
        (client.get(f"{missing}/"), 404),
        (client.delete(f"{missing}/"), 404),
        (client.post(f"{missing}/archive/"), 404),
        (client.get(f"{missing}/resources/"), 404),
        (client.get(f"{base}/file_content/"), 400),
        (client.get(f"{base}/file_content/", query_string={"path": "nope"}), 404),
        (client.get(f"{base}/packages/", query_string={"page": "0"}), 400),
        (client.get(f"{base}/packages/", query_string={"page": "x"}), 400),
        (client.get("/api/projects/", query_string={"is_archived": "maybe"}), 400),
        (client.post("/api/projects/", json=["not", "an", "object"]), 400),
        (client.post("/api/projects/", json={"name": ""}), 400),
        (client.post("/api/projects/", json={"name": "x", "labels": [1, 2]}), 400),
        (client.post("/api/projects/", json={"name": "x", "input_urls": 42}), 400),
        (client.post("/api/projects/", json={"name": "x", "execute_now": "sometimes"}), 400),
        (client.post("/api/projects/", json={"name": "x" * 101}), 400),
        (client.post(f"{base}/archive/", json={"remove_input": "perhaps"}), 400),
        (client.post(f"{base}/add_input/", json={"input_urls": ["javascript:alert(1)"]}), 400),
        (client.put(f"{base}/"), 405),
        (client.patch("/api/projects/"), 405),
    ]
    for response, code in cases:
        assert_error(response, code)


def test_validation_errors_name_each_bad_field(client):
    body = assert_error(
        client.post(
            "/api/projects/",
            json={"name": "", "execute_now": "sometimes", "webhooks": [{"target_url": 3}]},
        ),
        400,
    )
    assert {"name", "execute_now", "webhooks"} <= set(body["errors"])
    for messages in body["errors"].values():
        assert messages and all(isinstance(text, str) for text in messages), body
    assert body["errors"]["webhooks"] == ["0.target_url: Not a valid URL."]


def test_unauthorized_is_json_with_code_and_message(client):
    override(require_authentication=True)
    response = client.get("/api/projects/")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Token"
    assert_error(client.get("/api/nothing-here/"), 401)


def test_values_no_database_can_hold_are_400_not_500(client):
    project = make_project("p")
    base = f"/api/projects/{project.uuid}"
    cases = [
        (client.get(f"{base}/resources/", query_string={"size": "9" * 30}), "size"),
        (client.get(f"{base}/resources/", query_string={"path": "a\x00b"}), "path"),
        (client.get("/api/projects/", query_string={"name__contains": "\x00"}), "name__contains"),
        (client.post("/api/projects/", json={"name": "a\x00b"}), "name"),
        (client.post("/api/projects/", json={"name": "n", "labels": ["ok", "x\x00"]}), "labels"),
        (client.post("/api/projects/", json={"name": "n", "settings": {"k\x00": 1}}), "settings"),
        (client.post("/api/projects/", data={"name": "n", "notes": "\x00"}), "notes"),
        (client.post(f"{base}/add_input/", json={"input_urls": ["https://e.com/a#t\x00"]}),
         "input_urls"),
    ]
    for response, field in cases:
        body = assert_error(response, 400)
        assert field in body["errors"], body
    assert client.get("/api/projects/").json["count"] == 1


def test_overlong_file_names_are_404_not_500(client):
    project = make_project("p")
    url = f"/api/projects/{project.uuid}/file_content/"
    for path in ("a" * 300, "dir/" + "é" * 200, "x/" * 3000):
        assert_error(client.get(url, query_string={"path": path}), 404)


def test_deeply_nested_json_is_400(client):
    for body in ("[" * 100_000 + "]" * 100_000,
                 '{"name": "x", "settings": ' + '{"a":' * 990 + "1" + "}" * 990 + "}"):
        response = client.post("/api/projects/", data=body, content_type="application/json")
        assert_error(response, 400)
    assert client.get("/api/projects/").json["count"] == 0
