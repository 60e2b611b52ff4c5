"""Allow ``python -m scanapp``."""

from scanapp.cli import main

main()
