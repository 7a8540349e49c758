"""``python -m scaffold`` runs the command-line interface."""

try:
    from scaffold.entry import main
except KeyboardInterrupt:  # Ctrl-C in the first milliseconds: exit 130 as scaffold.entry does
    import sys

    sys.stderr.write("interrupted\n")
    raise SystemExit(130) from None

main()
