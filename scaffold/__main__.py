"""``python -m scaffold`` runs the command-line interface."""

from scaffold.entry import main

main()
