"""A file's text as numbered lines, those of its license and copyright detections marked."""

from __future__ import annotations

from pathlib import Path


def _spans(items: list, label) -> list[tuple[int, int, str]]:
    """Return (start line, end line, label) of each item having both lines."""
    spans = []
    for item in items:
        start, end = item.get("start_line"), item.get("end_line")
        if isinstance(start, int) and isinstance(end, int) and start <= end:
            spans.append((start, end, label(item)))
    return spans


def _matches(resource: dict) -> list[dict]:
    return [{**match, "expression": match.get("license_expression")
             or detection.get("license_expression") or ""}
            for detection in resource.get("license_detections") or []
            for match in detection.get("matches") or []]


def marks(resource: dict) -> dict[int, dict]:
    """Return line number -> ``{"kinds": [...], "labels": [...]}`` for the marked lines.

    ``resource`` is a resource as ``ResourceSchema`` dumps it: each match of its license
    detections marks its lines ``license`` (labelled with its expression), each copyright
    its lines ``copyright`` (labelled with the statement).
    """
    found: dict[int, dict] = {}
    kinds = (("license", _spans(_matches(resource), lambda match: match["expression"])),
             ("copyright", _spans(resource.get("copyrights") or [],
                                  lambda item: item.get("copyright", ""))))
    for kind, spans in kinds:
        for start, end, label in spans:
            for number in range(start, end + 1):
                line = found.setdefault(number, {"kinds": [], "labels": []})
                if kind not in line["kinds"]:
                    line["kinds"].append(kind)
                if label and label not in line["labels"]:
                    line["labels"].append(label)
    return found


def numbered_lines(location: Path, resource: dict) -> list[dict]:
    """Return each line of the file: its number, text and marks (``kinds``, ``labels``)."""
    text = location.read_bytes().decode("utf-8", errors="replace")
    found = marks(resource)
    empty = {"kinds": [], "labels": []}
    return [{"number": number, "text": line, **found.get(number, empty)}
            for number, line in enumerate(text.splitlines(), start=1)]
