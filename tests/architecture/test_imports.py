"""The import structure: the import-linter contracts hold, name every module, and no module
depends on another being imported before it (what an import cycle would break)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("scanapp", "pipelines", "outputs")


def contract(name: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(item for item in config["contracts"] if item["type"] == name)


def project_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = [str(ROOT / package)]
        names += [info.name for info in pkgutil.walk_packages(path, prefix=f"{package}.")]
    return sorted(names)


def test_the_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_layers_name_every_module_of_the_top_level():
    named = {
        part.strip()
        for layer in contract("layers")["layers"]
        for part in layer.replace(":", "|").split("|")
    }
    top = {"pipelines", "outputs"}
    top |= {f"scanapp.{info.name}" for info in pkgutil.iter_modules([str(ROOT / "scanapp")])}
    assert named == top


def test_the_cycle_contract_covers_every_package():
    assert set(contract("acyclic_siblings")["ancestors"]) == set(PACKAGES)


def test_every_module_imports_first_and_alone():
    modules = [name for name in project_modules() if name != "scanapp.__main__"]  # runs the CLI
    assert len(modules) > 80 and "scanapp.services.run_end" in modules
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("import_alone.py")), *modules],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
