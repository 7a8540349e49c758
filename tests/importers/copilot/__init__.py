"""Tests of `scaffold import copilot`: converters, hand-written workspaces, the corpus, the CLI."""
