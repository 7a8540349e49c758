"""``scaffold plan``: the offline plan of one environment, as a tree or as JSON.

``pulumi`` and :mod:`stacks` are imported inside the command, so ``scaffold
--help`` stays fast. The JSON schema is documented in ``docs/plan.md``.
"""

from __future__ import annotations

import atexit
import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.console import err, fail, out
from scaffold.errors import OperationError, ScaffoldError

if TYPE_CHECKING:
    from stacks.plan import Plan

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment (= Pulumi stack); optional when the spec has only one.")]


def register(app: typer.Typer) -> None:
    """Add ``plan`` to ``app``."""
    app.command("plan", epilog="Examples:  scaffold plan -e prod  |  scaffold plan -e prod --json > plan.json")(
        plan_command)


def plan_command(
    file: SpecFile = Path("scaffold.yaml"),
    env: Env = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document (schema: docs/plan.md).")] = False,
) -> None:
    """Show what the environment's stack would create, offline: no cloud, no pulumi CLI.

    Runs the same program as deploy under Pulumi's mock runtime. Ids, ARNs,
    endpoints, the account and the availability zones are fabricated (stable
    from run to run); secrets show as [secret].
    """
    from scaffold.spec import load_blueprint

    # pulumi_aws's classes make a large object graph: cyclic GC passes while it is built, and
    # at interpreter exit, cost about half of a plan and free nothing useful.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    atexit.register(gc.freeze)
    try:
        blueprint = load_blueprint(file, env)
        result = _run(blueprint)
    except ScaffoldError as error:
        fail(error)
    finally:
        if gc_was_enabled:
            gc.enable()
    if as_json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=False))
        return
    _print_tree(result)


def _run(blueprint: Any) -> Plan:
    from stacks.plan import plan

    try:
        return plan(blueprint)
    except ScaffoldError:
        raise
    except Exception as exc:  # a component rejected its settings, or a duplicate resource
        raise OperationError(f"the stack's program failed offline: {exc}",
                             "this is a bug in scaffold if `scaffold validate` passed; please report it") from exc


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_format_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _print_tree(result: Plan) -> None:
    from rich.tree import Tree

    tree = Tree(f"stack {result.project}/{result.stack}  profile {result.profile}, region {result.region}")
    nodes: dict[str | None, Tree] = {None: tree}
    for r in result.resources:
        parent = nodes.get(r.parent, tree)
        if r.is_component:
            label = f"[bold]{r.type.rsplit(':', 1)[-1]}[/bold] {r.name}"
        else:
            settings = "  ".join(f"{k}={_format_value(v)}" for k, v in r.key_settings().items())
            label = f"{r.type} [cyan]{r.name}[/cyan]" + (f"  [dim]{settings}[/dim]" if settings else "")
        nodes[r.urn] = parent.add(label)
    if out.is_terminal:
        out.print(tree)
    else:  # piped or redirected: keep every line whole, for diffs and grep
        from rich.console import Console

        Console(width=10_000, no_color=True, highlight=False).print(tree)
    summary = result.summary()
    by_component = ", ".join(f"{name} {count}" for name, count in summary["by_component"].items())
    out.print(f"Plan: {summary['total']} resources in {summary['components']} components ({by_component})",
              markup=False)
    by_type = ", ".join(f"{count} {t.split(':')[1]}" for t, count in summary["by_type"].items())
    out.print(f"By type: {by_type}", markup=False)
    err.print("Computed offline: ids, ARNs, endpoints, the account and the availability zones are fabricated.",
              markup=False)
