"""Tests of `scaffold import` (issue 12)."""
