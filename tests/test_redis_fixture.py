def test_redis_fixture_claims_an_empty_database(redis_url):
    import redis

    connection = redis.Redis.from_url(redis_url)
    assert connection.get("scanapp-test-claim") is not None
    assert connection.dbsize() == 1
