"""Test pipeline that does nothing."""

from scanapp.pipeline import Pipeline


class DoNothing(Pipeline):
    """Do nothing, in two steps.

    Used to exercise the engine without scanning.
    """

    @classmethod
    def steps(cls):
        return (cls.step1, cls.step2)

    def step1(self):
        """Step one: nothing."""

    def step2(self):
        """Step two: nothing either."""
