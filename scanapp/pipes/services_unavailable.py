"""ScanCode.io's pipelines that need a remote service scanapp has no client for.

PurlDB, MatchCode.io, SCANOSS, FederatedCode, VulnerableCode and GrimoireLab: each such
pipeline is listed with ScanCode.io's name, documentation and steps, and reports
``is_available: false`` with the reason, so it can never be added to a project (a 400).
"""

from __future__ import annotations

from scanapp.errors import PipelineError
from scanapp.pipeline import Pipeline


class ServicePipeline(Pipeline):
    """A pipeline needing a service scanapp does not support; subclasses set ``reason``."""

    #: ScanCode.io's unavailable reason, completed with what scanapp lacks.
    reason: str = ""

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Return ``(False, reason)``: the service is not supported here."""
        return False, cls.reason

    def unsupported(self) -> None:
        """Raise PipelineError: a step of a pipeline whose service is not supported.

        Never reached through the API or the CLI (the pipeline cannot be added to a
        project); it guards a direct call instead of pretending the step did its work.
        """
        raise PipelineError(f"The {self.name} pipeline is not supported: {self.reason}")
