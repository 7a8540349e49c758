"""``scaffold graph``: the components of one environment and their links, as Mermaid or DOT.

Reads the spec only (no pulumi): :mod:`stacks.graph` derives the links from the
blueprint's fields. Documented in ``docs/cli.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.console import fail
from scaffold.errors import ScaffoldError

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment to draw; optional when the spec has only one.")]


def register(app: typer.Typer) -> None:
    """Add ``graph`` to ``app``."""
    app.command("graph", epilog="Examples:  scaffold graph -e prod  |  scaffold graph -e prod --format dot > stack.dot"
                                "  |  scaffold graph -f infra/scaffold.yaml -e dev")(graph_command)


def graph_command(
    file: SpecFile = Path("scaffold.yaml"),
    env: Env = None,
    format: Annotated[str, typer.Option(
        "--format", help="mermaid (for Markdown: GitHub renders it in a ```mermaid block) or dot (Graphviz).")
    ] = "mermaid",
) -> None:
    """Print the components of one environment and their links, as a Mermaid or Graphviz DOT graph.

    Nodes are the components, labelled with their kind. Edges: uses (the service to
    what it uses), consumes (the queue to its worker), subscription (the topic to
    a queue it delivers to) and, dashed, alarms (each component with alarms to the
    alarms.notify topic, when the environment's alarms are on). Offline: reads the
    spec only.
    """
    from scaffold.errors import UsageError
    from scaffold.spec import load_blueprint
    from stacks.graph import FORMATS, component_graph, render

    try:
        if format not in FORMATS:
            raise UsageError(f"unknown format {format!r}", "use --format mermaid or --format dot")
        text = render(component_graph(load_blueprint(file, env)), format)
    except ScaffoldError as error:
        fail(error)
    print(text, end="")
