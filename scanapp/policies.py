"""License and score policies: load and validate ``policies.yml``, find a project's, look up alerts.

A policies document has four optional sections: ``license_policies`` (a list of
``{license_key, label, compliance_alert}``), ``license_clarity_thresholds`` and
``scorecard_score_thresholds`` (``{score: alert}``, keys strictly descending), and
``vulnerability_severity_thresholds`` (``{level: alert}``, levels critical to low). A project uses
the first of: its ``policies`` setting, a ``policies.yml`` among its inputs, the global file
(``SCANAPP_POLICIES_FILE``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from scanapp import licensing
from scanapp.config import get_settings
from scanapp.errors import InvalidInputError
from scanapp.licensing import canonical_key
from scanapp.workdir import workdir_for

SECTIONS = ("license_policies", "license_clarity_thresholds", "scorecard_score_thresholds",
            "vulnerability_severity_thresholds")
#: The severity levels of a vulnerability (CVSS's), most severe first.
VULNERABILITY_LEVELS = ("critical", "high", "medium", "low", "none")
POLICY_KEYS = ("license_key", "label", "compliance_alert", "color_code")
LICENSE_ALERTS = ("", "warning", "error")
SCORE_ALERTS = ("ok", "warning", "error")
#: Alerts from the least to the most severe: the worst of an expression wins.
SEVERITY_ORDER = ("ok", "missing", "warning", "error")
INPUT_FILENAME = "policies.yml"
#: fail_level -> the alerts it reports, most severe first (compliance/ and the CLI gates).
FAIL_LEVELS = {
    "ERROR": ("error",),
    "WARNING": ("error", "warning"),
    "MISSING": ("error", "warning", "missing"),
}


class PolicyError(InvalidInputError):
    """A policies document is invalid; the message names the source and the line or key."""

    def __init__(self, source: str, detail: str):
        """Build the error for ``detail`` found in ``source``."""
        super().__init__(f"{source}: {detail}", errors={"policies": [detail]})
        self.source = source
        self.detail = detail


@dataclass(frozen=True)
class LicensePolicy:
    """One license policy: the key as written, its label and its alert ('' means ok)."""

    license_key: str
    label: str
    compliance_alert: str


@dataclass(frozen=True)
class Policies:
    """A validated policies document."""

    license_policies: dict[str, LicensePolicy]  # by canonical license key
    license_clarity_thresholds: tuple[tuple[float, str], ...]
    scorecard_score_thresholds: tuple[tuple[float, str], ...]
    #: ``(level, alert)``: a vulnerability of the level is an alert of its package.
    vulnerability_severity_thresholds: tuple[tuple[str, str], ...]
    source: str
    fingerprint: str


# --- reading and validating -------------------------------------------------------------------


def parse_policies(value: str | dict | None, source: str) -> Policies:
    """Validate a policies document given as YAML text or as a mapping; raise PolicyError."""
    lines: dict[tuple, int] = {}
    if isinstance(value, str | bytes):
        data, lines = _load_yaml(value, source)
    else:
        data = value
    return _Validator(source, lines).policies(data)


def load_policies_file(path: Path, source: str | None = None) -> Policies:
    """Read and validate a policies file; raise PolicyError naming the file."""
    source = source or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PolicyError(source, f"cannot be read: {error}") from None
    return parse_policies(text, source)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in a mapping (``7`` and ``7.0`` included)."""

    def construct_mapping(self, node, deep=False):
        """Build the mapping; raise a YAML error at the line of a repeated key."""
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(text: str | bytes, source: str) -> tuple[object, dict[tuple, int]]:
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PolicyError(source, f"{where}invalid YAML: {problem}") from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _record_lines(node, (), lines)
    return data, lines


def _record_lines(node, path: tuple, lines: dict[tuple, int]) -> None:
    """Map each key path (strings and list indexes) to its 1-based line in the YAML text."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines.setdefault(child, key_node.start_mark.line + 1)
            _record_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines)


class _Validator:
    """Check a loaded document section by section; errors name the line (YAML) and key path."""

    def __init__(self, source: str, lines: dict[tuple, int]):
        self.source, self.lines = source, lines

    def fail(self, path: tuple, problem: str):
        """Raise PolicyError for the item at ``path``."""
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
        key = key.lstrip(".")
        line = self.lines.get(path)
        if line is not None:
            where = f"line {line} ({key}): " if key else f"line {line}: "
        else:
            where = f"{key}: " if key else ""
        raise PolicyError(self.source, where + problem)

    def policies(self, data) -> Policies:
        if data is None or data == "":
            data = {}
        if not isinstance(data, dict):
            self.fail((), f"must be a mapping with the keys {', '.join(SECTIONS)}")
        for key in data:
            if key not in SECTIONS:
                expected = ", ".join(SECTIONS)
                self.fail((str(key),), f"unknown key {key!r}; expected one of {expected}")
        license_policies = self.license_policies(data.get("license_policies"))
        clarity = self.thresholds(data.get("license_clarity_thresholds"),
                                  "license_clarity_thresholds", integer=True, top=100)
        scorecard = self.thresholds(data.get("scorecard_score_thresholds"),
                                    "scorecard_score_thresholds", integer=False, top=10)
        vulnerable = self.severity_alerts(data.get("vulnerability_severity_thresholds"))
        return Policies(license_policies, clarity, scorecard, vulnerable, self.source,
                        _fingerprint(license_policies, clarity, scorecard, vulnerable))

    def severity_alerts(self, mapping) -> tuple[tuple[str, str], ...]:
        name = "vulnerability_severity_thresholds"
        if mapping is None:
            return ()
        if not isinstance(mapping, dict):
            self.fail((name,), "must be a mapping of {critical|high|medium|low: ok|warning|error}")
        for level, alert in mapping.items():
            if level not in VULNERABILITY_LEVELS:
                self.fail((name, str(level)), f"level {level!r} is not one of "
                          f"{', '.join(VULNERABILITY_LEVELS)}")
            if alert not in SCORE_ALERTS:
                self.fail((name, str(level)), f"alert {alert!r} is not one of ok, warning, error")
        return tuple(sorted(mapping.items(), key=lambda item: VULNERABILITY_LEVELS.index(item[0])))

    def license_policies(self, items) -> dict[str, LicensePolicy]:
        path = ("license_policies",)
        if items is None:
            return {}
        if not isinstance(items, list):
            self.fail(path, "must be a list of {license_key, label, compliance_alert}")
        found: dict[str, LicensePolicy] = {}
        for index, item in enumerate(items):
            policy = self.license_policy(item, (*path, index))
            canonical = canonical_key(policy.license_key)
            if canonical in found:
                self.fail((*path, index, "license_key"),
                          f"duplicate license_key {policy.license_key!r}")
            found[canonical] = policy
        return found

    def license_policy(self, item, path: tuple) -> LicensePolicy:
        if not isinstance(item, dict):
            self.fail(path, "must be a mapping with license_key, label and compliance_alert")
        for key in item:
            if key not in POLICY_KEYS:
                self.fail((*path, str(key)),
                          f"unknown key {key!r}; expected one of {', '.join(POLICY_KEYS)}")
        key = item.get("license_key")
        if not isinstance(key, str) or not key.strip():
            self.fail((*path, "license_key") if "license_key" in item else path,
                      "license_key is required (a ScanCode key or an SPDX id)")
        label = item.get("label") or ""
        if not isinstance(label, str):
            self.fail((*path, "label"), "label must be text")
        alert = item.get("compliance_alert") or ""
        if alert not in LICENSE_ALERTS:
            self.fail((*path, "compliance_alert"),
                      f"compliance_alert {alert!r} is not one of '', 'warning', 'error'")
        return LicensePolicy(key.strip(), label, alert)

    def thresholds(self, mapping, name: str, *, integer: bool, top: int):
        if mapping is None:
            return ()
        if not isinstance(mapping, dict):
            self.fail((name,), "must be a mapping of {score: ok|warning|error}")
        result, previous = [], None
        for raw, alert in mapping.items():
            path = (name, str(raw))
            score = self.score(raw, path, integer=integer, top=top)
            if alert not in SCORE_ALERTS:
                self.fail(path, f"alert {alert!r} is not one of ok, warning, error")
            if previous is not None and score >= previous:
                self.fail(path, f"thresholds must be strictly descending: {raw} after {previous:g}")
            result.append((score, alert))
            previous = score
        return tuple(result)

    def score(self, raw, path: tuple, *, integer: bool, top: int) -> float:
        kind = "an integer" if integer else "a number"
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw) if not isinstance(raw, int | float) else raw
            if integer and float(value) != int(float(value)):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            self.fail(path, f"threshold {raw!r} must be {kind} from 0 to {top}")
        if not 0 <= value <= top:
            self.fail(path, f"threshold {raw!r} must be {kind} from 0 to {top}")
        return float(value)


def _fingerprint(license_policies, clarity, scorecard, vulnerable) -> str:
    data = {
        "license_policies": {key: item.compliance_alert for key, item in license_policies.items()},
        "license_clarity_thresholds": clarity,
        "scorecard_score_thresholds": scorecard,
    }
    if vulnerable:  # absent before: the fingerprints stored then stay those of the same rules
        data["vulnerability_severity_thresholds"] = vulnerable
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def check_settings(settings: dict | None) -> None:
    """Validate the ``policies`` of project settings; raise InvalidInputError on ``settings``."""
    value = (settings or {}).get("policies")
    if value in (None, "", {}):
        return
    if not isinstance(value, str | dict):
        raise InvalidInputError.for_field(
            "settings", "policies: must be a mapping or YAML text like policies.yml"
        )
    try:
        parse_policies(value, "policies")
    except PolicyError as error:
        raise InvalidInputError.for_field("settings", error.message) from None


# --- lookup ------------------------------------------------------------------------------------


def project_policies(project) -> Policies | None:
    """Return the policies of a project: its setting, else its input file, else the global one.

    Raise PolicyError when the source found is invalid; return None when there is none.
    """
    value = (project.settings or {}).get("policies")
    if value not in (None, "", {}):
        return parse_policies(value, "settings.policies")
    path = workdir_for(project.slug).input / INPUT_FILENAME
    if path.is_file():
        return load_policies_file(path, f"input {INPUT_FILENAME}")
    return global_policies()


def global_policies() -> Policies | None:
    """Return the policies of ``SCANAPP_POLICIES_FILE`` (None when the file does not exist)."""
    path = Path(get_settings().policies_file).resolve()
    try:
        stat = path.stat()
    except OSError:
        return None
    return _cached_file(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _cached_file(path: str, _mtime_ns: int, _size: int) -> Policies:
    return load_policies_file(Path(path))


def check_global_file() -> Policies | None:
    """Validate the global policies file at start-up; raise PolicyError naming its line or key.

    A missing file is only accepted at the default path (policies then are off).
    """
    configured = Path(get_settings().policies_file)
    if not configured.exists():
        if configured == Path("policies.yml"):
            return None
        raise PolicyError(f"SCANAPP_POLICIES_FILE={configured}", "no such file")
    return global_policies()


# --- fail levels -----------------------------------------------------------------------------


def severities(fail_level: str | None) -> tuple[str, ...]:
    """Return the alerts a fail_level reports (case-insensitive, default ERROR); 400 otherwise."""
    level = (fail_level or "ERROR").strip().upper()
    if level not in FAIL_LEVELS:
        raise InvalidInputError.for_field(
            "fail_level", f"{fail_level!r} is not one of {', '.join(FAIL_LEVELS)}."
        )
    return FAIL_LEVELS[level]


# --- license keys and alerts -------------------------------------------------------------------


@lru_cache(maxsize=8192)
def expression_keys(expression: str) -> tuple[str, ...] | None:
    """Return the ScanCode keys of an expression's licenses and exceptions, or None if invalid."""
    keys = licensing.expression_keys(expression)
    return None if keys is None else tuple(canonical_key(key) for key in keys)


def worst(alerts) -> str:
    """Return the most severe of ``alerts`` (ok < missing < warning < error); ok when none."""
    return max(alerts, key=SEVERITY_ORDER.index, default="ok")


def license_alert(policies: Policies | None, expression: str | None) -> str:
    """Return the alert of a license expression: '' without expression or policies.

    Each license key (AND, OR and WITH alike) is looked up; a key with no policy is
    ``missing``, an empty policy alert is ``ok``; the worst wins. An expression that does
    not parse is ``missing``.
    """
    if not expression or not expression.strip() or not policies or not policies.license_policies:
        return ""
    keys = expression_keys(expression.strip())
    if not keys:
        return "missing"
    alerts = []
    for key in keys:
        policy = policies.license_policies.get(key)
        alerts.append("missing" if policy is None else policy.compliance_alert or "ok")
    return worst(alerts)


def vulnerability_alert(policies: Policies | None, level: str) -> str | None:
    """Return the alert of a vulnerability of ``level`` (critical...), None when none applies."""
    for threshold, alert in policies.vulnerability_severity_thresholds if policies else ():
        if threshold == level:
            return None if alert == "ok" else alert
    return None


def score_alert(thresholds: tuple[tuple[float, str], ...], score) -> str | None:
    """Return the alert of the highest threshold ``score`` reaches; error below all or no score.

    None when there are no thresholds.
    """
    if not thresholds:
        return None
    if score is None or isinstance(score, bool):
        return "error"
    try:
        value = float(score)
    except (TypeError, ValueError):
        return "error"
    for threshold, alert in thresholds:
        if value >= threshold:
            return alert
    return "error"
