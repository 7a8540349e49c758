"""``scaffold import copilot``: write a scaffold spec and a migration report from a Copilot workspace.

The import itself is :func:`scaffold.importers.copilot.import_workspace`; this module parses
the options, checks the written spec with ``validate``'s own code, and writes the files
without ever overwriting one. Documented in ``docs/import-copilot.md`` and ``docs/cli.md``.

Writing is all or nothing, and never replaces a file: each file is written to a temporary file
beside its target, then hard-linked to its name (``link`` fails when the name exists, so a file
that appears between the check and the write is not overwritten either), then the temporary
names are removed. A failure or a Ctrl-C on the way removes what this run wrote, and the
folders it created for it. ``-o`` into a folder that does not exist creates it (as ``schema -o``
and ``generate`` do); ``-o`` naming a folder is refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from scaffold.console import err, fail
from scaffold.errors import ScaffoldError, SpecError, UsageError
from scaffold.exit_codes import ExitStatus

if TYPE_CHECKING:
    from scaffold.importers.copilot import Imported

#: The region when neither --region, AWS_REGION nor AWS_DEFAULT_REGION says one.
DEFAULT_REGION = "us-east-1"
#: ``--output`` value that prints the spec on stdout (the report then goes to stderr).
STDOUT = "-"

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
    epilog="Examples:  scaffold import copilot  |  scaffold import copilot ../shop -o scaffold.yaml "
           "--report MIGRATION.md --region eu-west-1 --account 123456789012  |  "
           "scaffold import copilot ../shop -o - > scaffold.yaml 2> MIGRATION.md")
def copilot_command(
    path: Annotated[Path, typer.Argument(
        help="The folder that holds copilot/, or copilot/ itself (default: here).")] = Path("."),
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write the spec (a missing folder is created); never "
                               "overwritten. `-` prints it on stdout and the report on stderr.")
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
    which validates. An existing file is never overwritten. Exits 0 with the
    spec written (with a warning when no service or job could be imported,
    e.g. only Static Sites), 2 when PATH holds no Copilot workspace or an
    option is wrong. Nothing is deployed and AWS is never called.
    Then: set the variables it lists, and run scaffold validate and scaffold
    plan --all (docs/import-copilot.md).
    """
    try:
        to_stdout = str(output) == STDOUT
        chosen_region = _region(region)
        if account is not None and not re.fullmatch(r"[0-9]{12}", account):
            raise UsageError(f"--account {account!r} is not an AWS account id",
                             "give the 12 digits, e.g. 123456789012")
        targets = ([] if to_stdout else [(output, "the spec", "-o")]) + (
            [] if report is None else [(report, "the report", "--report")])
        _check_targets(targets)
        imported = _import(path, chosen_region, account)
        shown = "the spec" if to_stdout else str(output)
        text = printable(imported.report.markdown(f"Migration report: Copilot workspace {path} → {shown}"))
        _check(imported.spec, str(output) if not to_stdout else "scaffold.yaml", imported.example_environ())
        files = ([] if to_stdout else [(output, imported.spec)]) + ([] if report is None else [(report, text)])
        write_new_files(files)
        if to_stdout:
            _write(sys.stdout, imported.spec)
            _write(sys.stderr, text)
        else:
            _write(sys.stdout, text)
    except ScaffoldError as error:
        fail(error)
    wrote = "the spec to stdout" if to_stdout else str(output)
    extra = f" and the report to {report}" if report is not None else ""
    err.print(f"Wrote {wrote}{extra}: {imported.workloads} workload(s) imported.", markup=False)
    if imported.workloads == 0:
        err.print("warning: no Copilot service or job could be imported (the report's Left out says why, e.g. "
                  "a Static Site or a Request-Driven Web Service): the spec holds only the environments and "
                  "the addons' storage; add the services yourself before you deploy it", markup=False)
    if imported.variables:
        err.print("Before `scaffold validate` and `scaffold plan`, set these variables (see the report's "
                  "To decide):", markup=False)
        for v in imported.variables.values():
            err.print(f"  {v.name}: {v.why} (e.g. {v.example})", markup=False)
    file = " -f FILE" if to_stdout else "" if output == Path("scaffold.yaml") else f" -f {output}"
    err.print(f"Next: scaffold validate{file} && scaffold plan --all{file}", markup=False)


#: Control characters (C0 but newline and tab, DEL, C1): a manifest's own bytes must not drive the
#: terminal the report is printed on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with each control character written as its escape (``\\x1b``), as printed and saved."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text)


def _write(stream: TextIO, text: str) -> None:
    """``text`` byte for byte (a rich console would expand tabs)."""
    stream.write(text)
    stream.flush()


def _import(path: Path, region: str, account: str | None) -> Imported:
    """The import; an unexpected exception is a bug in the importer, reported without a traceback."""
    from scaffold.importers.copilot import import_workspace

    try:
        return import_workspace(path, region=region, account=account)
    except ScaffoldError:
        raise
    except Exception as exc:  # a converter that did not expect some input: say where, exit 1
        frame = exc.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f" ({Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno})" if frame else ""
        raise ScaffoldError(f"scaffold import failed on {path}: {type(exc).__name__}: {exc}{where}; "
                            "this is a bug in scaffold import", "please report it with the workspace; "
                            "nothing was written", exit_status=ExitStatus.OPERATION_FAILED) from exc


def _region(given: str | None) -> str:
    from scaffold.spec.regions import REGIONS

    if given is not None:
        region, source = given, "--region"
    elif os.environ.get("AWS_REGION"):
        region, source = os.environ["AWS_REGION"], "$AWS_REGION"
    elif os.environ.get("AWS_DEFAULT_REGION"):
        region, source = os.environ["AWS_DEFAULT_REGION"], "$AWS_DEFAULT_REGION"
    else:
        region, source = DEFAULT_REGION, "the default region"
    if region not in REGIONS:
        raise UsageError(f"{source} {region!r} is not an AWS region scaffold knows",
                         "give one with --region, e.g. us-east-1 or eu-west-1; `scaffold schema` lists them")
    return region


def _check_targets(targets: list[tuple[Path, str, str]]) -> None:
    """Refuse (exit 2) a target that exists, is a folder, lies through a file, or is named twice."""
    from scaffold.files import check_file_target

    seen: dict[Path, str] = {}
    for path, what, option in targets:
        hint = f"write {what} elsewhere with {option} PATH"
        if str(path) == STDOUT:
            raise UsageError(f"{option} - is not a file: the report is printed already", hint)
        check_file_target(path, hint)  # a folder, a dangling link, a path through a file
        if path.exists() or path.is_symlink():
            raise UsageError(f"{path} exists; scaffold import never overwrites a file",
                             f"move it away, or {hint}")
        key = Path(os.path.abspath(path))
        if key in seen:
            raise UsageError(f"{seen[key]} and {what} would both be written to {path}", hint)
        seen[key] = what


def _check(spec: str, name: str, environ: dict[str, str]) -> None:
    """Validate ``spec`` with ``validate``'s code; a problem here is a bug in the importer."""
    from scaffold.spec.loader import check_source
    from scaffold.spec.source import parse_yaml

    try:
        check_source(parse_yaml(spec, name, environ))
    except SpecError as error:
        problems = "\n".join(str(p) for p in error.problems)
        raise ScaffoldError(f"the imported spec does not validate; this is a bug in scaffold import:\n{problems}",
                            "please report it with the workspace; nothing was written",
                            exit_status=ExitStatus.OPERATION_FAILED) from None


def write_new_files(files: list[tuple[Path, str]]) -> None:
    """Write every file, or none: never over an existing file (see the module docstring).

    Raises:
        UsageError: (exit 2) a file exists by now, or cannot be written (a read-only folder,
            a full disk ...); nothing this call wrote is left behind.
    """
    import tempfile

    from scaffold.files import cannot_write, make_folder, remove_empty_folders

    created: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    linked: list[Path] = []
    done = False
    try:
        for path, text in files:
            hint = "choose another file, or fix the folder"
            created += make_folder(path.parent, hint)
            try:
                fd, temporary = tempfile.mkstemp(prefix=f".scaffold-tmp-{path.name}.", dir=path.parent)
            except OSError as error:
                raise cannot_write(path, error, hint) from None
            staged.append((Path(temporary), path))
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temporary, 0o666 & ~_umask())
            except OSError as error:
                raise cannot_write(path, error, hint) from None
        for staged_file, target in staged:
            _link_new(staged_file, target)
            linked.append(target)
        done = True
    finally:
        for staged_file, _ in staged:
            with contextlib.suppress(OSError):
                staged_file.unlink()
        if not done:
            for target in linked:
                with contextlib.suppress(OSError):
                    target.unlink()
            remove_empty_folders(created)


def _link_new(tmp: Path, path: Path) -> None:
    """Give ``tmp``'s content the name ``path``, which must not exist."""
    from scaffold.files import cannot_write

    try:
        os.link(tmp, path)
        return
    except FileExistsError:
        raise UsageError(f"{path} exists (it appeared while importing); scaffold import never overwrites "
                         "a file; nothing was written", "move it away and run again") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise cannot_write(path, error, "choose another file, or fix the folder") from None
    # A file system without hard links: create the file exclusively and copy the text in.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        raise UsageError(f"{path} exists (it appeared while importing); scaffold import never overwrites "
                         "a file; nothing was written", "move it away and run again") from None
    except OSError as error:
        raise cannot_write(path, error, "choose another file, or fix the folder") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(tmp.read_bytes())
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
