"""Commands that talk to a scanapp server: login, logout, whoami, api.

``scanapp login SERVER`` gets a key by the device flow (``/api/authorizations``: a code that
a user approves at the page shown) and keeps it in the user's config file
(``scanapp.cli.credentials``); the other commands send it to that server, or to the one named
by ``--server``.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import time
import webbrowser
from datetime import datetime
from pathlib import Path

import click
import requests

from scanapp import __version__
from scanapp.cli import credentials

#: Seconds one request may take.
TIMEOUT = 30
USER_AGENT = f"scanapp-cli/{__version__}"


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI group."""
    for command in (login, logout, whoami, api):
        group.add_command(command)


def _send(method: str, url: str, key: str | None = None, **kwargs) -> requests.Response:
    headers = {"User-Agent": USER_AGENT, **({"Authorization": f"Bearer {key}"} if key else {})}
    try:
        return requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise click.ClickException(f"Cannot reach {url}: {error}") from error


def _message(response: requests.Response) -> str:
    try:
        return response.json().get("message") or response.reason
    except ValueError:
        return response.reason


server_option = click.option(
    "--server", default=None, metavar="URL",
    help="The server to talk to (default: the last one logged into).")


@click.command()
@click.argument("server")
@click.option("--scope", type=click.Choice(("write", "read")), default="write",
              show_default=True, help="What the key may do: read (GET only) or write.")
@click.option("--token-name", default=None,
              help='Name of the new token [default: "scanapp login on HOSTNAME"].')
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None,
              help="Days until the key stops working (default: never).")
@click.option("--open", "open_page", is_flag=True, help="Open the approval page in a browser.")
def login(server: str, scope: str, token_name: str | None, expires_in_days: int | None,
          open_page: bool) -> None:
    """Log in to SERVER: approve the code shown at the page shown, then the key is kept.

    The key is stored in $XDG_CONFIG_HOME/scanapp/credentials.json (mode 0600) and used by
    scanapp whoami, scanapp api and scanapp logout. Approving needs a write key of yours
    (given on the page, or POST /api/authorizations/approve/CODE).
    """
    from scanapp.services.device_logins import challenge_of  # see scanapp.cli

    url = credentials.server_url(server)
    verifier = secrets.token_urlsafe(48)
    name = (token_name or f"scanapp login on {socket.gethostname()}")[:100]
    response = _send("POST", f"{url}/api/authorizations", json={
        "challenge": challenge_of(verifier), "scope": scope, "token_name": name,
        "expires_in_days": expires_in_days})
    if response.status_code != 200:
        raise click.ClickException(f"{url} refused the login: {_message(response)}")
    started = response.json()
    click.echo(f"To log in, open this page and approve the code {started['code']}:\n\n"
               f"    {started['verification_url']}\n")
    if open_page:
        webbrowser.open(started["verification_url"])
    click.echo("Waiting for the approval (Ctrl-C to give up)...")
    answer = _wait_for_key(url, started, verifier)
    user = answer["user"]["username"]
    path = credentials.remember(url, {
        "username": user, "token": answer["token"], "token_uuid": answer["token_uuid"],
        "token_name": answer["token_name"], "scope": answer["scope"],
        "expires_date": answer["expires_date"]})
    click.echo(f"Logged in to {url} as {user} (token {answer['token_name']!r}, "
               f"{answer['scope']} scope); the key is in {path}.")


def _wait_for_key(url: str, started: dict, verifier: str) -> dict:
    """Poll the exchange until the login is approved; return its answer."""
    deadline = datetime.fromisoformat(started["expires_date"]).timestamp()
    body = {"exchange_token": started["exchange_token"], "verifier": verifier}
    while True:
        response = _send("POST", f"{url}/api/authorizations/exchange", json=body)
        if response.status_code == 200:
            return response.json()
        reason = (response.json().get("errors", {}).get("exchange_token") or [""])[0] \
            if response.headers.get("Content-Type", "").startswith("application/json") else ""
        if reason != "authorization_pending":
            raise click.ClickException(f"Not logged in: {_message(response)}")
        if time.time() + started["poll_interval"] > deadline:
            raise click.ClickException("Not logged in: the code expired before it was approved.")
        time.sleep(started["poll_interval"])


@click.command()
@server_option
@click.option("--keep-token", is_flag=True,
              help="Forget the key here but leave the token working on the server.")
def logout(server: str | None, keep_token: bool) -> None:
    """Revoke the key scanapp login got (on the server) and forget it (here)."""
    url, entry = credentials.entry_for(server)
    if not keep_token:
        response = _send("DELETE", f"{url}/api/user/tokens/{entry['token_uuid']}/",
                         entry["token"])
        if response.status_code not in (204, 401, 404):  # 401, 404: revoked already
            raise click.ClickException(f"{url} did not revoke the token: {_message(response)}")
    credentials.forget(url)
    click.echo(f"Logged out of {url}" + (" (the token still works)." if keep_token else "."))


@click.command()
@server_option
@click.option("--json", "as_json", is_flag=True, help="Print the server's answer as JSON.")
def whoami(server: str | None, as_json: bool) -> None:
    """Print who the stored key logs you in as (GET /api/user)."""
    url, entry = credentials.entry_for(server)
    response = _send("GET", f"{url}/api/user", entry["token"])
    if response.status_code != 200:
        raise click.ClickException(f"{url}: {_message(response)} (scanapp login {url} again)")
    user = response.json()
    if as_json:
        click.echo(json.dumps(user, indent=2))
        return
    click.echo(f"{user['username']} on {url} (token {entry['token_name']!r}, "
               f"{entry['scope']} scope)")


@click.command()
@click.argument("path")
@click.option("-X", "--method", default=None,
              help="HTTP method [default: GET, or POST when --data is given].")
@click.option("-d", "--data", default=None, metavar="JSON|@FILE|@-",
              help="A JSON body: the text, @FILE to read it from a file, @- from stdin.")
@server_option
def api(path: str, method: str | None, data: str | None, server: str | None) -> None:
    """Send a request to PATH of the server with the stored key; print the answer.

    PATH is the part after the server's address (/api/projects/?status=failed). Exit 1 when
    the server answers an error (its JSON is printed all the same).
    """
    url, entry = credentials.entry_for(server)
    if not path.startswith("/"):
        raise click.BadParameter("Give the path after the server's address, starting with /.",
                                 param_hint="PATH")
    body = _body(data)
    response = _send(method or ("POST" if body is not None else "GET"), f"{url}{path}",
                     entry["token"], **({"json": body} if body is not None else {}))
    if response.headers.get("Content-Type", "").startswith("application/json"):
        click.echo(json.dumps(response.json(), indent=2))
    else:
        sys.stdout.buffer.write(response.content)
        sys.stdout.flush()
    if response.status_code >= 400:
        raise click.ClickException(f"HTTP {response.status_code}: {_message(response)}")


def _body(data: str | None):
    if data is None:
        return None
    if data.startswith("@"):
        source = data[1:]
        data = sys.stdin.read() if source == "-" else Path(source).read_text()
    try:
        return json.loads(data)
    except ValueError as error:
        raise click.BadParameter(f"Not JSON: {error}", param_hint="--data") from error
