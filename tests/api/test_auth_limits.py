"""Repeated failed authentications from one address are refused (429), counted in Redis."""

from __future__ import annotations

import redis

from scanapp.api import create_app
from scanapp.services.users import create_user
from tests.conftest import override


def app_with_limit(limit: str, **values):
    override(auth_failure_limit=limit, **values)
    return create_app({"TESTING": True}).test_client()


def get(client, key: str = "", address: str = "10.0.0.1", path: str = "/api/projects/"):
    headers = {"Authorization": f"Token {key}"} if key else {}
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address})


def test_an_address_failing_too_often_is_refused_for_a_while(redis_url):
    key = create_user("alice")
    client = app_with_limit("3 per minute", require_authentication=True)
    assert get(client, key).status_code == 200  # a success is not counted
    for _ in range(3):
        assert get(client, "wrong").status_code == 401
    refused = get(client, key)  # even with a good key, from that address
    assert refused.status_code == 429 and refused.is_json
    assert refused.json["code"] == 429
    assert get(client, key, address="10.0.0.2").status_code == 200  # another address
    assert get(client).status_code == 429  # no key where one is needed: refused too
    stored = redis.Redis.from_url(redis_url).keys("*scanapp-auth-failures*")
    assert stored  # counted in Redis, for every server process and host


def test_missing_keys_where_one_is_needed_count_and_open_calls_do_not(redis_url):
    client = app_with_limit("2 per minute")
    for _ in range(5):  # authentication off: anonymous calls are never counted
        assert get(client).status_code == 200
    for _ in range(2):
        assert get(client, path="/api/user").status_code == 401  # a key is needed there
    assert get(client, path="/api/user").status_code == 429
    assert get(client).status_code == 200  # an open call without a key is not refused


def test_the_limit_can_be_turned_off(redis_url):
    client = app_with_limit("", require_authentication=True)
    for _ in range(20):
        assert get(client, "wrong").status_code == 401


def test_without_redis_the_counts_are_kept_in_memory(settings):
    client = app_with_limit("2 per minute", require_authentication=True,
                            redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    assert [get(client, "wrong").status_code for _ in range(3)] == [401, 401, 429]
