"""Text mutations of ``examples/shop.yaml`` through ``scaffold validate``: exit 0 or 2, never a traceback.

Mutations work on the text, not the data, so they reach the YAML reader: deleted,
duplicated and swapped lines, inserted YAML syntax (anchors, aliases, tags, merge keys,
brackets, tabs, control and non-ASCII characters) and changed indentation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scaffold.cli import app

EXAMPLE = (Path(__file__).parents[2] / "examples" / "shop.yaml").read_text()
LINES = EXAMPLE.splitlines()

#: Fragments that YAML gives meaning to, and values that stress patterns and types.
SNIPPETS = ["&a ", "*a", "<<: *a", "!!int ", "!!bool ", "!!timestamp ", "!!binary ", "!foo ", "[", "]", "{", "}",
            ": ", "- ", "---", "...", "? ", "|", ">", "\t", "#", '"', "'", "\x00", "\x07", "\u0661", "\ufeff", "\n",
            "yes", "on", "~", "null", "true", "1e400", ".inf", "9" * 4400, "2024-99-99", "0x1F", "0o17",
            "us-east-\u0661", "8.8.8.0/24", "AKIAIOSFODNN7EXAMPLE", "  ", "%YAML 1.1", "@", "`"]


def _mutate(data: st.DataObject) -> str:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        op = data.draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "dedent", "replace"]))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1), label="other")
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = " " * data.draw(st.integers(1, 3)) + lines[i]
        elif op == "dedent":
            lines[i] = lines[i].lstrip()
        else:
            snippet = data.draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=4)), label="snippet")
            col = data.draw(st.integers(0, len(lines[i])), label="column")
            end = col + (data.draw(st.integers(0, 6)) if op == "replace" else 0)
            lines[i] = lines[i][:col] + snippet + lines[i][end:]
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_example_exits_0_or_2(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    text = _mutate(data)
    spec = tmp_path_factory.mktemp("fuzz") / "scaffold.yaml"
    spec.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    output = result.output
    assert result.exit_code in (0, 2), f"exit {result.exit_code} for:\n{text}\n{output}\n{result.exception!r}"
    assert "Traceback" not in output
    if result.exit_code == 2:
        assert f"{spec}:" in output, output
