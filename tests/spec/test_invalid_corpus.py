"""The corpus of invalid specs: each file names the field path and message it must produce.

A file's first line is ``# expect: <field path> | <message fragment>``, and the
line the error must point at ends with ``# <-``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app

CORPUS = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


def _expectation(path: Path) -> tuple[str, str, int]:
    lines = path.read_text().splitlines()
    field, _, message = lines[0].removeprefix("# expect:").partition("|")
    marked = [i for i, line in enumerate(lines, 1) if line.rstrip().endswith("# <-")]
    assert len(marked) == 1, f"{path.name} must mark exactly one line with '# <-'"
    return field.strip(), message.strip(), marked[0]


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("spec_file", CORPUS, ids=[p.stem for p in CORPUS])
def test_invalid_spec_reports_line_and_field(spec_file: Path) -> None:
    field, message, line = _expectation(spec_file)
    result = CliRunner().invoke(app, ["validate", "-f", str(spec_file)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    problems = [ln for ln in result.output.splitlines() if ": error: " in ln]
    expected_prefix = f"{spec_file}:{line}:"
    matching = [p for p in problems if p.startswith(expected_prefix)
                and (not field or f": error: {field}: " in p) and message in p]
    assert matching, f"no problem at {expected_prefix} for {field!r} with {message!r} in:\n{result.output}"
