"""The validators of the formats: spdx-tools, cyclonedx-python-lib's JSON validator, ORT's model.

ORT (Kotlin, a JVM) is not installed here: its package list model is transcribed below.
"""

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


#: ORT's ``PackageList`` as ``orth create-analyzer-result-from-package-list`` reads it
#: (cli-helper ``CreateAnalyzerResultFromPackageListCommand.kt``): field -> allowed types.
ORT_PACKAGE_LIST = {"projectName": (str, type(None)), "projectVcs": (dict, type(None)),
                    "dependencies": (list,)}
ORT_VCS = {"type": (str, type(None)), "url": (str, type(None)),
           "revision": (str, type(None)), "path": (str, type(None))}
ORT_DEPENDENCY = {
    "id": (str,), "purl": (str, type(None)), "vcs": (dict, type(None)),
    "sourceArtifact": (dict, type(None)), "declaredLicenses": (list,),
    "concludedLicense": (str, type(None)), "description": (str, type(None)),
    "homepageUrl": (str, type(None)), "authors": (list,), "isExcluded": (bool,),
    "isDynamicallyLinked": (bool,), "labels": (dict,),
}


def ort_package_list_errors(document) -> list[str]:
    """Return what ORT's package list reader would refuse in a parsed document (empty: none)."""
    errors = _fields_errors("package list", document, ORT_PACKAGE_LIST, required=())
    if errors:
        return errors
    errors += _fields_errors("projectVcs", document.get("projectVcs") or {}, ORT_VCS, ())
    for number, item in enumerate(document.get("dependencies", [])):
        where = f"dependencies[{number}]"
        found = _fields_errors(where, item, ORT_DEPENDENCY, required=("id",))
        if found:
            errors += found
            continue
        if len(item["id"].split(":")) != 4:  # Identifier: type:namespace:name:version
            errors.append(f"{where}.id {item['id']!r} is not type:namespace:name:version")
        errors += _fields_errors(f"{where}.vcs", item.get("vcs") or {}, ORT_VCS, ())
        if "sourceArtifact" in item and item["sourceArtifact"] is not None:
            errors += _fields_errors(f"{where}.sourceArtifact", item["sourceArtifact"],
                                     {"url": (str, type(None)), "hash": (dict, type(None))},
                                     required=("url",))
        for key in ("declaredLicenses", "authors"):
            if not all(isinstance(value, str) and value for value in item.get(key, [])):
                errors.append(f"{where}.{key} has an entry that is not a non-empty string")
    return errors


def _fields_errors(where: str, value, fields: dict, required: tuple[str, ...]) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} is not a mapping"]
    errors = [f"{where} has the unknown field {key!r}" for key in value if key not in fields]
    errors += [f"{where} lacks {key!r}" for key in required if key not in value]
    errors += [f"{where}.{key} is a {type(item).__name__}" for key, item in value.items()
               if key in fields and not isinstance(item, fields[key])]
    return errors
