from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import Project, WebhookDelivery, WebhookSubscription
from tests.conftest import override
from tests.factories import make_project, make_run


def subscriptions():
    with session_scope() as session:
        return session.exec(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()


def test_add_webhook_json_returns_201_and_stores_flags(client, settings):
    override(allow_private_urls=True)
    project = make_project("p")
    response = client.post(
        f"/api/projects/{project.uuid}/add_webhook/",
        json={"target_url": "http://127.0.0.1:9/hook", "trigger_on_each_run": True,
              "include_summary": True, "include_results": False, "is_active": True},
    )
    assert response.status_code == 201, response.json
    assert response.json == {"status": "Webhook added."}
    [stored] = subscriptions()
    assert stored.project_id == project.id
    assert stored.target_url == "http://127.0.0.1:9/hook"
    assert (stored.trigger_on_each_run, stored.include_summary, stored.include_results,
            stored.is_active) == (True, True, False, True)


def test_add_webhook_form_data_and_defaults(client, settings):
    project = make_project("p")
    response = client.post(f"/api/projects/{project.uuid}/add_webhook/",
                           data={"target_url": "https://93.184.215.14/hook"})
    assert response.status_code == 201, response.json
    [stored] = subscriptions()
    assert (stored.trigger_on_each_run, stored.include_summary, stored.include_results,
            stored.is_active) == (False, False, False, True)


def test_add_webhook_refuses_bad_urls_and_stores_nothing(client, settings):
    project = make_project("p")
    cases = [
        {},
        {"target_url": ""},
        {"target_url": "ftp://example.com/hook"},
        {"target_url": "not a url"},
        {"target_url": "http://127.0.0.1:8000/hook"},
        {"target_url": "http://localhost/hook"},
        {"target_url": "http://10.1.2.3/hook"},
        {"target_url": "http://169.254.169.254/latest/meta-data"},
        {"target_url": "http://[::1]/hook"},
        {"target_url": "http://[::ffff:192.168.0.1]/hook"},
        {"target_url": "https://example.com/" + "x" * 1100},
    ]
    for body in cases:
        response = client.post(f"/api/projects/{project.uuid}/add_webhook/", json=body)
        assert response.status_code == 400, (body, response.json)
        assert "target_url" in response.json["errors"], response.json
    assert subscriptions() == []


def test_private_refusal_names_the_setting_and_the_setting_allows_it(client, settings):
    project = make_project("p")
    url = f"/api/projects/{project.uuid}/add_webhook/"
    refused = client.post(url, json={"target_url": "http://192.168.1.5/hook"})
    assert refused.status_code == 400
    assert "SCANAPP_ALLOW_PRIVATE_URLS" in refused.json["message"]
    override(allow_private_urls=True)
    assert client.post(url, json={"target_url": "http://192.168.1.5/hook"}).status_code == 201


def test_add_webhook_unknown_project_is_404(client, settings):
    missing = "/api/projects/6461408c-726c-4b70-aa7a-c9cc9d1c9685/"
    response = client.post(missing + "add_webhook/", json={"target_url": "https://example.com/h"})
    assert response.status_code == 404
    assert client.get(missing + "webhooks/").status_code == 404


def test_create_project_refuses_private_webhooks_and_stores_nothing(client, settings):
    for body in (
        {"name": "a", "webhook_url": "http://127.0.0.1/hook"},
        {"name": "a", "webhooks": [{"target_url": "https://example.com/ok"},
                                   {"target_url": "http://10.0.0.1/hook"}]},
    ):
        response = client.post("/api/projects/", json=body)
        assert response.status_code == 400, response.json
        assert "SCANAPP_ALLOW_PRIVATE_URLS" in response.json["message"]
    with session_scope() as session:
        assert session.exec(select(Project)).all() == []
    assert subscriptions() == []


def test_create_project_stores_webhook_url_and_webhooks_listed_on_detail(client, settings):
    response = client.post("/api/projects/", json={
        "name": "hooks",
        "webhook_url": "https://example.com/one",
        "webhooks": [{"target_url": "https://example.com/two", "trigger_on_each_run": True,
                      "include_results": True, "is_active": False}],
    })
    assert response.status_code == 201, response.json
    detail = client.get(f"/api/projects/{response.json['uuid']}/").json
    hooks = {hook["target_url"]: hook for hook in detail["webhooks"]}
    assert set(hooks) == {"https://example.com/one", "https://example.com/two"}
    assert hooks["https://example.com/two"]["trigger_on_each_run"] is True
    assert hooks["https://example.com/two"]["is_active"] is False


def test_webhooks_endpoint_lists_subscriptions_with_their_deliveries(client, settings):
    override(allow_private_urls=True)
    project = make_project("p")
    run = make_run(project)
    url = f"/api/projects/{project.uuid}/"
    client.post(url + "add_webhook/", json={"target_url": "http://127.0.0.1:1/a"})
    client.post(url + "add_webhook/", json={"target_url": "http://127.0.0.1:1/b"})
    first = subscriptions()[0]
    with session_scope() as session:
        for number, status in ((1, 500), (2, 200)):
            session.add(WebhookDelivery(
                webhook_id=first.id, run_id=run.id, delivery_id="d-1", event="run.success",
                attempt=number, target_url=first.target_url, response_status_code=status,
                response_text=f"answered {status}", success=status == 200, duration=0.01,
            ))
    data = client.get(url + "webhooks/").json
    assert data["count"] == 2
    a, b = data["results"]
    assert a["target_url"].endswith("/a") and b["deliveries"] == []
    assert [(d["attempt"], d["response_status_code"], d["success"]) for d in a["deliveries"]] == [
        (1, 500, False), (2, 200, True)]
    delivery = a["deliveries"][0]
    assert delivery["run"] == run.uuid and delivery["delivery_id"] == "d-1"
    assert {"response_text", "delivery_error", "duration", "sent_date", "event"} <= set(delivery)
