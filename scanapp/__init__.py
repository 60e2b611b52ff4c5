"""scanapp: a code-scan pipeline orchestrator with a ScanCode.io-compatible REST API."""

__version__ = "0.1.0"


def toolkit_version() -> str:
    """Return the installed scancode-toolkit version, "" when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scancode-toolkit")
    except PackageNotFoundError:
        return ""


def other_tools() -> list[str]:
    """Return the tools scanapp scans with, as purls (the results' ``other_tools``)."""
    found = toolkit_version()
    return [f"pkg:pypi/scancode-toolkit@{found}"] if found else []
