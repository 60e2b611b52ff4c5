"""Dockerfile and docker-compose.yml use the real CLI and settings (no Docker engine needed)."""

import json
import re
from pathlib import Path

import yaml

from scanapp.cli import cli
from scanapp.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def parse_scanapp_command(argv: list[str]) -> str:
    """Parse argv with the real click commands (unknown command or option raises); return it."""
    assert argv[0] == "scanapp", argv
    command = cli.commands[argv[1]]
    command.make_context(argv[1], list(argv[2:]))
    return argv[1]


def test_compose_runs_the_scanapp_cli():
    services = compose()["services"]
    assert set(services) >= {"web", "worker", "redis", "postgres"}
    assert parse_scanapp_command(services["web"]["command"]) == "serve"
    assert parse_scanapp_command(services["worker"]["command"]) == "worker"


def test_compose_settings_are_valid_and_workdirs_shared():
    services = compose()["services"]
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        settings = load_settings(environment)
        assert settings.database_url.startswith("postgresql+psycopg://")
        assert settings.redis_url == "redis://redis:6379/0"
        volumes = [volume.split(":") for volume in services[name]["volumes"]]
        mounts = {target: source for source, target in volumes}
        assert mounts[str(settings.workdirs)] == "workdirs"
    assert services["web"]["volumes"] == services["worker"]["volumes"]


def test_dockerfile_serves_with_the_cli_and_copies_existing_paths():
    text = (ROOT / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    command = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    assert parse_scanapp_command(command) == "serve"
    assert command == compose()["services"]["web"]["command"]
    for sources in re.findall(r"^COPY (.+) \S+$", text, re.M):
        for source in sources.split():
            assert (ROOT / source).exists(), source
    for package in ("libgomp1", "clamav", "git"):
        assert re.search(rf"\b{package}\b", text), package
    load_settings(dict(re.findall(r"(SCANAPP_[A-Z_]+)=(\S+)", text)))
