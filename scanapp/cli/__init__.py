"""The ``scanapp`` command line.

A command module imports the services it calls inside its command functions: importing them
and the API when the program starts adds 0.9 s to every command, ``scanapp --help`` included
(0.65 s without, ``/usr/bin/time scanapp --help``, median of 5). Those imports say
``see scanapp.cli``.
"""

from __future__ import annotations

import pkgutil
import sys
from importlib import import_module

import click

from scanapp import __version__
from scanapp.config import SettingsError, get_settings, unknown_variables
from scanapp.errors import NotFoundError, ScanappError

#: Exit codes: 0 ok; 1 compliance alerts, a failed run or a refused request; 2 bad usage,
#: invalid settings or policies; 3 project (or other named object) not found.
EXIT_FAILED, EXIT_USAGE, EXIT_NOT_FOUND = 1, 2, 3

#: Every module of ``scanapp.cli`` with a ``register(group)`` function adds its commands.
COMMAND_MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="scanapp")
@click.option("--verbose", is_flag=True, help="Print the traceback of an unexpected error.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """scanapp: scan code for packages, licenses and copyrights through pipelines.

    Exit codes: 0 ok; 1 compliance alerts, a failed run or a refused request; 2 bad usage,
    invalid settings or policies; 3 project not found.
    """
    ctx.obj = {"verbose": verbose}


for _name in COMMAND_MODULES:
    _module = import_module(f"scanapp.cli.{_name}")
    if hasattr(_module, "register"):
        _module.register(cli)


def main() -> None:
    """Entry point: run the CLI; errors are one line (a traceback only with ``--verbose``)."""
    try:
        get_settings()
        for warning in unknown_variables():
            click.echo(f"Warning: {warning}", err=True)
        cli(standalone_mode=True)
    except SettingsError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except ScanappError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(_exit_code(error))
    except Exception as error:  # noqa: BLE001 - the one place unexpected errors are shown
        if "--verbose" in sys.argv[1:]:
            raise
        text = " ".join(str(error).split())
        click.echo(f"Error: {type(error).__name__}: {text} (--verbose shows where)", err=True)
        sys.exit(EXIT_FAILED)


def _exit_code(error: ScanappError) -> int:
    from scanapp.policies import PolicyError  # imported when needed: see the module docstring

    if isinstance(error, NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, PolicyError):
        return EXIT_USAGE
    return EXIT_FAILED
