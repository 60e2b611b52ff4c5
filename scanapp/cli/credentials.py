"""The keys ``scanapp login`` got, kept in the user's config file (mode 0600).

``$XDG_CONFIG_HOME/scanapp/credentials.json`` (``~/.config/scanapp/credentials.json`` by
default): one entry per server base URL, and the server used when a command names none (the
last one logged into). The file is written whole to a new file then renamed over the old one,
so a reader never sees half of it; it is created readable by its owner only, its folder 0700.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import click

FILE_NAME = "credentials.json"


def credentials_path() -> Path:
    """Return where the keys are kept."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "scanapp" / FILE_NAME


def server_url(server: str) -> str:
    """Return a server's base URL as stored: scheme (https when none is given), host, port."""
    server = server.strip().rstrip("/")
    if "://" not in server:
        server = f"https://{server}"
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{server!r} is not an http(s) URL.", param_hint="SERVER")
    path = parts.path.rstrip("/").removesuffix("/api")
    return f"{parts.scheme}://{parts.netloc}{path}"


def load() -> dict:
    """Return the stored credentials: ``{"default": URL, "servers": {URL: entry}}``."""
    path = credentials_path()
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {"default": None, "servers": {}}
    except (OSError, ValueError) as error:
        raise click.ClickException(f"Cannot read {path}: {error}") from error
    data.setdefault("default", None)
    data.setdefault("servers", {})
    return data


def save(data: dict) -> Path:
    """Write the credentials (0600, whole or not at all); return the file's path."""
    path = credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILE_NAME}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.chmod(temporary, 0o600)  # an existing leftover kept its mode through O_CREAT
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def entry_for(server: str | None) -> tuple[str, dict]:
    """Return the base URL and stored entry of ``server`` (None: the default one)."""
    data = load()
    url = server_url(server) if server else data["default"]
    if not url:
        raise click.ClickException("Not logged in: run scanapp login SERVER first.")
    entry = data["servers"].get(url)
    if entry is None:
        raise click.ClickException(f"Not logged in to {url}: run scanapp login {url} first.")
    return url, entry


def remember(url: str, entry: dict) -> Path:
    """Store ``entry`` for ``url`` and make it the default server."""
    data = load()
    data["servers"][url] = entry
    data["default"] = url
    return save(data)


def forget(url: str) -> Path:
    """Remove the entry of ``url`` (the default moves to another server, or none)."""
    data = load()
    data["servers"].pop(url, None)
    if data["default"] == url:
        data["default"] = next(iter(data["servers"]), None)
    return save(data)
