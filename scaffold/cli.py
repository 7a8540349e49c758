"""The ``scaffold`` command line: parse options, call the core, print, exit.

Commands that need Pulumi import it inside their bodies, so ``scaffold --help``
and ``scaffold validate`` start without loading ``pulumi`` or ``pulumi_aws``.
Exit codes are in :mod:`scaffold.exit_codes`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scaffold import (
    __version__,
    diff_command,
    generate_command,
    graph_command,
    import_command,
    init_command,
    plan_commands,
    stack_commands,
)
from scaffold.console import err, fail, out
from scaffold.errors import ScaffoldError
from scaffold.exit_codes import ExitStatus

app = typer.Typer(
    name="scaffold",
    help=(
        "One YAML spec to a production-shaped AWS backend on Pulumi.\n\n"
        "Describe databases, API services, queues, caches and notifications in scaffold.yaml; "
        "scaffold validates it, resolves each environment with its profile's defaults "
        "(failover and autoscaling on in production), plans it offline and deploys it.\n\n"
        "Start with: scaffold new shop && cd shop && scaffold validate"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment to resolve; optional when the spec has only one.")]
DEFAULT_SPEC = Path("scaffold.yaml")


def _examples(*lines: str) -> str:
    return "Examples:  " + "  |  ".join(f"scaffold {line}" for line in lines)


def _version(value: bool) -> None:
    if value:
        out.print(f"scaffold {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """One YAML spec to a production-shaped AWS backend on Pulumi."""


@app.command(epilog=_examples("validate", "validate -f infra/scaffold.yaml",
                               "validate --against deployed.yaml"))
def validate(
    file: SpecFile = DEFAULT_SPEC,
    against: Annotated[Path | None, typer.Option(
        "--against", help="The spec that is deployed now (e.g. from the main branch): report changes "
                          "that would replace a database cluster or cache replication group.")] = None,
) -> None:
    """Check the spec: every field, reference and rule, in every environment.

    Prints one summary line and exits 0, or prints every problem as
    FILE:LINE:COL: error: FIELD: MESSAGE (HINT) and exits 2. Warnings
    (FILE:LINE:COL: warning: …, e.g. plain HTTP in dev) go to stderr and do not
    change the exit code. With --against OLD.yaml, a change that replaces a
    database or cache (and loses its data) is an error in a production
    environment unless the component sets allow_replacement: true, and a
    warning elsewhere (docs/spec.md, "Changes that replace stateful resources").
    """
    from scaffold.gc_pause import no_cyclic_gc

    with no_cyclic_gc():  # the spec layer's imports make no garbage (docs/performance.md, "Start-up")
        _validate(file, against)


def _validate(file: Path, against: Path | None) -> None:
    from scaffold.spec import check_file

    try:
        checked = check_file(file)
        warnings = list(checked.warnings)
        if against is not None:
            from scaffold.errors import SpecError
            from scaffold.spec.replacement import check_against

            try:
                warnings = sorted(warnings + check_against(checked, against))
            except SpecError as refused:  # print the spec's own warnings too; the summary counts errors
                raise SpecError(warnings + refused.problems) from None
    except ScaffoldError as error:
        fail(error)
    for warning in warnings:
        err.print(str(warning), markup=False)
    envs = ", ".join(f"{name} ({bp.profile})" for name, bp in checked.blueprints.items())
    count = len(checked.spec.components)
    out.print(f"{file}: valid: project {checked.spec.name}, {count} component{'s' if count != 1 else ''}, "
              f"environments {envs}", markup=False)


@app.command(epilog=_examples("schema", "schema -o scaffold.schema.json"))
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) of scaffold.yaml, for editor completion and checks."""
    from scaffold.errors import UsageError
    from scaffold.schema import spec_schema_text

    text = spec_schema_text()
    if output is None:
        out.print(text, markup=False, highlight=False, soft_wrap=True)
        return
    from scaffold.files import check_file_target, write_file

    hint = "choose another -o file, or fix the path"
    try:
        check_file_target(output, hint)  # a folder, a dangling link or a path through a file: exit 2
        if output.exists() and not force:
            raise UsageError(f"{output} exists; nothing was written", "pass --force to overwrite it")
        write_file(output, text + "\n", hint)  # atomic: a temporary file beside it, then renamed
    except ScaffoldError as error:
        fail(error)
    err.print(f"wrote {output}", markup=False)


@app.command(epilog=_examples("blueprint -e prod", "blueprint -e dev --format json"))
def blueprint(
    file: SpecFile = DEFAULT_SPEC,
    env: Env = None,
    format: Annotated[str, typer.Option("--format", help="yaml or json.")] = "yaml",
) -> None:
    """Print the resolved blueprint of one environment: every field explicit, profile defaults applied.

    Durations are in seconds.
    """
    import yaml

    from scaffold.errors import UsageError
    from scaffold.spec import load_blueprint

    try:
        if format not in ("yaml", "json"):
            raise UsageError(f"unknown format {format!r}", "use --format yaml or --format json")
        data = load_blueprint(file, env).model_dump(mode="json")
    except ScaffoldError as error:
        fail(error)
    # Non-ASCII values print as written (docs/cli.md), not as \u escapes.
    if format == "json":
        out.print(json.dumps(data, indent=2, ensure_ascii=False), markup=False, highlight=False, soft_wrap=True)
    else:
        out.print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip(), markup=False,
                  highlight=False, soft_wrap=True)


@app.command(epilog=_examples("new shop", "new shop --dir infra --region eu-west-1 --components database,api --no-input",
                              "new shop --components database,api,worker,job,bucket"))
def new(
    name: Annotated[str, typer.Argument(help="Project name: lowercase letters, digits and hyphens, 2 to 39 characters.")],
    dir: Annotated[Path | None, typer.Option("--dir", help="Where to create the project (default: ./NAME). Must be empty or new.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Default AWS region (default: us-east-1).")] = None,
    components: Annotated[str | None, typer.Option(
        "--components", help="Comma-separated kinds: database, cache, queue, notifications, api, worker, job, "
        "bucket (default: database,api,queue,cache,notifications). A worker brings the queue it consumes.")] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Do not ask questions; use the options and defaults.")] = False,
) -> None:
    """Create a project: a commented scaffold.yaml, its JSON Schema, a README and a CI workflow.

    Asks its questions only when stdin is a terminal. Refuses to write into a
    non-empty folder; nothing is written when an answer is invalid.
    """
    from scaffold.project import create_project
    from scaffold.prompts import run_asking

    created = run_asking(lambda ask: create_project(name, directory=dir, region=region, components=components,
                                                    ask=ask), no_input=no_input)
    out.print(f"created {created}", markup=False)
    out.print(f"next: cd {created} && scaffold validate && scaffold plan -e dev", markup=False)


# Commands defined in their own modules; each imports pulumi only inside its body.
init_command.register(app)
generate_command.register(app)
plan_commands.register(app)
graph_command.register(app)
stack_commands.register(app)
diff_command.register(app)
import_command.register(app)


def main() -> None:
    """Console-script entry point: run the app, mapping stray Ctrl-C to exit 130."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        raise SystemExit(130) from None


__all__ = ["ExitStatus", "app", "main"]
