"""API users and their keys (stored as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import select

from scanapp.db import session_scope
from scanapp.errors import ConflictError, InvalidInputError
from scanapp.models import ApiToken


def hash_key(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def create_user(username: str) -> str:
    """Create a user and return their new API key (shown once, stored hashed)."""
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidInputError.for_field("username", "Give a name of 1 to 150 characters.")
    key = secrets.token_hex(20)
    with session_scope() as session:
        if session.exec(select(ApiToken).where(ApiToken.username == username)).first():
            raise ConflictError(f"User {username!r} already exists.")
        session.add(ApiToken(username=username, key_hash=hash_key(key)))
    return key


def user_for_key(key: str) -> str | None:
    """Return the username owning ``key``, or None."""
    with session_scope() as session:
        token = session.exec(select(ApiToken).where(ApiToken.key_hash == hash_key(key))).first()
        return token.username if token else None
