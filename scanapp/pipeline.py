"""The pipeline base class: a pipeline is a class whose ``steps()`` lists its step methods."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def optional_step(*groups: str) -> Callable:
    """Put a step in optional groups: it runs only when one of them is selected."""

    def decorator(step: Callable) -> Callable:
        step.groups = tuple(sorted(set(getattr(step, "groups", ())) | set(groups)))
        return step

    return decorator


def _doc(obj) -> str:
    return inspect.cleandoc(obj.__doc__ or "").strip()


class Pipeline:
    """Base class of every pipeline; subclasses define ``steps()``."""

    #: Set on subclasses that run on an already populated codebase (no inputs needed).
    is_addon: bool = False
    #: Maximum number of inputs (None: any); scan_single_package sets 1.
    max_inputs: int | None = None
    #: Minimum number of inputs when the run starts.
    min_inputs: int = 0
    name: str = ""

    def __init__(self, context):
        """Bind the pipeline to a run context (``scanapp.engine.RunContext``)."""
        self.context = context

    @classmethod
    def steps(cls) -> tuple[Callable, ...]:
        """Return the step methods in execution order."""
        raise NotImplementedError

    @classmethod
    def available_groups(cls) -> list[str]:
        """Return the optional groups defined by the steps."""
        return sorted({group for step in cls.steps() for group in getattr(step, "groups", ())})

    @classmethod
    def selected_steps(cls, groups: list[str] | tuple[str, ...] = ()) -> list[Callable]:
        """Return the steps to run for the selected groups."""
        chosen = set(groups)
        return [
            step
            for step in cls.steps()
            if not getattr(step, "groups", ()) or chosen.intersection(step.groups)
        ]

    @classmethod
    def input_count_problem(cls, count: int, *, final: bool) -> str:
        """Return why a project with ``count`` inputs breaks this pipeline's rule, or "".

        The one input-count rule: never more than ``max_inputs``; when ``final`` (the run
        starts now) also at least ``min_inputs``. Services check it when a pipeline or an
        input is added, the engine before the first step.
        """
        if cls.max_inputs is not None and count > cls.max_inputs:
            return (
                f"The {cls.name} pipeline accepts at most {cls.max_inputs} input(s); "
                f"the project has {count}."
            )
        if final and count < cls.min_inputs:
            return cls.too_few_inputs(count)
        return ""

    @classmethod
    def too_few_inputs(cls, count: int) -> str:
        """Return the message for a run that starts with fewer than ``min_inputs`` inputs."""
        low, high = cls.min_inputs, cls.max_inputs
        wanted = f"at least {low}"
        if high is not None:
            wanted = f"exactly {low}" if low == high else f"between {low} and {high}"
        return f"The {cls.name} pipeline needs {wanted} input(s); the project has {count}."

    @classmethod
    def description(cls) -> str:
        """Return the class docstring: the pipeline's user documentation."""
        return _doc(cls)

    @classmethod
    def summary(cls) -> str:
        """Return the first line of the description."""
        return cls.description().split("\n", 1)[0]

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Return ``(is_available, unavailable_reason)``: whether it can run on this machine.

        A pipeline needing a tool or service that is absent overrides this and says which.
        """
        return True, ""

    @classmethod
    def info(cls) -> dict:
        """Describe the pipeline for the API: name, summary, description, steps, groups."""
        available, reason = cls.availability()
        return {
            "name": cls.name,
            "summary": cls.summary(),
            "description": cls.description(),
            "steps": [
                {
                    "name": step.__name__,
                    "doc": _doc(step),
                    "groups": list(getattr(step, "groups", ())),
                }
                for step in cls.steps()
            ],
            "available_groups": cls.available_groups(),
            "is_addon": cls.is_addon,
            "is_available": available,
            "unavailable_reason": reason,
        }


def parse_pipeline_spec(spec: str) -> tuple[str, list[str]]:
    """Split ``"name:Group1,Group2"`` into the name and the list of groups."""
    name, _, groups = spec.strip().partition(":")
    return name.strip(), [group.strip() for group in groups.split(",") if group.strip()]
