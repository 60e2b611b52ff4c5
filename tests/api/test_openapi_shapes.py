"""``/api/openapi.json`` describes every response field with its type, list items included."""

from __future__ import annotations

#: Objects whose values are free-form by nature (any JSON value per key).
FREE_FORM = {"extra_data", "settings", "details", "qualifiers", "resolved_package"}


def _untyped(node: dict, where: str, schemas: dict, seen: set) -> list[str]:
    """Return where a schema reachable from ``node`` has a property without a type."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return []
        seen.add(name)
        return _untyped(schemas[name], name, schemas, seen)
    for key in ("allOf", "oneOf", "anyOf"):
        if key in node:
            return [p for item in node[key] for p in _untyped(item, where, schemas, seen)]
    if "type" not in node:
        return [where]
    if node["type"] == "array":
        if "items" not in node:
            return [f"{where}[]"]
        return _untyped(node["items"], f"{where}[]", schemas, seen)
    if node["type"] == "object":
        return _object_problems(node, where, schemas, seen)
    return []


def _object_problems(node: dict, where: str, schemas: dict, seen: set) -> list[str]:
    problems = []
    for name, prop in node.get("properties", {}).items():
        problems += _untyped(prop, f"{where}.{name}", schemas, seen)
    values = node.get("additionalProperties")
    if values == {} and where.rsplit(".", 1)[-1] not in FREE_FORM:
        problems.append(f"{where}.*")
    elif isinstance(values, dict) and values:
        problems += _untyped(values, f"{where}.*", schemas, seen)
    return problems


def response_schemas(document: dict):
    responses = document["components"].get("responses", {})
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue  # the path's own parameters
            for code, response in (operation.get("responses") or {}).items():
                if "$ref" in response:
                    response = responses[response["$ref"].rsplit("/", 1)[1]]
                for content in response.get("content", {}).values():
                    yield f"{method.upper()} {path} {code}", content["schema"]


def test_every_response_field_has_a_type(client):
    document = client.get("/api/openapi.json").json
    schemas, seen, problems = document["components"]["schemas"], set(), []
    found = list(response_schemas(document))
    for where, schema in found:
        problems += _untyped(schema, where, schemas, seen)
    assert problems == []
    assert len(found) > 40 and {"Project", "ProjectDetail", "Resource", "Run"} <= seen


def test_list_items_and_nested_objects_are_described(client):
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    page = schemas["ResourcePage"]["properties"]["results"]
    assert page["items"] == {"$ref": "#/components/schemas/Resource"}
    resource = schemas["Resource"]["properties"]
    assert resource["copyrights"]["items"] == {"$ref": "#/components/schemas/Copyright"}
    assert schemas["Copyright"]["properties"]["start_line"] == {"type": "integer",
                                                                "nullable": True}
    assert {"path", "type", "copyrights", "license_detections"} <= set(
        schemas["Resource"]["required"])
    detail = schemas["ProjectDetail"]["properties"]
    assert detail["runs"]["items"] == {"$ref": "#/components/schemas/Run"}
    assert detail["resource_count"] == {"type": "integer"}


def test_request_bodies_are_schemas_under_json_form_and_multipart(client):
    paths = client.get("/api/openapi.json").json["paths"]
    body = paths["/api/projects/"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json", "multipart/form-data",
                                    "application/x-www-form-urlencoded"}
    schemas = {item["schema"]["$ref"] for item in body["content"].values()}
    assert schemas == {"#/components/schemas/ProjectCreateArguments"}
    params = {item["name"]: item for item in paths["/api/projects/{uuid}/resources/"]["get"]
              ["parameters"] if item["in"] == "query"}
    assert params["size"]["schema"]["type"] == "integer"
    assert params["is_binary"]["schema"]["type"] == "boolean"
