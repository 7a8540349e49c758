"""``scaffold generate``: write a standalone Pulumi project for one environment.

:func:`register` adds the command to the ``scaffold`` Typer app. The work happens
in :func:`stacks.generate.generate_project`; ``stacks`` (and Jinja2, pulumi
metadata) are imported inside the command body, so ``scaffold --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scaffold.console import err, fail, out
from scaffold.errors import ScaffoldError

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment (= Pulumi stack); optional when the spec has only one.")]
OutDir = Annotated[Path, typer.Option(
    "--out", "-o", help="The project folder to write; created if missing.")]
Force = Annotated[bool, typer.Option(
    "--force", help="Overwrite files that were edited since generated, or not written by scaffold.")]

DEFAULT_SPEC = Path("scaffold.yaml")


def register(app: typer.Typer) -> None:
    """Add ``generate`` to ``app``."""
    app.command("generate", epilog=(
        "Examples:  scaffold generate -e prod --out infra/pulumi  |  "
        "scaffold generate -e dev --out infra/pulumi && cd infra/pulumi && pulumi up --stack dev"
    ))(generate)


def generate(out_dir: OutDir, file: SpecFile = DEFAULT_SPEC, env: Env = None,
             force: Force = False) -> None:
    """Write a Pulumi project (Pulumi.yaml, Pulumi.ENV.yaml, __main__.py, ...) to run with the pulumi CLI.

    Generate each environment into the same folder to get one stack per
    environment. A file you edited, or one scaffold did not write, is not
    overwritten: the command refuses (exit 2) and writes nothing, unless --force.
    Files are written atomically, under a lock on the folder: concurrent runs
    on one folder wait for each other.
    """
    from scaffold.spec import load_blueprint

    try:
        blueprint = load_blueprint(file, env)
        from stacks.generate import generate_project

        def waiting() -> None:
            err.print(f"waiting for another scaffold run on {out_dir}", markup=False)

        written = generate_project(blueprint, out_dir, force=force, on_wait=waiting)
    except ScaffoldError as error:
        fail(error)
    for path in written:
        err.print(f"wrote {path}", markup=False)
    state = f"{len(written)} file{'s' if len(written) != 1 else ''} written" if written else "up to date"
    out.print(f"generated '{blueprint.environment}' ({blueprint.project}) in {out_dir}: {state}",
              markup=False)
    out.print(f"next: cd {out_dir} && pulumi stack select {blueprint.environment} --create "
              "&& pulumi up", markup=False)
