"""Test pipeline accepting one input at most."""

from scanapp.pipeline import Pipeline


class SingleInput(Pipeline):
    """Accept at most one input."""

    max_inputs = 1

    @classmethod
    def steps(cls):
        return (cls.check,)

    def check(self):
        """Check nothing."""
