"""Command-line logins by a device flow (jsr's authorizations, RFC 8628's states).

``scanapp login`` starts one with the SHA-256 of a secret verifier (PKCE's S256 challenge) and
gets a short code, the page to approve it at and an exchange token; a user who holds a key
approves (or denies) the code; the command then exchanges its token and verifier for a new
API key of that user, once. A code lives ``LIFETIME`` seconds.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from scanapp import audit
from scanapp.db import session_scope
from scanapp.errors import InvalidInputError, NotFoundError
from scanapp.models import DeviceAuthorization, User, UserToken, aware, utcnow
from scanapp.services.users import Caller, add_token, hash_key

#: Seconds a login waits for its approval, and between two exchange attempts of the command.
LIFETIME, POLL_INTERVAL = 600, 2
#: The code's letters: no vowels (no words), no look-alikes (RFC 8628, section 6.1).
CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
#: The page where a code is approved, under the server's base URL.
PAGE = "/login/device"
#: Why an exchange gives no key yet (the first word of its 400 message, RFC 8628's names).
PENDING, DENIED, EXPIRED, INVALID = ("authorization_pending", "access_denied",
                                     "expired_token", "invalid_grant")


def challenge_of(verifier: str) -> str:
    """Return the S256 challenge of ``verifier``: base64url of its SHA-256, unpadded."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def normalize_code(code: str) -> str:
    """Return ``code`` as stored, ``BCDF-GHJK``, whatever its case, spaces or dashes."""
    letters = re.sub(r"[^A-Z]", "", code.upper())
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == 8 else ""


def _new_code() -> str:
    letters = "".join(secrets.choice(CODE_LETTERS) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def start(challenge: str, scope: str, token_name: str, expires_in_days: int | None,
          client_address: str, client_user_agent: str) -> tuple[DeviceAuthorization, str]:
    """Store a pending login; return it and its exchange token (shown this once).

    Logins expired for an hour are deleted here: nothing else keeps the table small (an
    hour: the command that polls a just-expired login is told it expired).
    """
    exchange_token = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope() as session:
        session.execute(sa.delete(DeviceAuthorization)
                        .where(DeviceAuthorization.expires_date <= now - timedelta(hours=1)))
        code = _new_code()
        while session.exec(select(DeviceAuthorization.id)
                           .where(DeviceAuthorization.code == code)).first():
            code = _new_code()
        login = DeviceAuthorization(
            code=code, exchange_hash=hash_key(exchange_token), challenge=challenge, scope=scope,
            token_name=token_name, token_days=expires_in_days,
            client_address=client_address[:45], client_user_agent=client_user_agent[:512],
            created_date=now, expires_date=now + timedelta(seconds=LIFETIME))
        session.add(login)
        audit.record(session, "login.start", code=code, scope=scope, token_name=token_name)
    return login, exchange_token


def _pending(session, code: str) -> DeviceAuthorization:
    """Return the pending, unexpired login of ``code`` or raise NotFoundError."""
    login = session.exec(select(DeviceAuthorization).where(
        DeviceAuthorization.code == normalize_code(code))).first()
    if login is None or login.status != "pending" or aware(login.expires_date) <= utcnow():
        raise NotFoundError("No login waits for this code (it may have expired: "
                            "run scanapp login again).")
    return login


def details(code: str) -> DeviceAuthorization:
    """Return the pending login of ``code``: what a user approves."""
    with session_scope() as session:
        return _pending(session, code)


def decide(caller: Caller, code: str, approve: bool) -> DeviceAuthorization:
    """Approve (for the caller) or deny the pending login of ``code``."""
    with session_scope() as session:
        login = _pending(session, code)
        login.status = "approved" if approve else "denied"
        login.user_id = caller.user_id if approve else None
        login.decided_date = utcnow()
        audit.record(session, "login.approve" if approve else "login.deny", code=login.code,
                     scope=login.scope, client_address=login.client_address)
    return login


def exchange(exchange_token: str, verifier: str) -> tuple[UserToken, str, User]:
    """Turn an approved login into its user's new token; return it, its key and the user.

    Refused with a 400 whose message starts with why: ``authorization_pending`` (ask again
    after the poll interval), ``access_denied``, ``expired_token`` or ``invalid_grant`` (an
    unknown or used exchange token, or a verifier that does not match the challenge).
    """
    with session_scope() as session:
        login = session.exec(select(DeviceAuthorization).where(
            DeviceAuthorization.exchange_hash == hash_key(exchange_token))).first()
        if login is None or not hmac.compare_digest(challenge_of(verifier), login.challenge):
            _refuse(INVALID, "Unknown exchange token, or a verifier that does not match.")
        if login.status == "exchanged":
            _refuse(INVALID, "This login has already given its key.")
        if login.status == "denied":
            _refuse(DENIED, "The login was denied.")
        if aware(login.expires_date) <= utcnow():
            _refuse(EXPIRED, "The login expired before it was approved.")
        if login.status != "approved":
            _refuse(PENDING, "The login waits for its approval.")
        user = session.get(User, login.user_id)
        token, key = add_token(session, user.id, _free_name(session, user.id, login.token_name),
                               login.scope, _expiry(login), login=login.code)
        login.status = "exchanged"
        session.flush()
    return token, key, user


def _refuse(reason: str, text: str) -> None:
    raise InvalidInputError(f"{reason}: {text}", errors={"exchange_token": [reason]})


def _expiry(login: DeviceAuthorization):
    return None if login.token_days is None else utcnow() + timedelta(days=login.token_days)


def _free_name(session, user_id: int, name: str) -> str:
    """Return ``name``, or ``name (2)``, ``(3)``...: the first the user has no token of."""
    taken = set(session.exec(select(UserToken.name).where(UserToken.user_id == user_id)))
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name[:94]} ({number})"
    return candidate
