"""``scaffold init``: add scaffold to an existing git repository.

:func:`register` adds the command to the ``scaffold`` Typer app; the work is in
:func:`scaffold.repo_init.init_project`, imported inside the command so that
``scaffold --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.console import err, out


def register(app: typer.Typer) -> None:
    """Add ``init`` to ``app``."""
    app.command("init", epilog=(
        "Examples:  scaffold init  |  "
        "scaffold init --dir infra --region eu-west-1 --components database,api --no-input  |  "
        "scaffold init --dir infra/stack --name shop"
    ))(init)


def init(
    dir: Annotated[Path, typer.Option(
        "--dir", help="The folder for scaffold.yaml, inside a git repository; created if missing.")] = Path("."),
    name: Annotated[str | None, typer.Option(
        "--name", help="Project name (default: the repository folder's name, lowercase, with hyphens).")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Default AWS region (default: us-east-1).")] = None,
    components: Annotated[str | None, typer.Option(
        "--components", help="Comma-separated kinds: database, cache, queue, notifications, api, worker, job, "
        "bucket (default: database,api,queue,cache,notifications). A worker brings the queue it consumes.")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Do not ask questions; use the options and defaults.")] = False,
) -> None:
    """Add scaffold to an existing git repository: scaffold.yaml, its schema, a CI workflow.

    Writes scaffold.yaml and scaffold.schema.json in --dir (default: here), the
    CI workflow at the repository root (.github/workflows/scaffold.yml, working
    in --dir), and adds .scaffold/ to the root .gitignore (appended). Other files
    are left alone; if a file it would write exists, it lists each one and writes
    nothing (exit 2). Asks its questions only when stdin is a terminal.
    """
    from scaffold.prompts import run_asking
    from scaffold.repo_init import init_project, shown

    result = run_asking(lambda ask: init_project(dir, name=name, region=region, components=components, ask=ask),
                        no_input=no_input)
    for path in result.written:
        out.print(f"wrote {shown(path)}", markup=False)
    if result.install_note:  # the workflow cannot know what to pip install: say so
        err.print(f"warning: {result.install_note} ({shown(result.written[2])})", markup=False)
    shown_ignore = shown(result.gitignore)
    out.print({"created": f"wrote {shown_ignore} (ignores .scaffold/)",
               "appended": f"added .scaffold/ to {shown_ignore}",
               "unchanged": f"{shown_ignore} already ignores .scaffold/"}[result.gitignore_change], markup=False)
    where = shown(result.target)
    steps = "scaffold validate && scaffold plan -e dev"
    out.print(f"next: {steps}" if where == "." else f"next: cd {where} && {steps}", markup=False)
    files = [*result.written, *([result.gitignore] if result.gitignore_change != "unchanged" else [])]
    out.print("then commit them: git add " + " ".join(shown(p) for p in files), markup=False)
