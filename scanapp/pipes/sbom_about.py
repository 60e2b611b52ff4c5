"""Read an AboutCode ``.ABOUT`` file (aboutcode-toolkit) into an ``Sbom`` of one package.

The fields map as in ScanCode.io's ``resolve_about_package``: ``name``, ``version``,
``description``, ``copyright``, ``homepage_url``, ``download_url``, ``notes``; the purl parts
from ``package_url``; ``license_expression`` (ScanCode keys) as the declared license;
``checksum_md5/sha1/sha256`` as hashes; the first ``about_resource`` as ``filename``; the
text of the first ``license_file`` as ``extracted_license_statement`` and of the first
``notice_file`` as ``notice_text`` (their paths, and ``ignored_resources``, in
``extra_data``). The SPDX expression is ``spdx_license_expression`` or is made from the
ScanCode keys.

aboutcode-toolkit reads the texts of the files the ``.ABOUT`` names; a path that leads out
of the codebase (``..``, a symlink), to something other than a regular file or to a file
over :data:`MAX_TEXT_SIZE` is dropped with a problem before the toolkit reads anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from scanapp import licensing
from scanapp.pipes.sbom_document import Sbom, SbomError, package_values, text

#: Largest license, notice, changelog or author file whose text is read, in bytes.
MAX_TEXT_SIZE = 10 * 1024 * 1024
#: aboutcode-toolkit's fields whose paths name files it reads the text of.
FILE_FIELDS = ("license_file", "notice_file", "changelog_file", "author_file")
#: About fields that are DiscoveredPackage fields of the same name.
PACKAGE_FIELDS = (
    "description", "homepage_url", "download_url", "copyright", "notes",
    "other_license_expression",
)
CHECKSUMS = {"checksum_md5": "md5", "checksum_sha1": "sha1", "checksum_sha256": "sha256"}
#: aboutcode-toolkit's error severity from which an error is reported (attributecode.ERROR).
REPORTED_SEVERITY = 40
_LICENSE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+:-]*")
_OPERATORS = {"and", "or", "with"}


def read_about(location: Path, root: Path) -> Sbom:
    """Read the ``.ABOUT`` file at ``location``, inside the codebase ``root``."""
    sbom = Sbom(datasource_id="about_file")
    about = load_about(location, root, sbom.problems)
    sbom.add_packages([about.as_dict()], about_package, ".ABOUT")
    return sbom


def load_about(location: Path, root: Path, problems: list[str]):
    """Return the loaded ``attributecode.model.About``; its errors are added to ``problems``.

    This is ``About.load`` with the file paths checked between parsing and loading; raise
    SbomError when the file is not a YAML mapping of fields.
    """
    import saneyaml
    from attributecode import model

    content = location.read_text(encoding="utf-8", errors="replace")
    if not content.strip():
        raise SbomError("the .ABOUT file is empty")
    prepared = model.replace_tab_with_spaces(model.wrap_boolean_value(content))
    try:
        data = saneyaml.load(prepared, allow_duplicate_keys=False)
    except Exception as error:  # saneyaml raises YAMLError, and more on odd input
        raise SbomError(f"invalid .ABOUT YAML: {error}") from None
    if not isinstance(data, dict):
        raise SbomError("the .ABOUT file is not a YAML mapping of fields")
    drop_unsafe_paths(data, location.parent, root, problems)
    about = model.About()
    about.location = str(location)
    errors = about.load_dict(data, str(location.parent), running_inventory=True)
    prefix = f"{root.resolve()}{os.sep}"
    problems.extend(
        str(error.message).replace(prefix, "")
        for error in errors
        if error.severity >= REPORTED_SEVERITY
    )
    return about


def drop_unsafe_paths(data: dict, base: Path, root: Path, problems: list[str]) -> None:
    """Remove from ``data`` the file paths that must not be read (see the module doc)."""
    for field in FILE_FIELDS:
        if data.get(field):
            data[field] = _safe_paths(field, data[field], base, root, problems)
    for item in data.get("licenses") or []:
        if isinstance(item, dict) and item.get("file"):
            item["file"] = _safe_paths("licenses file", item["file"], base, root, problems)
            if not item["file"]:
                del item["file"]


def _safe_paths(field: str, value, base: Path, root: Path, problems: list[str]):
    """Return ``value`` (comma-separated paths, or a list of them) less the unsafe paths."""
    paths = [
        path.strip()
        for item in (value if isinstance(value, list) else [value])
        for path in str(item if item is not None else "").split(",")
    ]
    safe = []
    for path in filter(None, paths):
        reason = unsafe_path(path, base, root)
        if reason:
            problems.append(f"{field} {path!r} is not read: {reason}")
        else:
            safe.append(path)
    return safe if isinstance(value, list) else ", ".join(safe)


def unsafe_path(path: str, base: Path, root: Path) -> str:
    """Return why the file at ``path`` (relative to ``base``) must not be read, or ""."""
    # As aboutcode-toolkit resolves it: posix separators, leading "/" ignored.
    relative = path.strip().replace("\\", "/").strip("/")
    if not relative:
        return ""
    location = Path(os.path.normpath(base / relative))
    real = location.resolve()
    if not real.is_relative_to(root.resolve()):
        return "it is outside the codebase"
    if not location.exists():
        return ""  # aboutcode-toolkit reports it as not found
    if not real.is_file():
        return "it is not a regular file"
    if real.stat().st_size > MAX_TEXT_SIZE:
        return f"it is larger than {MAX_TEXT_SIZE} bytes"
    return ""


def _first(paths: dict | None) -> tuple[str, str]:
    """Return the first (path, text) of a path field's value, else ("", "")."""
    for path, content in (paths or {}).items():
        return path, content or ""
    return "", ""


def about_package(data: dict) -> tuple[str, dict]:
    """Return the reference and the package values of an ``About.as_dict()``."""
    license_path, license_text = _first(data.get("license_file"))
    notice_path, notice_text = _first(data.get("notice_file"))
    extra = {"license_file": license_path, "notice_file": notice_path}
    extra["ignored_resources"] = list(data.get("ignored_resources") or {})
    declared = text(data.get("license_expression")) or text(
        data.get("declared_license_expression")
    )
    spdx = text(data.get("spdx_license_expression")) or scancode_to_spdx(declared)
    values = package_values(
        name=text(data.get("name")),
        version=text(data.get("version")),
        purl=text(data.get("package_url")),
        filename=_first(data.get("about_resource"))[0],
        extracted_license_statement=license_text,
        notice_text=notice_text,
        extra_data={key: value for key, value in extra.items() if value},
        **{field: text(data.get(field)) for field in PACKAGE_FIELDS},
        **{field: text(data.get(key)) for key, field in CHECKSUMS.items()},
    )
    if declared or spdx:
        values["declared_license_expression"] = declared or licensing.spdx_to_scancode(spdx)
        values["declared_license_expression_spdx"] = spdx
    other = values.get("other_license_expression")
    if other and scancode_to_spdx(other):
        values["other_license_expression_spdx"] = scancode_to_spdx(other)
    return "about", values


def scancode_to_spdx(expression: str) -> str:
    """Return the SPDX expression of a ScanCode one, or "" when it is not valid SPDX.

    Each key becomes its license's SPDX id (``LicenseRef-scancode-<key>`` for the others).
    The toolkit's ``build_spdx_license_expression`` would load its whole license index
    (about 1.5 GB) for what a lookup of each key in the license database does.
    """

    def spdx_id(match: re.Match) -> str:
        token = match.group(0)
        if token.lower() in _OPERATORS:
            return token.upper()
        found = licensing.scancode_license(token)
        return (found.spdx_license_key if found else "") or f"LicenseRef-scancode-{token}"

    converted = _LICENSE_TOKEN.sub(spdx_id, expression or "")
    return converted if converted and licensing.spdx_symbols(converted) else ""
