"""scanapp: a code-scan pipeline orchestrator with a ScanCode.io-compatible REST API."""

__version__ = "0.1.0"
