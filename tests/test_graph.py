"""``scaffold graph``: components and their links as Mermaid or Graphviz DOT, offline and pulumi-free."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from stacks.graph import mermaid_ids

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"
runner = CliRunner()

#: Every link of examples/shop.yaml, as (source, relation, target).
SHOP_LINKS = {
    ("api", "uses", "orders-db"), ("api", "uses", "sessions"), ("api", "uses", "jobs"),
    ("api", "uses", "order-events"), ("api", "uses", "uploads"),
    ("mailer", "uses", "orders-db"), ("mailer", "uses", "uploads"),
    ("nightly-report", "uses", "orders-db"), ("nightly-report", "uses", "uploads"),
    ("jobs", "consumes", "mailer"), ("order-events", "subscription", "jobs"),
}
#: In prod (alarms on), each component whose kind has alarms -> the alarms.notify topic.
SHOP_ALARMS = {(name, "alarms", "alerts") for name in ("orders-db", "sessions", "jobs", "api", "mailer",
                                                       "nightly-report")}

#: Names that are keywords or edge syntax in Mermaid or DOT.
TRICKY = """\
scaffold: 1
name: shop
region: us-east-1
alarms: {notify: graph}
environments:
  prod: {profile: production}
components:
  end: {kind: queue}
  o: {kind: queue}
  graph:
    kind: notifications
    subscribers: [{queue: end}, {email: a@example.com}]
  node: {kind: database}
  x: {kind: worker, image: "ghcr.io/acme/w:1", consumes: o, uses: [node, end, graph]}
  style-class: {kind: api, image: "ghcr.io/acme/a:1", public: false, uses: [node, o]}
"""


def _graph(*argv: str) -> str:
    result = runner.invoke(app, ["graph", *argv])
    assert result.exit_code == 0, result.output
    return result.stdout


def _mermaid_edges(text: str) -> set[tuple[str, str, str, bool]]:
    """(source id, relation, target id, dashed) of each edge line."""
    found = set()
    for line in text.splitlines():
        match = re.fullmatch(r"  (\w+) (-->|-\.->)\|(\w+)\| (\w+)", line)
        if match:
            found.add((match[1], match[3], match[4], match[2] == "-.->"))
    return found


def _dot_edges(text: str) -> set[tuple[str, str, str, bool]]:
    found = set()
    for line in text.splitlines():
        match = re.fullmatch(r'  "([^"]+)" -> "([^"]+)" \[label="(\w+)"(, style=dashed)?\];', line)
        if match:
            found.add((match[1], match[3], match[2], bool(match[4])))
    return found


def _ids(links: set[tuple[str, str, str]], dashed: bool = False) -> set[tuple[str, str, str, bool]]:
    ids = mermaid_ids(["orders-db", "sessions", "jobs", "alerts", "order-events", "api", "uploads", "mailer",
                       "nightly-report"])
    return {(ids[a], rel, ids[b], dashed) for a, rel, b in links}


def test_mermaid_has_every_component_and_link() -> None:
    text = _graph("-f", str(EXAMPLE), "-e", "prod")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  c_orders_db[("orders-db (database)")]' in lines and '  c_mailer("mailer (worker)")' in lines
    assert len([line for line in lines if re.fullmatch(r"  c_\w+\[?\(.*\)\]?", line)]) == 9
    assert _mermaid_edges(text) == _ids(SHOP_LINKS) | _ids(SHOP_ALARMS, dashed=True)
    assert len(lines) == 1 + 9 + len(SHOP_LINKS) + len(SHOP_ALARMS)


def test_no_alarm_links_when_alarms_are_off() -> None:
    text = _graph("-f", str(EXAMPLE), "-e", "dev")  # the dev profile turns alarms off
    assert _mermaid_edges(text) == _ids(SHOP_LINKS)


def test_dot_is_a_digraph_with_quoted_ids() -> None:
    text = _graph("-f", str(EXAMPLE), "-e", "prod", "--format", "dot")
    lines = text.splitlines()
    assert lines[0] == 'digraph "shop/prod" {' and lines[-1] == "}"
    assert '  "orders-db" [label="orders-db\\ndatabase", shape=cylinder, style=solid];' in lines
    assert '  "nightly-report" [label="nightly-report\\njob"];' in lines
    expected = {(a, rel, b, False) for a, rel, b in SHOP_LINKS} | {(a, rel, b, True) for a, rel, b in SHOP_ALARMS}
    assert _dot_edges(text) == expected
    assert all(line.endswith((";", "{", "}")) for line in lines)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_reads_the_dot(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(TRICKY)
    for source in (["-f", str(EXAMPLE), "-e", "prod"], ["-f", str(spec)]):
        proc = subprocess.run(["dot", "-Tsvg"], input=_graph(*source, "--format", "dot"), capture_output=True,
                              text=True)
        assert proc.returncode == 0 and "<svg" in proc.stdout, proc.stderr


def test_keyword_and_hyphenated_names_get_safe_ids(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(TRICKY)
    text = _graph("-f", str(spec))
    # `end` is a Mermaid keyword, and `o`/`x` after an arrow make circle/cross heads: every id is c_<name>.
    assert '  c_end("end (queue)")' in text and '  c_style_class("style-class (api)")' in text
    assert ("c_x", "uses", "c_end", False) in _mermaid_edges(text)
    assert ("c_o", "consumes", "c_x", False) in _mermaid_edges(text)
    assert ("c_graph", "subscription", "c_end", False) in _mermaid_edges(text)
    assert ("c_style_class", "alarms", "c_graph", True) in _mermaid_edges(text)
    assert not re.search(r"(-->|-\.->)\|\w+\| (end|o|x)\b", text)
    dot = _graph("-f", str(spec), "--format", "dot")
    assert '  "node" [label="node\\ndatabase", shape=cylinder, style=solid];' in dot  # a DOT keyword, quoted
    assert ("graph", "subscription", "end", False) in _dot_edges(dot)


def test_ids_stay_distinct_when_names_map_to_the_same_id() -> None:
    ids = mermaid_ids(["a-b", "a_b", "a.b"])
    assert ids == {"a-b": "c_a_b", "a_b": "c_a_b_2", "a.b": "c_a_b_3"}


def test_a_spec_without_links(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
                    "components:\n  files: {kind: bucket}\n")
    assert _graph("-f", str(spec)) == 'flowchart LR\n  c_files[("files (bucket)")]\n'
    assert "->" not in _graph("-f", str(spec), "--format", "dot")


@pytest.mark.parametrize(("argv", "message"), [
    (["-e", "prod", "--format", "svg"], "error: unknown format 'svg'"),
    ([], "error: the spec has 2 environments: dev, prod"),
    (["-e", "qa"], "qa"),
])
def test_bad_input_is_a_usage_error(argv: list[str], message: str) -> None:
    result = runner.invoke(app, ["graph", "-f", str(EXAMPLE), *argv])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_help_teaches_with_an_example() -> None:
    result = runner.invoke(app, ["graph", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # the help is wrapped to the terminal's width
    assert "as a Mermaid or Graphviz DOT graph" in text and "scaffold graph -e prod --format dot > stack.dot" in text


def test_graph_does_not_import_pulumi() -> None:
    code = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, "graph", "-f", str(EXAMPLE), "-e", "prod"],
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})
    modules = set(proc.stderr.split())
    assert "stacks.graph" in modules and proc.stdout.startswith("flowchart LR")
    assert not {m for m in modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_aws"))}
