"""Webhook delivery: fire when a run ends, POST with retries, record every attempt.

A notification's body is written once to ``<workdirs>/webhooks/<delivery_id>.json`` (the
spool) so every attempt sends the same bytes; the RQ job carries only the delivery id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlmodel import func, select

from scanapp import __version__
from scanapp.config import get_settings
from scanapp.db import session_scope
from scanapp.downloads import pinned_session
from scanapp.models import Run, WebhookDelivery, WebhookSubscription, utcnow
from scanapp.netguard import AddressRefusedError, checked_address
from scanapp.queue import get_queue
from scanapp.services import webhooks

log = logging.getLogger(__name__)

JOB_FUNCTION = "scanapp.services.webhook_delivery.deliver_job"
RESPONSE_TEXT_LIMIT = 2000
#: Longest total wait between attempts when delivering inline (no Redis reachable).
INLINE_WAIT_LIMIT = 60


class WebhookDeliveryError(Exception):
    """An attempt failed in a way worth retrying (raised so RQ schedules the retry)."""


@dataclass
class Outcome:
    """What one attempt gave: ``retry`` when a later attempt may succeed."""

    attempt: int = 0
    success: bool = False
    retry: bool = False
    reason: str = ""


def max_attempts() -> int:
    """First attempt plus one per configured retry interval."""
    return len(get_settings().webhook_retry_intervals) + 1


def spool_dir() -> Path:
    """Folder of the bodies waiting to be delivered."""
    return get_settings().workdirs / "webhooks"


def spool_path(delivery_id: str) -> Path:
    """Spool file of one delivery."""
    return spool_dir() / f"{delivery_id}.json"


def sign(body: bytes, secret: str) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``, the ``X-Scanapp-Signature`` value."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def fire_webhooks(run_id: int) -> None:
    """Run-ended hook: queue (or deliver inline) one notification per subscription to fire."""
    with session_scope() as session:
        run = session.get(Run, run_id)
        targets = webhooks.subscriptions_to_fire(session, run) if run else []
    bodies: dict[tuple[bool, bool], str] = {}
    for subscription in targets:
        delivery_id = webhooks.delivery_id_for(subscription, run)
        try:
            body = _body(bodies, run, subscription)
        except Exception as error:  # noqa: BLE001 - recorded, other subscriptions go on
            _record(subscription, run, delivery_id, 1, error=f"Payload not built: {error!r}")
            continue
        if _spool(delivery_id, subscription, run, body):
            send(delivery_id)


def _body(cache: dict, run: Run, subscription: WebhookSubscription) -> str:
    key = (subscription.include_summary, subscription.include_results)
    if key not in cache:
        with session_scope() as session:
            payload = webhooks.build_payload(
                session, session.get(Run, run.id), summary=key[0], results=key[1]
            )
        cache[key] = json.dumps(payload, default=str)
    return cache[key]


def _spool(delivery_id: str, subscription: WebhookSubscription, run: Run, body: str) -> bool:
    """Write the spool file; False when this notification was fired already."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with session_scope() as session:
        sent = session.exec(
            select(WebhookDelivery.id).where(WebhookDelivery.delivery_id == delivery_id)
        ).first()
    if sent is not None:
        return False
    record = {"webhook_id": subscription.id, "run_id": run.id, "event": webhooks.event_for(run),
              "body": body}
    temporary = folder / f".{delivery_id}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(record), encoding="utf-8")
    try:
        os.link(temporary, spool_path(delivery_id))
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def send(delivery_id: str) -> None:
    """Queue the delivery job; deliver inline (bounded) when Redis is not reachable."""
    from redis.exceptions import RedisError

    try:
        enqueue_delivery(delivery_id)
    except RedisError as error:
        log.warning("Redis unreachable (%s): delivering webhook %s inline", error, delivery_id)
        deliver_inline(delivery_id)
    except BaseException:
        spool_path(delivery_id).unlink(missing_ok=True)  # a later fire may try again
        raise


def enqueue_delivery(delivery_id: str) -> None:
    """Enqueue the delivery job, retried with the configured backoff intervals."""
    from rq import Retry

    intervals = list(get_settings().webhook_retry_intervals)
    get_queue(get_settings().webhook_queue_name).enqueue(
        JOB_FUNCTION,
        delivery_id,
        job_id=f"webhook-{delivery_id}",
        job_timeout=get_settings().webhook_timeout + 30,
        retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def deliver_job(delivery_id: str) -> str:
    """RQ job: one attempt; raise to have RQ retry it while attempts remain."""
    from rq import get_current_job

    outcome = attempt(delivery_id)
    job = get_current_job()
    retries_left = job.retries_left if job is not None else 0
    if outcome.retry and outcome.attempt < max_attempts() and retries_left:
        raise WebhookDeliveryError(f"Attempt {outcome.attempt} failed: {outcome.reason}")
    spool_path(delivery_id).unlink(missing_ok=True)
    return outcome.reason


def deliver_inline(delivery_id: str) -> Outcome:
    """Deliver in this process with the same retries, waiting at most INLINE_WAIT_LIMIT."""
    waited = 0
    intervals = list(get_settings().webhook_retry_intervals)
    outcome = Outcome()
    try:
        while True:
            outcome = attempt(delivery_id)
            interval = intervals.pop(0) if intervals else None
            if not outcome.retry or interval is None or waited + interval > INLINE_WAIT_LIMIT:
                return outcome
            time.sleep(interval)
            waited += interval
    finally:
        spool_path(delivery_id).unlink(missing_ok=True)


def attempt(delivery_id: str) -> Outcome:
    """Make one attempt of a spooled delivery and record it as a WebhookDelivery row."""
    try:
        record = json.loads(spool_path(delivery_id).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Outcome(reason="Nothing to deliver (already delivered or given up).")
    with session_scope() as session:
        subscription = session.get(WebhookSubscription, record["webhook_id"])
    if subscription is None or not subscription.is_active:
        return Outcome(reason="Subscription deleted or inactive: not delivered.")
    number = _attempt_number(delivery_id)
    refusal = _refusal(subscription.target_url)
    if refusal:
        _record(subscription, record, delivery_id, number, error=refusal)
        return Outcome(attempt=number, reason=refusal)
    body = record["body"].encode("utf-8")
    headers = _headers(delivery_id, record["event"], number, body)
    started = time.monotonic()
    status, text, error = post(subscription.target_url, body, headers)
    duration = round(time.monotonic() - started, 3)
    success = status is not None and 200 <= status < 300
    _record(subscription, record, delivery_id, number, status=status, text=text, error=error,
            duration=duration, success=success)
    retry = not success and (status is None or status >= 500 or status == 429)
    return Outcome(number, success, retry, error or f"HTTP {status}")


def _attempt_number(delivery_id: str) -> int:
    with session_scope() as session:
        done = session.exec(
            select(func.count()).select_from(WebhookDelivery).where(
                WebhookDelivery.delivery_id == delivery_id
            )
        ).one()
    return done + 1


def _refusal(url: str) -> str:
    """Refuse, at sending time too, a host that no longer resolves or now resolves privately.

    The POST itself connects to the address checked then (see ``scanapp.downloads``).
    """
    try:
        checked_address(urlsplit(url).hostname or "",
                        allow_private=get_settings().allow_private_urls)
    except AddressRefusedError as error:
        return f"Refused: {error}."
    return ""


def _headers(delivery_id: str, event: str, number: int, body: bytes) -> dict:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"scanapp/{__version__}",
        "X-Scanapp-Event": event,
        "X-Scanapp-Delivery": delivery_id,
        "X-Scanapp-Attempt": str(number),
    }
    secret = get_settings().webhook_secret
    if secret:
        headers["X-Scanapp-Signature"] = sign(body, secret)
    return headers


def post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """POST once, no redirects followed; return (status or None, response text cut, error).

    The whole attempt (connect, send, read) ends within ``SCANAPP_WEBHOOK_TIMEOUT``: a
    receiver that answers a byte at a time is cut off then (the request runs in a thread
    that is left to its own socket timeouts), so a slow receiver never holds a worker.
    """
    deadline = get_settings().webhook_timeout
    outcome: list[tuple[int | None, str, str]] = []
    thread = threading.Thread(target=lambda: outcome.append(_post(url, body, headers)),
                              name="webhook-post", daemon=True)
    thread.start()
    thread.join(deadline)
    if not outcome:
        return None, "", f"Timeout: no whole answer within {deadline} seconds"
    return outcome[0]


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    settings = get_settings()
    session = pinned_session(allow_private=settings.allow_private_urls)
    try:
        with session.post(
            url, data=body, headers=headers, timeout=settings.webhook_timeout,
            allow_redirects=False, stream=True,
        ) as response:
            raw = response.raw.read(RESPONSE_TEXT_LIMIT * 4, decode_content=True) or b""
            text = raw.decode(response.encoding or "utf-8", errors="replace")
            return response.status_code, text[:RESPONSE_TEXT_LIMIT], ""
    except requests.RequestException as error:
        return None, "", f"{type(error).__name__}: {error}"[:RESPONSE_TEXT_LIMIT]


def _record(subscription, run_or_record, delivery_id: str, number: int, **values) -> None:
    """Store one attempt (the record may be the Run or the spooled dict)."""
    if isinstance(run_or_record, dict):
        run_id, event = run_or_record["run_id"], run_or_record["event"]
    else:
        run_id, event = run_or_record.id, webhooks.event_for(run_or_record)
    with session_scope() as session:
        if session.get(Run, run_id) is None:  # the run was deleted (project reset) meanwhile
            run_id = None
        session.add(
            WebhookDelivery(
                webhook_id=subscription.id,
                run_id=run_id,
                delivery_id=delivery_id,
                event=event,
                attempt=number,
                target_url=subscription.target_url,
                sent_date=utcnow(),
                response_status_code=values.get("status"),
                response_text=values.get("text", ""),
                delivery_error=values.get("error", ""),
                duration=values.get("duration"),
                success=values.get("success", False),
            )
        )
