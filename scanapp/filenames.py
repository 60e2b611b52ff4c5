"""Safe file names for uploads and downloads, and unique targets in a folder."""

from __future__ import annotations

import re
from pathlib import Path

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._+@-]+")


def split_extension(filename: str) -> tuple[str, str]:
    """Split ``pkg-1.0.tar.gz`` into ``("pkg-1.0", ".tar.gz")``; the extension may be empty."""
    path = Path(filename)
    last_two = path.suffixes[-2:]
    if len(last_two) == 2 and last_two[0].lower() == ".tar":
        extension = "".join(last_two)
    else:
        extension = path.suffix
    if len(extension) > 20:
        extension = ""
    return filename[: len(filename) - len(extension)], extension


def safe_filename(name: str) -> str:
    """Reduce an uploaded or downloaded file name to a safe base name (its extension kept)."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._")
    if len(cleaned) > 200:
        stem, extension = split_extension(cleaned)
        cleaned = stem[: 200 - len(extension)] + extension
    return cleaned or "upload"


def unique_target(folder: Path, filename: str) -> Path:
    """Return ``folder/filename``, suffixed when that file exists already."""
    target = folder / filename
    stem, extension = split_extension(filename)
    counter = 1
    while target.exists():
        target = folder / f"{stem}_{counter}{extension}"
        counter += 1
    return target
