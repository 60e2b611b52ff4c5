"""Users and their named API tokens (each key stored as its SHA-256, shown once)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import select

from scanapp import audit
from scanapp.db import session_scope
from scanapp.errors import ConflictError, InvalidInputError, NotFoundError
from scanapp.models import User, UserToken, age_seconds, aware, utcnow

#: What a token may do: ``read`` (GET, HEAD, OPTIONS) or ``write`` (every method).
SCOPES = ("read", "write")
#: The token ``scanapp create-user`` makes.
DEFAULT_TOKEN = "default"
#: A token's last use is written at most this often (seconds): not one write per request.
LAST_USED_EVERY = 60


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the user, their token's scope, server administrator or not."""

    user_id: int
    username: str
    scope: str
    token_uuid: str
    is_admin: bool = False


def hash_key(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return secrets.token_hex(20)


def create_user(username: str, email: str = "", *, is_admin: bool = False) -> str:
    """Create a user with a write token named "default"; return its key (shown once).

    A server administrator (``is_admin``) sees and may do everything, as the operator does.
    """
    username = username.strip()
    if not username or len(username) > 150:
        raise InvalidInputError.for_field("username", "Give a name of 1 to 150 characters.")
    key = _new_key()
    with session_scope() as session:
        if session.exec(select(User).where(User.username == username)).first():
            raise ConflictError(f"User {username!r} already exists.")
        user = User(username=username, email=email.strip(), is_admin=is_admin)
        session.add(user)
        session.flush()
        session.add(UserToken(user_id=user.id, name=DEFAULT_TOKEN, key_hash=hash_key(key),
                              prefix=key[:8], scope="write"))
    return key


def _caller(condition, *, touch: bool) -> Caller | None:
    """Return the caller of the token matching ``condition`` (not expired), or None.

    ``touch``: note the token's use (at most every ``LAST_USED_EVERY`` seconds).
    """
    now = utcnow()
    with session_scope() as session:
        found = session.execute(
            select(UserToken, User.username, User.is_admin)
            .join(User, User.id == UserToken.user_id)
            .where(condition)
        ).first()
        if found is None:
            return None
        token, username, is_admin = found
        if token.expires_date is not None and aware(token.expires_date) <= now:
            return None
        if touch and (token.last_used_date is None
                      or age_seconds(token.last_used_date) > LAST_USED_EVERY):
            token.last_used_date = now
        return Caller(token.user_id, username, token.scope, token.uuid, is_admin)


def authenticate(key: str) -> Caller | None:
    """Return the caller owning ``key`` (a token not expired), or None."""
    return _caller(UserToken.key_hash == hash_key(key), touch=True)


def get_user(user_id: int) -> User:
    """Return the user or raise NotFoundError."""
    with session_scope() as session:
        user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("User not found.")
    return user


def user_by_name(username: str) -> User:
    """Return the user named ``username`` or raise NotFoundError."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError("User not found.")
    return user


def create_token(user_id: int, name: str, scope: str = "write",
                 expires_date: datetime | None = None,
                 expires_in_days: int | None = None) -> tuple[UserToken, str]:
    """Create a named token; return it and its key (shown once, stored hashed)."""
    if not name or len(name) > 100:
        raise InvalidInputError.for_field("name", "Give a name of 1 to 100 characters.")
    if scope not in SCOPES:
        raise InvalidInputError.for_field("scope", f"Choose one of: {', '.join(SCOPES)}.")
    if expires_date is not None and expires_in_days is not None:
        raise InvalidInputError.for_field(
            "expires_date", "Give expires_date or expires_in_days, not both.")
    if expires_in_days is not None:
        expires_date = utcnow() + timedelta(days=expires_in_days)
    if expires_date is not None and aware(expires_date) <= utcnow():
        raise InvalidInputError.for_field("expires_date", "Give a time in the future.")
    with session_scope() as session:
        taken = session.exec(
            select(UserToken).where(UserToken.user_id == user_id, UserToken.name == name)
        ).first()
        if taken is not None:
            raise ConflictError(f"You already have a token named {name!r}.")
        return add_token(session, user_id, name, scope, expires_date)


def add_token(session, user_id: int, name: str, scope: str,
              expires_date: datetime | None = None, **details) -> tuple[UserToken, str]:
    """Add a token (its event too) to ``session``; return it and its key (shown once)."""
    key = _new_key()
    token = UserToken(user_id=user_id, name=name, key_hash=hash_key(key), prefix=key[:8],
                      scope=scope, expires_date=expires_date)
    session.add(token)
    audit.record(session, "token.create", token_name=name, scope=scope, **details)
    return token, key


def list_tokens(user_id: int) -> list[UserToken]:
    """Return the user's tokens, oldest first."""
    with session_scope() as session:
        return list(session.exec(
            select(UserToken).where(UserToken.user_id == user_id)
            .order_by(UserToken.created_date, UserToken.id)
        ).all())


def revoke_token(user_id: int, token_uuid: str) -> None:
    """Delete one of the user's tokens (its key stops working at once) or raise NotFoundError."""
    with session_scope() as session:
        deleted = session.execute(
            sa.delete(UserToken).where(UserToken.user_id == user_id,
                                       UserToken.uuid == token_uuid)
        ).rowcount
        if deleted:
            audit.record(session, "token.revoke", token=token_uuid)
    if not deleted:
        raise NotFoundError("Token not found.")


def caller_for_token(token_uuid: str) -> Caller | None:
    """Return the caller of the token ``token_uuid`` while it exists and has not expired.

    A web session keeps its token's uuid, never its key: revoking the token ends the session.
    """
    return _caller(UserToken.uuid == token_uuid, touch=False)
