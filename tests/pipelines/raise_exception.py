"""Test pipeline whose step fails."""

from scanapp.pipeline import Pipeline


class RaiseException(Pipeline):
    """Fail in the first step."""

    @classmethod
    def steps(cls):
        return (cls.raise_exception,)

    def raise_exception(self):
        """Raise an error."""
        raise ValueError("Error message")
