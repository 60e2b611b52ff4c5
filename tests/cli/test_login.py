"""`scanapp login` end to end: a real `scanapp serve`, the command in a subprocess, the page.

The command prints a code and a page; the user approves it there, as a browser posts its
form; the command then stores the key (0600) and `whoami`, `api` and `logout` use it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess

import pytest
import requests

from scanapp.services.users import create_user
from tests.cli.test_serve import REPO_ROOT, scanapp_command, serving


@pytest.fixture
def served(settings, tmp_path):
    """A server with authentication on; yield its URL and the environment of the commands."""
    env = dict(os.environ, SCANAPP_REQUIRE_AUTHENTICATION="true",
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    with serving(env, tmp_path / "serve.log") as base:
        yield base, env


def scanapp(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*scanapp_command(), *args], cwd=REPO_ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def start_login(env: dict, *args: str) -> tuple[subprocess.Popen, str, str]:
    """Run ``scanapp login`` until it shows its code; return it, the code and the page."""
    process = subprocess.Popen([*scanapp_command(), "login", *args], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    shown = ""
    while "Waiting" not in shown:
        line = process.stdout.readline()
        assert line, f"scanapp login stopped before showing a code:\n{shown}"
        shown += line
    code = re.search(r"approve the code ([A-Z]{4}-[A-Z]{4})", shown).group(1)
    page = re.search(r"(http\S+/login/device\?code=\S+)", shown).group(1)
    return process, code, page


def test_login_stores_the_approved_key_and_the_server_commands_use_it(served, tmp_path):
    base, env = served
    key = create_user("alice")
    process, code, page = start_login(env, base, "--token-name", "laptop")
    assert page == f"{base}/login/device?code={code}"
    assert code in requests.get(page, timeout=10).text  # the page a person opens
    approved = requests.post(f"{base}/login/device", timeout=10,
                             data={"code": code, "key": key, "action": "approve"})
    assert approved.status_code == 200 and "signed in as alice" in approved.text
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert f"Logged in to {base} as alice (token 'laptop', write scope)" in output

    stored = tmp_path / "config" / "scanapp" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    saved = json.loads(stored.read_text())
    assert saved["default"] == base and saved["servers"][base]["username"] == "alice"
    new_key = saved["servers"][base]["token"]
    assert new_key != key

    whoami = scanapp(env, "whoami")
    assert whoami.returncode == 0 and whoami.stdout.startswith(f"alice on {base}")
    made = scanapp(env, "api", "/api/projects/", "-d", '{"name": "from-cli"}')
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["name"] == "from-cli"
    listed = scanapp(env, "api", "/api/projects/")
    assert [p["name"] for p in json.loads(listed.stdout)["results"]] == ["from-cli"]
    missing = scanapp(env, "api", f"/api/projects/{'0' * 8}-0000-0000-0000-{'0' * 12}/")
    assert missing.returncode == 1 and "HTTP 404" in missing.stderr

    out = scanapp(env, "logout")
    assert out.returncode == 0, out.stderr
    assert requests.get(f"{base}/api/user", headers={"Authorization": f"Bearer {new_key}"},
                        timeout=10).status_code == 401  # revoked on the server
    assert requests.get(f"{base}/api/user", headers={"Authorization": f"Bearer {key}"},
                        timeout=10).status_code == 200  # the approver's own key still works
    assert json.loads(stored.read_text())["servers"] == {}
    after = scanapp(env, "whoami")
    assert after.returncode == 1 and "Not logged in" in after.stderr


def test_a_denied_login_exits_1_and_stores_nothing(served, tmp_path):
    base, env = served
    key = create_user("alice")
    process, code, _ = start_login(env, base, "--scope", "read")
    denied = requests.post(f"{base}/api/authorizations/deny/{code}", timeout=10,
                           headers={"Authorization": f"Token {key}"})
    assert denied.status_code == 204
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1 and "The login was denied." in output
    assert not (tmp_path / "config" / "scanapp" / "credentials.json").exists()


def test_login_to_a_server_that_is_not_there_says_so(settings, tmp_path):
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    result = scanapp(env, "login", "http://127.0.0.1:9")
    assert result.returncode == 1 and "Cannot reach http://127.0.0.1:9" in result.stderr
    bad = scanapp(env, "login", "ftp://example.com")
    assert bad.returncode == 2 and "is not an http(s) URL" in bad.stderr
