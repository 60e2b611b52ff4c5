"""Test pipeline with optional step groups."""

from scanapp.pipeline import Pipeline, optional_step


class WithGroups(Pipeline):
    """A pipeline with optional groups Foo, Bar and Baz."""

    @classmethod
    def steps(cls):
        return (cls.always, cls.foo_step, cls.bar_step, cls.baz_step)

    def always(self):
        """Always runs."""
        self.context.log("always ran")

    @optional_step("Foo")
    def foo_step(self):
        """Runs with Foo."""
        self.context.log("foo ran")

    @optional_step("Bar", "Baz")
    def bar_step(self):
        """Runs with Bar or Baz."""
        self.context.log("bar ran")

    @optional_step("Baz")
    def baz_step(self):
        """Runs with Baz."""
        self.context.log("baz ran")
