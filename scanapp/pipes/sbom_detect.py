"""Tell which files are SBOMs by parsing them, never by the first bytes alone.

JSON and YAML are read as event streams (ijson, PyYAML's parser) until a top-level
``spdxVersion`` key or ``bomFormat: CycloneDX`` shows up, wherever it is in the document
(cyclonedx-python-lib, scanapp's own CycloneDX renderer, writes ``bomFormat`` last); XML by
its root element; SPDX tag-value by its tags, up to the first package or file. Memory stays
constant whatever the size; a file over :data:`MAX_SIZE` is not parsed at all.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Largest SBOM read, in bytes: a reader parses the whole document in memory.
MAX_SIZE = 200 * 1024 * 1024
#: Bytes read first: a NUL byte means binary (skipped), else the first character picks the
#: parser.
HEAD_SIZE = 4096
UTF8_BOM = b"\xef\xbb\xbf"
ABOUT_SUFFIX = ".ABOUT"
YAML_SUFFIXES = (".yml", ".yaml")
#: Names that tell the kind of a document that does not parse (so it gets a message).
NAMED_KINDS = (
    ((".spdx.json",), "spdx-json"),
    ((".spdx.yml", ".spdx.yaml"), "spdx-yaml"),
    ((".spdx",), "spdx-tv"),
    ((".cdx.json", "bom.json"), "cyclonedx-json"),
    ((".cdx.xml", "bom.xml"), "cyclonedx-xml"),
)
CYCLONEDX_NAMESPACE = re.compile(r"^\{http://cyclonedx\.org/schema/bom/\d+\.\d+\}bom$")
_TAG_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):")
#: Tag-value tags that end the document creation part, where ``SPDXVersion`` belongs.
_SPDX_SECTIONS = ("PackageName", "FileName", "SnippetSPDXID", "LicenseID")


def kind_by_name(name: str) -> str | None:
    """Return the SBOM kind a file name announces (``.spdx.json``, ``bom.xml``...), or None."""
    lowered = name.lower()
    if name.endswith(ABOUT_SUFFIX):
        return "about"
    return next((kind for suffixes, kind in NAMED_KINDS if lowered.endswith(suffixes)), None)


def detect(location: Path) -> str | None:
    """Return the SBOM kind of a file, or None when it is not an SBOM.

    Kinds: ``about``, ``spdx-json``, ``spdx-yaml``, ``spdx-tv``, ``cyclonedx-json``,
    ``cyclonedx-xml``. A file that does not parse as an SBOM is one only when its name says
    so (``.cdx.json``...: then the reader tells what is wrong); any other is skipped. The
    caller checks :data:`MAX_SIZE` first.
    """
    if location.is_symlink() or not location.is_file():
        return None
    if location.name.endswith(ABOUT_SUFFIX):
        return "about"
    try:
        with open(location, "rb") as handle:
            head = handle.read(HEAD_SIZE)
    except OSError:
        return None
    if b"\0" in head:  # binary, or UTF-16/32: only a name can tell
        return kind_by_name(location.name)
    start = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")[:1]
    if start == "{":
        found = _json_kind(location)
    elif start == "<":
        found = _xml_kind(location)
    elif location.name.lower().endswith(YAML_SUFFIXES):
        found = _yaml_kind(location)
    else:
        found = _tag_value_kind(location)
    return found or kind_by_name(location.name)


def _json_kind(location: Path) -> str | None:
    """Return the kind of a JSON document, or None."""
    import ijson

    try:
        with open(location, "rb") as handle:
            if handle.read(len(UTF8_BOM)) != UTF8_BOM:
                handle.seek(0)
            for prefix, event, value in ijson.parse(handle):
                if prefix == "" and event not in ("start_map", "map_key", "end_map"):
                    return None  # not an object
                if prefix == "" and event == "map_key" and value == "spdxVersion":
                    return "spdx-json"
                if prefix == "bomFormat" and event == "string" and value == "CycloneDX":
                    return "cyclonedx-json"
    except (ijson.JSONError, UnicodeDecodeError, OSError):
        return None
    return None


def _xml_kind(location: Path) -> str | None:
    """Return ``cyclonedx-xml`` when the root element is a CycloneDX ``bom``."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    try:
        with open(location, "rb") as handle:
            for _, element in iterparse(handle, events=("start",)):
                return "cyclonedx-xml" if CYCLONEDX_NAMESPACE.match(element.tag) else None
    except (ParseError, DefusedXmlException, OSError):
        return None
    return None


def _yaml_kind(location: Path) -> str | None:
    """Return ``spdx-yaml`` when the first YAML document has a top-level ``spdxVersion``."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    depth, key_next = 0, True
    try:
        with open(location, "rb") as handle:
            for event in yaml.parse(handle, Loader=loader):
                if isinstance(event, yaml.CollectionStartEvent):
                    if depth == 0 and not isinstance(event, yaml.MappingStartEvent):
                        return None
                    depth += 1
                elif isinstance(event, yaml.CollectionEndEvent):
                    depth -= 1
                    key_next = True
                elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent) and depth == 1:
                    if key_next and getattr(event, "value", None) == "spdxVersion":
                        return "spdx-yaml"
                    key_next = not key_next
                elif isinstance(event, yaml.DocumentEndEvent):
                    return None
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return None
    return None


def _tag_value_kind(location: Path) -> str | None:
    """Return ``spdx-tv`` when the lines are ``Tag: value`` pairs with an ``SPDXVersion``.

    Blank and ``#`` lines are skipped and ``<text>`` values may span lines; the first other
    line ends the search, and so does the first package, file, snippet or license.
    """
    in_text = False
    try:
        with open(location, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                stripped = line.strip()
                if in_text:
                    in_text = "</text>" not in stripped
                    continue
                if not stripped or stripped.startswith("#"):
                    continue
                match = _TAG_LINE.match(stripped)
                if not match or match.group(1) in _SPDX_SECTIONS:
                    return None
                if match.group(1) == "SPDXVersion":
                    return "spdx-tv"
                value = stripped[match.end() :].strip()
                in_text = value.startswith("<text>") and "</text>" not in value
    except OSError:
        return None
    return None
