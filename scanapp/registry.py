"""Pipeline registry: every module of ``pipelines/`` plus ``SCANAPP_PIPELINES_DIRS``."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

import pipelines as builtin_pipelines
from scanapp.config import get_settings
from scanapp.errors import InvalidInputError, PipelineError
from scanapp.pipeline import Pipeline, parse_pipeline_spec

_registry: dict[str, type[Pipeline]] | None = None


def _pipeline_class(module, where: str) -> type[Pipeline]:
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, Pipeline) and obj.__module__ == module.__name__
    ]
    if len(classes) != 1:
        raise PipelineError(f"{where} must define exactly one Pipeline class, found {len(classes)}")
    return classes[0]


def _load_file(path: Path):
    spec = importlib.util.spec_from_file_location(f"scanapp_user_pipelines.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _discover() -> dict[str, type[Pipeline]]:
    found: dict[str, type[Pipeline]] = {}

    def add(name: str, module, where: str) -> None:
        if name in found:
            raise PipelineError(f"Duplicate pipeline name {name!r} ({where})")
        cls = _pipeline_class(module, where)
        cls.name = name
        found[name] = cls

    for info in pkgutil.iter_modules(builtin_pipelines.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"pipelines.{info.name}")
            add(info.name, module, f"pipelines/{info.name}.py")
    for folder in get_settings().pipelines_dirs:
        if not folder.is_dir():
            raise PipelineError(f"SCANAPP_PIPELINES_DIRS: {folder} is not a directory")
        for path in sorted(folder.glob("*.py")):
            if not path.name.startswith("_"):
                add(path.stem, _load_file(path), str(path))
    return dict(sorted(found.items()))


def get_registry() -> dict[str, type[Pipeline]]:
    """Return every pipeline by name, loading them on first use."""
    global _registry
    if _registry is None:
        _registry = _discover()
    return _registry


def reset_registry() -> None:
    """Forget the loaded pipelines (settings changed)."""
    global _registry
    _registry = None


def get_pipeline(name: str) -> type[Pipeline]:
    """Return the pipeline class for ``name`` or raise InvalidInputError."""
    try:
        return get_registry()[name]
    except KeyError:
        choices = ", ".join(get_registry())
        raise InvalidInputError.for_field(
            "pipeline", f"{name!r} is not a valid pipeline. Choices: {choices}."
        ) from None


def resolve_spec(spec: str) -> tuple[type[Pipeline], list[str]]:
    """Validate ``"name:G1,G2"``: the pipeline must exist, define each group and be available."""
    name, groups = parse_pipeline_spec(spec)
    pipeline = get_pipeline(name)
    unknown = sorted(set(groups) - set(pipeline.available_groups()))
    if unknown:
        available = ", ".join(pipeline.available_groups()) or "none"
        raise InvalidInputError.for_field(
            "pipeline",
            f"Unknown group(s) {', '.join(unknown)} for pipeline {name!r}. Available: {available}.",
        )
    is_available, reason = pipeline.availability()
    if not is_available:
        raise InvalidInputError.for_field(
            "pipeline", f"Pipeline {name!r} is not available here: {reason}"
        )
    return pipeline, groups
