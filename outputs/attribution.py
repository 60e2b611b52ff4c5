"""HTML attribution notice: every package with its licenses, then each license's full text.

The template is ``outputs/templates/attribution.html``; a project overrides it with the
``attribution_template`` setting (the template's text) or an input file named
``attribution-template.html``. Templates run in Jinja's sandbox with autoescaping.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from jinja2 import select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from outputs import data
from scanapp import licensing
from scanapp.models import DiscoveredPackage
from scanapp.workdir import workdir_for

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "attribution.html"
INPUT_TEMPLATE = "attribution-template.html"


def render(project_id: int, target: BinaryIO, version: str) -> None:
    """Write the project's attribution notice to ``target``."""
    project = data.project_row(project_id)
    packages, used = [], {}
    for package in data.iter_rows(DiscoveredPackage, project_id):
        keys = licensing.expression_keys(package["declared_license_expression"] or "") or []
        package["licenses"] = [_license(key) for key in keys]
        for item in package["licenses"]:
            used.setdefault(item["key"], item)
        packages.append(package)
    packages.sort(key=lambda item: (item["name"].lower(), item["version"]))
    license_list = [
        {**item, "text": licensing.license_text(item["key"])}
        for item in sorted(used.values(), key=lambda item: item["name"].lower())
    ]
    html = _environment().from_string(template_text(project)).render(
        project={"name": project.name, "uuid": project.uuid, "notes": project.notes},
        packages=packages,
        licenses=license_list,
    )
    target.write(html.encode())


def _license(key: str) -> dict:
    found = licensing.scancode_license(key)
    return {
        "key": key,
        "name": licensing.license_name(key),
        "spdx": (found.spdx_license_key if found else "") or "",
    }


def template_text(project) -> str:
    """Return the project's attribution template: setting, then input file, then default."""
    custom = (project.settings or {}).get("attribution_template")
    if isinstance(custom, str) and custom.strip():
        return custom
    candidate = workdir_for(project.slug).input / INPUT_TEMPLATE
    if candidate.is_file() and not candidate.is_symlink():
        return candidate.read_text(encoding="utf-8", errors="replace")
    return DEFAULT_TEMPLATE.read_text(encoding="utf-8")


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=select_autoescape(default=True, default_for_string=True))
