"""Rules every page keeps, read from the URL map: new pages are checked without a word."""

from __future__ import annotations

import re
import uuid as uuids

from scanapp.lifecycle import update_run
from tests.conftest import override
from tests.runs.conftest import get_run

OPEN = {"web.login", "web.static"}


def page_rules(app):
    """Yield (rule, methods) of every page route, its arguments filled with made-up values."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("web."):
            continue
        path = re.sub(r"<uuid:\w+>", str(uuids.uuid4()), rule.rule)
        path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", path)
        path = re.sub(r"<(?:path:|string:)?\w+>", "x", path)
        yield rule, path, rule.methods - {"HEAD", "OPTIONS"}


def test_every_page_sends_a_stranger_to_sign_in_when_authentication_is_on(app, client):
    override(require_authentication=True)
    for rule, path, methods in page_rules(app):
        if rule.endpoint in OPEN:
            continue
        for method in methods:
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, path)
            assert response.headers["Location"].startswith("/login?next="), (method, path)


def test_every_form_post_without_its_csrf_token_is_refused(app, client):
    posts = [path for _rule, path, methods in page_rules(app) if "POST" in methods]
    assert len(posts) >= 5
    for path in posts:
        response = client.post(path, data={"name": "x"})
        assert response.status_code == 400, path
        assert "CSRF token" in response.get_data(as_text=True), path


def test_a_live_run_reloads_the_page_without_javascript(client):
    created = client.post("/api/projects/", json={"name": "p", "pipeline": "slow",
                                                  "execute_now": False})
    uuid = created.json["uuid"]
    assert "http-equiv=\"refresh\"" not in client.get(f"/projects/{uuid}/").get_data(
        as_text=True)
    run = created.json["runs"][0]["uuid"]
    update_run(get_run(run).id, status="running")
    page = client.get(f"/projects/{uuid}/").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert f'data-refresh="/projects/{uuid}/runs"' in page
