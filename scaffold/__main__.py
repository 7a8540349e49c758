"""``python -m scaffold`` runs the command-line interface."""

from scaffold.cli import main

main()
