"""The key that signs the web session cookies: ``SCANAPP_SECRET_KEY``, else one kept on disk.

Without the setting a random key is made once and kept in ``<workdirs>/secret_key`` (mode
0600), so every server process of the machine, and the next start, sign with the same key.
"""

from __future__ import annotations

import os
import secrets

from scanapp.config import get_settings

FILE_NAME = "secret_key"


def secret_key() -> str:
    """Return the signing key, making and keeping one when none is set."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = settings.workdirs / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside then linked into place: of two processes starting at once, one
        # key wins and neither reads a half-written file.
        fresh = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(fresh, path)
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    return path.read_text().strip()
