"""Test pipeline that takes its time, reporting progress."""

import time

from scanapp.db import session_scope
from scanapp.models import Project
from scanapp.pipeline import Pipeline

#: Seconds slept between progress updates.
TICK = 0.1


class Slow(Pipeline):
    """Sleep for the project's ``slow_seconds`` setting (default 30), in small increments.

    Used to observe running runs: stop them, kill their worker.
    """

    @classmethod
    def steps(cls):
        return (cls.wait, cls.finish)

    def wait(self):
        """Sleep in small increments, updating the progress every few ticks."""
        with session_scope() as session:
            settings = session.get(Project, self.context.project_id).settings or {}
        total = max(1, int(float(settings.get("slow_seconds", 30)) / TICK))
        started = time.monotonic()
        for done in range(1, total + 1):
            time.sleep(TICK)
            if done % 5 == 0 or done == total:
                self.context.set_progress(done, total, started)

    def finish(self):
        """Log the end."""
        self.context.log("slow finished")
