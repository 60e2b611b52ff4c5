"""What happens when a run ends, in order (compliance alerts, then notifications)."""

from __future__ import annotations

from collections.abc import Callable


def run_ended_hooks() -> list[Callable[[int], None]]:
    """Return the callables to call with the run id after a run ended, in order.

    Each area adds its hook here (imported lazily to keep start-up light).
    """
    from scanapp.services.compliance import update_alerts_after_run
    from scanapp.services.webhook_delivery import fire_webhooks

    return [update_alerts_after_run, fire_webhooks]  # webhooks stay last
