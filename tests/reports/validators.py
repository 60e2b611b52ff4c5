"""The real validators of the formats: spdx-tools and cyclonedx-python-lib's JSON validator."""

from __future__ import annotations

from pathlib import Path


def spdx_errors(path: Path, version: str) -> list[str]:
    """Return spdx-tools' validation messages for an SPDX JSON file (empty when valid)."""
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    document = parse_file(str(path))
    messages = validate_full_spdx_document(document, spdx_version=f"SPDX-{version}")
    return [message.validation_message for message in messages]


def cyclonedx_error(text: str, version: str):
    """Return the schema validation error of a CycloneDX JSON text, or None when valid."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    schema = {"1.6": SchemaVersion.V1_6, "1.5": SchemaVersion.V1_5, "1.4": SchemaVersion.V1_4}
    return JsonStrictValidator(schema[version]).validate_str(text)
