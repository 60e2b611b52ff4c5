"""Input URL and upload validation, shared by project creation and ``add_input/``."""

from __future__ import annotations

import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scanapp.errors import InvalidInputError
from scanapp.filenames import safe_filename, unique_target


@dataclass
class PendingInput:
    """An input validated but not stored yet."""

    download_url: str = ""
    filename: str = ""
    tag: str = ""
    upload: object | None = None  # a werkzeug FileStorage or a local Path

    @property
    def is_uploaded(self) -> bool:
        """True for an uploaded file."""
        return self.upload is not None


def split_values(value) -> list[str]:
    """Accept a string (whitespace or comma separated) or a list; return clean items."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    result = []
    for item in items:
        if not isinstance(item, str):
            raise InvalidInputError("Expected a string or a list of strings.")
        result.extend(part for part in re.split(r"[\s]+", item) if part)
    return result


def check_url(url: str, field: str = "input_urls") -> PendingInput:
    """Validate one input URL; a ``#fragment`` becomes the tag."""
    if url.startswith("pkg:"):
        _check_purl(url, field)
        return PendingInput(download_url=url)
    base, _, tag = url.partition("#")
    parts = urlsplit(base)
    if parts.scheme == "docker":
        if not (parts.netloc or parts.path.strip("/")):
            raise InvalidInputError.for_field(field, f"Invalid docker reference: {url}")
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError.for_field(
            field, f"Invalid URL {url!r}: use http(s)://, pkg:, docker:// or a git URL ending .git."
        )
    if len(tag) > 50:
        raise InvalidInputError.for_field(field, f"Tag {tag!r} is longer than 50 characters.")
    return PendingInput(download_url=base, tag=tag)


def _check_purl(url: str, field: str) -> None:
    from packageurl import PackageURL

    try:
        PackageURL.from_string(url)
    except ValueError as error:
        raise InvalidInputError.for_field(field, f"Invalid package URL {url!r}: {error}") from None


def check_upload(upload, tag: str = "") -> PendingInput:
    """Validate an uploaded file (werkzeug FileStorage or local Path)."""
    filename = upload.name if isinstance(upload, Path) else (upload.filename or "")
    if not filename.strip() or "\r" in filename or "\n" in filename:
        raise InvalidInputError.for_field(
            "upload_file", f"The uploaded file has no usable name: {filename!r}."
        )
    if len(tag or "") > 50:
        raise InvalidInputError.for_field(
            "upload_file_tag", "Ensure this field has no more than 50 characters."
        )
    return PendingInput(filename=safe_filename(filename), tag=tag or "", upload=upload)


#: Files being written into input/ have this suffix until complete (``.<name>.<random>.part``).
PARTIAL_SUFFIX = ".part"


def store_upload(pending: PendingInput, folder: Path) -> str:
    """Write the upload into ``folder`` and return its name; streamed, never read whole.

    It is written under a hidden temporary name, then renamed: a process killed while
    copying leaves only a ``.part`` file, which ``remove_leftovers`` deletes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = unique_target(folder, pending.filename)
    temporary = folder / f".{target.name}.{secrets.token_hex(4)}{PARTIAL_SUFFIX}"
    try:
        if isinstance(pending.upload, Path) and pending.upload.is_dir():
            shutil.copytree(pending.upload, temporary, symlinks=True)
        elif isinstance(pending.upload, Path):
            shutil.copyfile(pending.upload, temporary)
        else:
            with open(temporary, "wb") as handle:
                shutil.copyfileobj(pending.upload.stream, handle, length=1024 * 1024)
        os.replace(temporary, target)
    except BaseException:
        remove_path(temporary)
        raise
    return target.name


def remove_path(path: Path) -> None:
    """Remove a file or a directory tree, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
