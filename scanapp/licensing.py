"""License facts, from scancode-toolkit's own license database: keys, SPDX ids, names, texts.

One index serves every part that names licenses: policies (an SPDX id in a policy matches the
ScanCode key in a scan), the SBOM loader (SPDX expressions to ScanCode ones) and the
renderers (names, full texts, SPDX validity). A ScanCode key is looked up in its own file of
the toolkit's license data; the whole database (``licensedcode.models.load_licenses``, about
1.5 s and 90 MB, not the 1.5 GB detection index) is read once per process, the first time an
SPDX id must be mapped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from license_expression import ExpressionError, Licensing, get_spdx_licensing

LICENSEREF_PREFIX = "LicenseRef-"
SCANCODE_LICENSEREF = "licenseref-scancode-"
_LICENSE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+:-]*")
_OPERATORS = {"and", "or", "with"}


_KEY = re.compile(r"[a-z0-9][a-z0-9._+-]*")


def _models():
    # licensedcode is imported on the first lookup: it adds 0.45 s to every start otherwise
    from licensedcode import models

    return models


@lru_cache(maxsize=1)
def license_db() -> dict:
    """Return every ScanCode license by key, deprecated ones included."""
    return _models().load_licenses(with_deprecated=True)


@lru_cache(maxsize=4096)
def _license(key: str):
    """Return the ScanCode license of exactly this key from its data file, or None."""
    models = _models()
    folder = Path(models.licenses_data_dir)
    if not _KEY.fullmatch(key) or not (folder / f"{key}.LICENSE").is_file():
        return None
    return models.License.from_dir(key=key, licenses_data_dir=str(folder),
                                   check_consistency=False)


@lru_cache(maxsize=1)
def _keys_by_spdx_id() -> dict[str, str]:
    """Map lower-cased SPDX ids (current and other) to ScanCode keys; live licenses win."""
    live, deprecated = {}, {}
    for key, found in sorted(license_db().items()):
        target = deprecated if found.is_deprecated else live
        for spdx_id in [found.spdx_license_key, *(found.other_spdx_license_keys or [])]:
            if spdx_id:
                target.setdefault(spdx_id.lower(), key)
    return {**deprecated, **live}


def canonical_key(key: str) -> str:
    """Return the ScanCode key of a ScanCode key or SPDX id (the lower-cased key when unknown)."""
    lowered = key.strip().lower()
    if is_known(lowered):
        return lowered
    stripped = lowered.removeprefix(SCANCODE_LICENSEREF)
    if stripped != lowered and is_known(stripped):
        return stripped
    return _keys_by_spdx_id().get(lowered, lowered)


def is_known(key: str) -> bool:
    """Tell whether ``key`` is a ScanCode license key."""
    return _license(key) is not None


def scancode_license(key: str):
    """Return the ScanCode license of a ScanCode key or an SPDX id, or None."""
    return _license(canonical_key(key))


def license_text(key: str) -> str:
    """Return the full text of a license (ScanCode key or SPDX id); '' when unknown."""
    found = scancode_license(key)
    return (found.text or "").strip("\n") if found else ""


def license_name(key: str) -> str:
    """Return a license's name, or the key when unknown."""
    found = scancode_license(key)
    return (found.name or found.short_name or key) if found else key


def spdx_to_scancode(spdx_expression: str) -> str:
    """Return the ScanCode expression of an SPDX one (ids with no ScanCode key are kept)."""

    def key(match: re.Match) -> str:
        token = match.group(0)
        if token.lower() in _OPERATORS:
            return token.upper()
        found = _keys_by_spdx_id().get(token.lower())
        return found or token

    return _LICENSE_TOKEN.sub(key, spdx_expression)


def expression_keys(expression: str) -> list[str] | None:
    """Return the license keys of a license expression, in order, unique; None when invalid."""
    try:
        return Licensing().license_keys(expression, unique=True)
    except (ExpressionError, TypeError, ValueError, RecursionError):
        return None


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
