"""License facts the SBOM and attribution renderers share: SPDX symbols and license texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from license_expression import ExpressionError, Licensing, get_spdx_licensing

LICENSEREF_PREFIX = "LicenseRef-"


@lru_cache(maxsize=1)
def _spdx_licensing():
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _known_spdx_ids() -> frozenset[str]:
    return frozenset(key.lower() for key in _spdx_licensing().known_symbols)


@lru_cache(maxsize=4096)
def spdx_symbols(expression: str) -> tuple[str, ...] | None:
    """Return the license ids of an SPDX expression, or None when it is not valid SPDX.

    Valid means: it parses, and every id is on the SPDX list or a ``LicenseRef-``.
    """
    if not expression or not expression.strip():
        return None
    try:
        parsed = _spdx_licensing().parse(expression, validate=False)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    keys = []
    for symbol in _spdx_licensing().license_symbols(parsed, unique=True, decompose=True):
        key = symbol.key
        if not (key.startswith(LICENSEREF_PREFIX) or key.lower() in _known_spdx_ids()):
            return None
        keys.append(key)
    return tuple(keys)


@dataclass(frozen=True)
class License:
    """A ScanCode license: key, name, SPDX id and full text."""

    key: str
    name: str
    spdx_license_key: str
    text: str


def _licenses_dir() -> Path:
    import licensedcode

    return Path(licensedcode.__file__).parent / "data" / "licenses"


@lru_cache(maxsize=4096)
def _read_license(key: str) -> License | None:
    """Read ``<key>.LICENSE`` (YAML front matter, then the text) from scancode's data."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9._+-]*", key):
        return None
    path = _licenses_dir() / f"{key}.LICENSE"
    if not path.is_file():
        return None
    content = path.read_text(encoding="utf-8")
    header, text = {}, content
    if content.startswith("---"):
        _, front, text = content.split("---", 2)
        header = yaml.safe_load(front) or {}
    return License(
        key=key,
        name=header.get("name") or header.get("short_name") or key,
        spdx_license_key=header.get("spdx_license_key") or "",
        text=text.strip("\n"),
    )


@lru_cache(maxsize=1)
def _keys_by_spdx_id() -> dict[str, str]:
    """Map lower-cased SPDX ids to ScanCode keys (read from the files' headers only)."""
    pattern = re.compile(r"^spdx_license_key:\s*(\S+)", re.MULTILINE)
    found = {}
    for path in _licenses_dir().glob("*.LICENSE"):
        with path.open(encoding="utf-8") as handle:
            match = pattern.search(handle.read(2048))
        if match:
            found.setdefault(match.group(1).lower(), path.stem)
    return found


def license_for(key: str) -> License | None:
    """Return the ScanCode license for a ScanCode key or an SPDX id, or None."""
    lowered = key.lower()
    found = _read_license(lowered)
    if found:
        return found
    if lowered.startswith("licenseref-scancode-"):
        found = _read_license(lowered.removeprefix("licenseref-scancode-"))
        if found:
            return found
    scancode_key = _keys_by_spdx_id().get(lowered)
    return _read_license(scancode_key) if scancode_key else None


def license_text(key: str) -> str:
    """Return the full text of a license (ScanCode key or SPDX id); '' when unknown."""
    found = license_for(key)
    return (found.text or "") if found else ""


def license_name(key: str) -> str:
    """Return a license's name, or the key when unknown."""
    found = license_for(key)
    return (found.name or key) if found else key


def scancode_keys(expression: str) -> list[str]:
    """Return the license keys of a ScanCode license expression, in order, unique."""
    if not expression:
        return []
    try:
        return Licensing().license_keys(expression, unique=True)
    except ExpressionError:
        return []
