"""The docs: every setting, command, endpoint and format documented; pipelines.md current."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from outputs.formats import DOWNLOADS
from scanapp.cli import cli
from scanapp.config import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = ("api", "cli", "settings", "pipelines", "outputs", "compliance", "webhooks", "teams",
         "deployment", "architecture", "web")


def page(name: str) -> str:
    return (DOCS / f"{name}.md").read_text(encoding="utf-8")


def test_every_setting_is_in_settings_md():
    text = page("settings")
    missing = [f"SCANAPP_{item.name.upper()}" for item in fields(Settings)
               if f"`SCANAPP_{item.name.upper()}`" not in text]
    assert missing == []


def test_every_command_is_in_cli_md_with_an_example():
    text = page("cli")
    assert [name for name in cli.commands if f"scanapp {name}" not in text] == []


def test_every_endpoint_is_documented_with_an_example(app):
    text = "\n".join(page(name) for name in PAGES)
    text = text.replace("$api", "/api").replace("$uuid", "{uuid}").replace("$run", "{uuid}")
    rules = {re.sub(r"<uuid:\w+>", "{uuid}", rule.rule) for rule in app.url_map.iter_rules()
             if rule.rule.startswith("/api/") and "<" not in rule.rule.replace("<uuid:uuid>", "")}
    assert sorted(rule for rule in rules if rule not in text) == []


def test_every_download_format_is_in_outputs_md():
    text = page("outputs")
    assert [name for name in DOWNLOADS if f"`{name}`" not in text] == []


def test_pipelines_md_is_generated_from_the_current_docstrings():
    result = subprocess.run([sys.executable, str(DOCS / "generate_pipelines.py"), "--check"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_readme_links_every_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert [name for name in PAGES if f"docs/{name}.md" not in readme] == []
