"""``scaffold import copilot``: write a scaffold spec and a migration report from a Copilot workspace.

The import itself is :func:`scaffold.importers.copilot.import_workspace`; this module parses
the options, checks the written spec with ``validate``'s own code, and writes the files
without ever overwriting one. Documented in ``docs/import-copilot.md`` and ``docs/cli.md``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from scaffold.console import err, fail, out
from scaffold.errors import ScaffoldError, SpecError, UsageError
from scaffold.exit_codes import ExitStatus

#: The region when neither --region, AWS_REGION nor AWS_DEFAULT_REGION says one.
DEFAULT_REGION = "us-east-1"

import_app = typer.Typer(
    name="import",
    help="Write a scaffold spec from another tool's configuration (AWS Copilot).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add ``import`` and its ``copilot`` subcommand to ``app``."""
    app.add_typer(import_app)


@import_app.command(
    "copilot",
    epilog="Examples:  scaffold import copilot  |  scaffold import copilot ../my-copilot-app -o scaffold.yaml "
           "--report MIGRATION.md --region eu-west-1 --account 123456789012")
def copilot_command(
    path: Annotated[Path, typer.Argument(help="The folder that holds copilot/ (default: here).")] = Path("."),
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write the spec; never overwritten. `-` prints it instead.")
    ] = Path("scaffold.yaml"),
    report: Annotated[Path | None, typer.Option(
        "--report", help="Also write the migration report (Markdown) to this file; never overwritten.")
    ] = None,
    region: Annotated[str | None, typer.Option(
        "--region", help="The AWS region to deploy to (Copilot keeps it outside the workspace). "
                         "Default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1.")] = None,
    account: Annotated[str | None, typer.Option(
        "--account", help="The 12-digit AWS account Copilot deployed to: for the ECR images Copilot "
                          "pushed and SSM parameter ARNs. Without it the spec reads ${AWS_ACCOUNT_ID}.")
    ] = None,
) -> None:
    """Write a scaffold spec and a migration report from an AWS Copilot workspace.

    Reads copilot/.workspace, copilot/environments/*/manifest.yml,
    copilot/*/manifest.yml and the addons' CloudFormation templates. Services,
    workers and scheduled jobs become api, worker and job components; addon
    databases, caches, buckets, queues and topics become database, cache,
    bucket, queue and notifications; environment manifests become environments
    with a profile picked by name (prod/production: production; staging/stage:
    staging; others: dev).

    Prints the migration report (what each construct became, what was left out
    and why, what to decide, what behaves differently) and writes the spec,
    which validates. An existing file is never overwritten. Exits 0 when at
    least one workload was imported, 2 when PATH holds no Copilot workspace or
    nothing could be imported. Nothing is deployed and AWS is never called.
    """
    from scaffold.importers.copilot import import_workspace

    try:
        chosen_region = _region(region)
        if account is not None and not re.fullmatch(r"[0-9]{12}", account):
            raise UsageError(f"--account {account!r} is not an AWS account id", "give the 12 digits, e.g. 123456789012")
        to_stdout = str(output) == "-"
        if not to_stdout:
            _refuse_existing(output, "the spec")
        if report is not None:
            _refuse_existing(report, "the report")
        imported = import_workspace(path, region=chosen_region, account=account)
        title = f"Migration report: Copilot workspace {path} → {'the spec' if to_stdout else output}"
        text = imported.report.markdown(title)
        if imported.workloads == 0:
            err.print(text, markup=False)
            raise UsageError(f"nothing to import from {path}: no Copilot service or job could be imported",
                             "the report above says what was found and why each part was left out")
        _check(imported.spec, output, imported.example_environ())
        from scaffold.files import write_file

        if to_stdout:
            sys.stdout.write(imported.spec)
            err.print(text, markup=False)
        else:
            write_file(output, imported.spec, "choose another --output")
            out.print(text, markup=False)
        if report is not None:
            write_file(report, text, "choose another --report file")
    except ScaffoldError as error:
        fail(error)
    wrote = "the spec to stdout" if to_stdout else str(output)
    extra = f" and the report to {report}" if report is not None else ""
    err.print(f"Wrote {wrote}{extra}: {imported.workloads} workload(s) imported.", markup=False)
    if imported.variables:
        names = " ".join(f"{v.name}=…" for v in imported.variables.values())
        err.print(f"Before `scaffold validate` and `plan`, set: {names} (see the report's To decide).",
                  markup=False)


def _region(given: str | None) -> str:
    from scaffold.spec.regions import REGIONS

    region = given or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    if region not in REGIONS:
        raise UsageError(f"--region {region!r} is not an AWS region scaffold knows",
                         "e.g. us-east-1, eu-west-1; `scaffold schema` lists them")
    return region


def _refuse_existing(path: Path, what: str) -> None:
    if path.exists() or path.is_symlink():
        raise UsageError(f"{path} exists; scaffold import never overwrites a file",
                         f"move it away, or write {what} elsewhere with "
                         f"{'-o' if what == 'the spec' else '--report'} PATH")


def _check(spec: str, output: Path, environ: dict[str, str]) -> None:
    """Validate ``spec`` with ``validate``'s code; a problem here is a bug in the importer."""
    from scaffold.spec.loader import check_source
    from scaffold.spec.source import parse_yaml

    try:
        check_source(parse_yaml(spec, str(output), environ))
    except SpecError as error:
        problems = "\n".join(str(p) for p in error.problems)
        raise ScaffoldError(f"the imported spec does not validate; this is a bug in scaffold import:\n{problems}",
                            "please report it with the workspace; nothing was written",
                            exit_status=ExitStatus.OPERATION_FAILED) from None
