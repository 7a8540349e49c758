"""The commands that touch real infrastructure: deploy, preview, destroy, refresh, outputs.

:func:`register` adds them to the ``scaffold`` Typer app. They parse options, ask
for confirmation and print; the work happens in :mod:`stacks.deploy` (Pulumi
Automation API). ``pulumi`` and ``stacks`` are imported inside the command bodies,
so ``scaffold --help`` stays fast.

Every :class:`~scaffold.errors.ScaffoldError` ends the command through
:func:`scaffold.console.fail` (``error:``/``hint:`` on stderr, its exit code).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.console import err, fail, out
from scaffold.errors import OperationError, ScaffoldError, UsageError

if TYPE_CHECKING:
    from stacks.deploy import StackRunner, StackTarget
    from stacks.progress import LiveProgress, OperationSummary, ResourceStep

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment (= Pulumi stack); optional when the spec has only one.")]
AllowLocalState = Annotated[bool, typer.Option(
    "--allow-local-state",
    help="Allow the local file backend (.scaffold/state) even when CI is set (true, 1, yes, on).")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
ShowSecrets = Annotated[bool, typer.Option(
    "--show-secrets", help="Print secret outputs in plain text (masked as [secret] otherwise).")]

DEFAULT_SPEC = Path("scaffold.yaml")


def register(app: typer.Typer) -> None:
    """Add ``deploy``, ``preview``, ``destroy``, ``refresh`` and ``outputs`` to ``app``."""
    app.command("deploy", epilog=_example("deploy -e dev", "deploy -e prod --yes"))(deploy)
    app.command("preview", epilog=_example("preview -e staging"))(preview)
    app.command("destroy", epilog=_example("destroy -e dev", "destroy -e prod --force"))(destroy)
    app.command("refresh", epilog=_example("refresh -e dev"))(refresh)
    app.command("outputs", epilog=_example("outputs -e dev", "outputs -e dev --json"))(outputs)


def _example(*lines: str) -> str:
    return "Examples:  " + "  |  ".join(f"scaffold {line}" for line in lines)


# -- commands -------------------------------------------------------------------


def deploy(file: SpecFile = DEFAULT_SPEC, env: Env = None, yes: Yes = False,
           show_secrets: ShowSecrets = False,
           allow_local_state: AllowLocalState = False) -> None:
    """Preview the changes, ask, then create or update the environment's resources.

    On a terminal, a live status below the per-resource lines shows resources done out of
    the preview's total, the elapsed time and each operation in flight with its own time.
    Without a terminal on stdin, --yes is required. Secret outputs print as [secret]
    unless --show-secrets. Exit codes: 0 deployed, 1 failed or declined, 2 invalid spec
    or options, 3 missing pulumi/passphrase, 130 Ctrl-C, 143 SIGTERM.
    """
    try:
        blueprint, target = _load(file, env, allow_local_state)
        if not yes and not _interactive():
            raise UsageError("deploy asks for confirmation, but stdin is not a terminal",
                             "pass --yes to deploy without asking (e.g. in CI)")
        runner = _runner(blueprint, target)
        with _live_progress(runner, "Previewing", target) as previewed:
            plan = runner.preview()
        _announce(plan, target)
        if not yes and not typer.confirm(
                f"Deploy {plan.describe()} to '{target.stack}'?", default=False, err=True):
            raise OperationError("deploy declined: nothing was changed")
        total = previewed.finished if previewed is not None else None
        with _live_progress(runner, "Deploying", target, total=total):
            summary = runner.up()
        _announce(summary, target)
        _print_outputs(summary.shown_outputs(show_secrets=show_secrets), as_json=False)
    except ScaffoldError as error:
        fail(error)


def preview(file: SpecFile = DEFAULT_SPEC, env: Env = None,
            allow_local_state: AllowLocalState = False) -> None:
    """Show what deploy would change, without changing anything.

    Creates the (empty) stack in the backend if it does not exist yet.
    """
    try:
        blueprint, target = _load(file, env, allow_local_state)
        runner = _runner(blueprint, target)
        with _live_progress(runner, "Previewing", target):
            summary = runner.preview()
        _announce(summary, target)
    except ScaffoldError as error:
        fail(error)


def destroy(file: SpecFile = DEFAULT_SPEC, env: Env = None, yes: Yes = False,
            force: Annotated[bool, typer.Option(
                "--force", help="Required to destroy a production-profile environment.")] = False,
            allow_local_state: AllowLocalState = False) -> None:
    """Delete every resource of the environment, after you type its name.

    A production-profile environment also needs --force. --yes skips typing the name.
    """
    try:
        blueprint, target = _load(file, env, allow_local_state)
        if target.profile == "production" and not force:
            raise UsageError(f"'{target.stack}' uses the production profile; destroying it "
                             "needs --force", "pass --force if you really mean it")
        if not yes:
            _confirm_by_name(target.stack)
        runner = _runner(blueprint, target)
        with _live_progress(runner, "Destroying", target):
            summary = runner.destroy()
        _announce(summary, target)
    except ScaffoldError as error:
        fail(error)


def refresh(file: SpecFile = DEFAULT_SPEC, env: Env = None,
            allow_local_state: AllowLocalState = False) -> None:
    """Read the real state of every resource into the stack's state (no resource changes)."""
    try:
        blueprint, target = _load(file, env, allow_local_state)
        runner = _runner(blueprint, target)
        with _live_progress(runner, "Refreshing", target):
            summary = runner.refresh()
        _announce(summary, target)
    except ScaffoldError as error:
        fail(error)


def outputs(file: SpecFile = DEFAULT_SPEC, env: Env = None,
            as_json: Annotated[bool, typer.Option(
                "--json", help="Print one JSON document on stdout, nothing else.")] = False,
            show_secrets: ShowSecrets = False,
            allow_local_state: AllowLocalState = False) -> None:
    """Print the stack outputs of the environment (secrets masked unless --show-secrets)."""
    try:
        blueprint, target = _load(file, env, allow_local_state)
        from stacks.progress import mask_secrets

        values = _runner(blueprint, target, with_program=False).outputs()
        _print_outputs(mask_secrets(values, show_secrets=show_secrets), as_json=as_json)
    except ScaffoldError as error:
        fail(error)


# -- shared steps ---------------------------------------------------------------


def _interactive() -> bool:
    """True when a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def _load(file: Path, env: str | None, allow_local_state: bool) -> tuple[Any, StackTarget]:
    """Load the blueprint and resolve its target: backend and secrets checked, no engine call."""
    import scaffold.spec as spec
    from stacks.deploy import StackTarget

    blueprint = spec.load_blueprint(file, env)
    return blueprint, StackTarget.from_blueprint(blueprint, file,
                                                 allow_local_state=allow_local_state)


def _runner(blueprint: Any, target: StackTarget, *, with_program: bool = True) -> StackRunner:
    """A runner printing one line per finished resource operation."""
    import stacks.deploy as deploy_mod

    program = None
    if with_program:
        import stacks.program as program_mod

        program = program_mod.build_program(blueprint)
    return deploy_mod.StackRunner(target, program, on_step=_print_step)


@contextmanager
def _live_progress(runner: StackRunner, verb: str, target: StackTarget, *,
                   total: int | None = None) -> Iterator[LiveProgress | None]:
    """While the block runs, on a terminal, show a live status below the per-resource
    lines (done/total, elapsed time, operations in flight: :class:`stacks.progress.LiveProgress`).

    Yields the LiveProgress, or None without a terminal (not a TTY, ``CI`` set, or
    ``TERM=dumb``), where the output stays exactly the per-resource lines.
    """
    from stacks.progress import LiveProgress, live_wanted

    if not live_wanted(out):
        yield None
        return
    with LiveProgress(out, f"{verb} '{target.stack}' ({target.project})", total=total,
                      print_step=_print_step) as live:
        runner.on_step = live.on_step
        try:
            yield live
        finally:
            runner.on_step = _print_step


def _print_step(step: ResourceStep) -> None:
    if step.status != "started":
        out.print(step.describe(), markup=False)


def _announce(summary: OperationSummary, target: StackTarget) -> OperationSummary:
    verb = {"preview": "Preview of", "update": "Deployed", "destroy": "Destroyed",
            "refresh": "Refreshed"}[summary.operation]
    out.print(f"{verb} '{target.stack}' ({target.project}): {summary.describe()}", markup=False)
    return summary


def _confirm_by_name(stack: str) -> None:
    if not _interactive():
        raise UsageError("destroy asks you to type the environment name, but stdin is not a "
                         "terminal", "pass --yes to destroy without asking")
    typed = typer.prompt(f"This deletes every resource of '{stack}'. Type the environment name "
                         "to confirm", default="", show_default=False, err=True)
    if typed.strip() != stack:
        raise UsageError(f"you typed '{typed.strip()}', not '{stack}': nothing was destroyed")


def _print_outputs(values: Mapping[str, Any], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(dict(values), indent=2, sort_keys=True, default=str))
        return
    if not values:
        err.print("(no outputs)", markup=False)
    for name, value in sorted(values.items()):
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        out.print(f"{name} = {text}", markup=False)
