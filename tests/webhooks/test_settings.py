import pytest

from scanapp.config import SettingsError, load_settings


def test_retry_intervals_and_site_url_defaults():
    settings = load_settings({})
    assert settings.webhook_retry_intervals == (60, 120, 240, 480)
    assert sum(settings.webhook_retry_intervals) == 15 * 60
    assert settings.site_url == "http://127.0.0.1:8001"


def test_retry_intervals_and_site_url_parsed():
    settings = load_settings({"SCANAPP_WEBHOOK_RETRY_INTERVALS": "1, 2,4",
                              "SCANAPP_SITE_URL": "https://scan.example.org/"})
    assert settings.webhook_retry_intervals == (1, 2, 4)
    assert settings.site_url == "https://scan.example.org"
    assert load_settings({"SCANAPP_WEBHOOK_RETRY_INTERVALS": ""}).webhook_retry_intervals == ()


@pytest.mark.parametrize("name, value", [
    ("SCANAPP_WEBHOOK_RETRY_INTERVALS", "1,soon"),
    ("SCANAPP_WEBHOOK_RETRY_INTERVALS", "-5"),
    ("SCANAPP_SITE_URL", "scan.example.org"),
])
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
