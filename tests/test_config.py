"""Settings: defaults, parsing, and bad values that stop the program naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanapp.config import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults():
    settings = load_settings({})
    assert settings.workdirs == Path("workdirs")
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.sqlalchemy_url.endswith("workdirs/scanapp.sqlite3")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.require_authentication is False
    assert settings.policies_file == Path("policies.yml")
    assert settings.processes == max(1, (os.cpu_count() or 2) - 1)
    assert settings.allow_private_urls is False
    assert settings.page_size == 50
    assert settings.max_upload_size == 10 * 1024**3


def test_values_are_parsed():
    settings = load_settings({
        "SCANAPP_DATABASE_URL": "postgresql://u@h:5432/db",
        "SCANAPP_REQUIRE_AUTHENTICATION": "TRUE",
        "SCANAPP_ALLOW_PRIVATE_URLS": "yes",
        "SCANAPP_PROCESSES": "3",
        "SCANAPP_PAGE_SIZE": "7",
        "SCANAPP_MAX_UPLOAD_SIZE": "500M",
        "SCANAPP_WEBHOOK_RETRY_INTERVALS": "1, 2",
        "SCANAPP_VULNDB_URLS": "https://a.example/PyPI/all.zip, http://mirror:8080/npm/all.zip",
        "SCANAPP_VULNERABLECODE_URL": "https://public.vulnerablecode.io/",
    })
    assert settings.sqlalchemy_url == "postgresql://u@h:5432/db"
    assert settings.require_authentication and settings.allow_private_urls
    assert (settings.processes, settings.page_size) == (3, 7)
    assert settings.max_upload_size == 500 * 1024**2
    assert settings.webhook_retry_intervals == (1, 2)
    assert settings.vulndb_urls == ("https://a.example/PyPI/all.zip",
                                    "http://mirror:8080/npm/all.zip")
    assert settings.vulnerablecode_url == "https://public.vulnerablecode.io"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCANAPP_DATABASE_URL", "mysql://x"),
        ("SCANAPP_REDIS_URL", "http://redis"),
        ("SCANAPP_REQUIRE_AUTHENTICATION", "maybe"),
        ("SCANAPP_PROCESSES", "0"),
        ("SCANAPP_PROCESSES", "many"),
        ("SCANAPP_ALLOW_PRIVATE_URLS", "2"),
        ("SCANAPP_PAGE_SIZE", "-1"),
        ("SCANAPP_MAX_UPLOAD_SIZE", "big"),
        ("SCANAPP_MAX_UPLOAD_SIZE", "0"),
        ("SCANAPP_SITE_URL", "ftp://x"),
        ("SCANAPP_VULNDB_URLS", "https://ok.example/all.zip file:///etc/passwd"),
        ("SCANAPP_VULNDB_REFRESH_INTERVAL", "5"),
        ("SCANAPP_VULNERABLECODE_URL", "vulnerablecode.example"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_cli_stops_at_start_on_a_bad_value(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(tmp_path), SCANAPP_PAGE_SIZE="ten")
    result = subprocess.run([sys.executable, "-m", "scanapp", "migrate"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "SCANAPP_PAGE_SIZE" in result.stderr
    assert not (tmp_path / "scanapp.sqlite3").exists()


def test_an_unknown_variable_is_a_warning_naming_the_closest_setting(tmp_path):
    from scanapp.config import unknown_variables

    assert unknown_variables({"SCANAPP_PAGESIZE": "3", "SCANAPP_TEST_REDIS_URL": "x",
                              "SCANAPP_PAGE_SIZE": "3", "SCANAPP_ZZZ": "1", "OTHER": "1"}) == [
        "SCANAPP_PAGESIZE is not a scanapp setting and is ignored; did you mean SCANAPP_PAGE_SIZE?",
        "SCANAPP_ZZZ is not a scanapp setting and is ignored",
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCANAPP_")}
    env.update(SCANAPP_WORKDIRS=str(tmp_path), SCANAPP_REDIS_URLL="redis://x")
    result = subprocess.run([sys.executable, "-m", "scanapp", "migrate"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "Warning: SCANAPP_REDIS_URLL is not a scanapp setting and is ignored; did you mean " \
           "SCANAPP_REDIS_URL?" in result.stderr
