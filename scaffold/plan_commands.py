"""``scaffold plan``: the offline plan of one environment (or, with ``--all``, of every one), as a
tree, JSON or Markdown.

``pulumi`` and :mod:`stacks` are imported inside the command, so ``scaffold
--help`` stays fast. The JSON schema is documented in ``docs/plan.md``.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.console import err, fail, out
from scaffold.errors import OperationError, ScaffoldError
from scaffold.exit_codes import ExitStatus

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.loader import CheckedSpec
    from scaffold.spec.replacement import Replacement
    from stacks.plan import Plan

SpecFile = Annotated[Path, typer.Option("--file", "-f", help="The spec file.")]
Env = Annotated[str | None, typer.Option(
    "--env", "-e", help="Environment (= Pulumi stack); optional when the spec has only one.")]
AllEnvs = Annotated[bool, typer.Option(
    "--all", help="Plan every environment of the spec in one process (faster than one run each): "
                  "each tree in turn, or one JSON document with every plan under environments "
                  "(docs/plan.md).")]


def register(app: typer.Typer) -> None:
    """Add ``plan`` to ``app``."""
    app.command("plan", epilog="Examples:  scaffold plan -e prod  |  scaffold plan -e prod --json > plan.json"
                               "  |  scaffold plan -e prod --format markdown > plan.md"
                               "  |  scaffold plan -e prod --against deployed.yaml"
                               "  |  scaffold plan --all --json > plans.json"
                               "  |  scaffold plan --from plans.json --format markdown -e prod")(
        plan_command)


def plan_command(
    file: SpecFile = Path("scaffold.yaml"),
    env: Env = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document (schema: docs/plan.md); "
                                                    "the same as --format json.")] = False,
    format: Annotated[str | None, typer.Option(
        "--format", help="text (a tree, the default), json (as --json) or markdown (a summary for a "
                         "pull-request comment: settings, alarms and a Mermaid diagram).")] = None,
    against: Annotated[Path | None, typer.Option(
        "--against", help="The spec that is deployed now: mark the database clusters and cache groups "
                          "this change would replace (docs/plan.md).")] = None,
    all_envs: AllEnvs = False,
    saved: Annotated[Path | None, typer.Option(
        "--from", metavar="PLANS.json",
        help="Plan nothing: read a document `scaffold plan --json` or `plan --all --json` wrote and print "
             "it as --format markdown (reads the spec -f for the settings) or json (-e takes one "
             "environment out of a --all document). Same output as planning again, in a fraction of "
             "the time.", show_default=False)] = None,
) -> None:
    """Show what the environment's stack would create, offline: no cloud, no pulumi CLI.

    Runs the same program as deploy under Pulumi's mock runtime. Ids, ARNs,
    endpoints, the account and the availability zones are fabricated (stable
    from run to run); secrets show as [secret]. With --against OLD.yaml, the
    database clusters and cache groups that the change from OLD.yaml would
    replace are marked REPLACED, listed under the tree, and in the JSON
    (replacements, and replace on each such resource). --format markdown
    prints a summary for humans (docs/plan.md, "Markdown summary"). --all plans
    every environment in one process: the imports are paid once. --from
    PLANS.json renders a saved plan without planning again, e.g. in CI:
    scaffold plan --all --json > plans.json, then scaffold plan --from
    plans.json --format markdown > comment.md.
    """
    from scaffold.errors import UsageError
    from scaffold.spec import check_file, choose_environment

    try:
        fmt = _output_format(format, as_json)
        if all_envs and env is not None:
            raise UsageError(f"-e {env} and --all both choose the environments", "pass one of them")
        if saved is not None:
            _print_saved(saved, file, env, fmt, against)
            return
    except ScaffoldError as error:
        fail(error)

    try:
        with offline_planning():
            checked = check_file(file)
            environments = list(checked.blueprints) if all_envs else [choose_environment(checked.spec, env)]
            found = _all_replacements(checked, against) if against is not None else None
            plans = [(checked.blueprints[e], _run(checked.blueprints[e]),
                      None if found is None else [r for r in found if r.environment == e])
                     for e in environments]
    except ScaffoldError as error:
        fail(error)
    if all_envs:
        _print_all(plans, fmt)
        return
    blueprint, result, replaced = plans[0]
    if fmt == "markdown":
        from stacks.markdown import render_markdown

        print(render_markdown(result, blueprint, replaced), end="")
        return
    if fmt == "json":
        document = result.to_json()
        if replaced is not None:
            _mark_json(document, replaced)
        print(json.dumps(document, indent=2, sort_keys=False))
        return
    _print_tree(result, replaced)
    _print_offline_note()


def _print_all(plans: list[tuple[Blueprint, Plan, list[Replacement] | None]], fmt: str) -> None:
    """``plan --all``: every environment's plan, in spec order, in one document (docs/plan.md)."""
    if fmt == "markdown":
        from stacks.markdown import COMMENT_LIMIT, render_markdown

        # One pull-request comment holds them all: each environment gets its share of the limit.
        share = COMMENT_LIMIT // len(plans) - 1
        print("\n".join(render_markdown(result, bp, replaced, limit=share) for bp, result, replaced in plans),
              end="")
        return
    if fmt == "json":
        from stacks.plan import PLAN_FORMAT

        environments = {}
        for _, result, replaced in plans:
            document = result.to_json()
            if replaced is not None:
                _mark_json(document, replaced)
            environments[result.stack] = document
        print(json.dumps({"format": PLAN_FORMAT, "project": plans[0][1].project, "environments": environments},
                         indent=2, sort_keys=False))
        return
    for index, (_, result, replaced) in enumerate(plans):
        if index:
            out.print()
        _print_tree(result, replaced)
    _print_offline_note()


# ---------------------------------------------------------------------------------------------
# --from: a saved plan, rendered without planning again


def read_json(path: Path, hint: str) -> Any:
    """The JSON document in ``path`` (a saved plan, for ``plan --from`` and ``diff OLD NEW``).

    Raises:
        UsageError: The file is missing, unreadable or not JSON; ``hint`` says how to write one.
    """
    from scaffold.errors import UsageError

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file", hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}", hint) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{path}: not JSON ({exc})", hint) from None


def read_saved_plans(path: Path) -> dict[str, dict[str, Any]]:
    """Every environment's plan in the document at ``path`` (``plan --json`` or ``plan --all --json``),
    by environment, in the document's order.

    Raises:
        UsageError: The file is missing, unreadable, not JSON, not a plan document, or of another
            format version.
    """
    from scaffold.errors import UsageError

    hint = "write one with: scaffold plan --all --json > plans.json"
    document = read_json(path, hint)
    if not isinstance(document, dict) or ("environments" not in document and "resources" not in document):
        raise UsageError(f"{path}: not a scaffold plan document", hint)
    found = document.get("format")
    if found != PLAN_FORMAT:
        raise UsageError(f"{path}: a plan document of format {json.dumps(found)}; this scaffold reads format "
                         f"{PLAN_FORMAT}",
                         "plan it again with this scaffold (scaffold plan --all --json > plans.json), or render "
                         "it with the scaffold version that wrote it")
    plans = document["environments"] if "environments" in document else {document.get("stack"): document}
    if not isinstance(plans, dict) or not all(_is_plan(name, plan) for name, plan in plans.items()):
        raise UsageError(f"{path}: not a scaffold plan document (format {PLAN_FORMAT})", hint)
    return plans


#: The version of the plan document ``--from`` reads (``stacks.plan.PLAN_FORMAT``, which imports pulumi;
#: a test keeps them equal).
PLAN_FORMAT = 1


def _is_plan(name: Any, plan: Any) -> bool:
    return (isinstance(plan, dict) and isinstance(name, str) and plan.get("stack") == name
            and plan.get("format") == PLAN_FORMAT
            and all(isinstance(plan.get(k), str) for k in ("project", "profile", "region"))
            and isinstance(plan.get("summary"), dict) and isinstance(plan.get("resources"), list)
            and all(isinstance(r, dict) and isinstance(r.get("type"), str) for r in plan["resources"]))


def _print_saved(path: Path, file: Path, env: str | None, fmt: str, against: Path | None) -> None:
    """``plan --from PLANS.json``: the saved plans as Markdown or JSON; nothing is planned.

    Raises:
        UsageError: A bad document, an unknown environment, the text format or ``--against``, or a
            plan that was not made from the spec ``file`` (Markdown reads the spec for the settings).
        SpecError: The spec is invalid.
    """
    from scaffold.errors import UsageError
    from scaffold.spec.fields import did_you_mean

    if against is not None:
        raise UsageError("--from reads a saved plan: --against has nothing to plan",
                         "plan with --against when saving it: scaffold plan --all --json --against OLD.yaml "
                         "> plans.json; the saved replacements are shown")
    if fmt == "text":
        raise UsageError("--from prints a saved plan as --format markdown or --format json, not as a tree",
                         f"e.g. scaffold plan --from {path} --format markdown; for the tree, plan again: "
                         "scaffold plan -e ENV")
    plans = read_saved_plans(path)
    if env is not None:
        if env not in plans:
            raise UsageError(f"{path} has no plan of environment {env!r}",
                             did_you_mean(env, list(plans)) or f"it has: {', '.join(plans)}")
        plans = {env: plans[env]}
    if fmt == "json":
        if len(plans) == 1:
            [document] = plans.values()
        else:
            document = {"format": PLAN_FORMAT, "project": next(iter(plans.values()))["project"],
                        "environments": plans}
        print(json.dumps(document, indent=2, sort_keys=False))
        return
    from scaffold.spec import check_file
    from stacks.markdown import COMMENT_LIMIT, SavedPlan, render_markdown, saved_replacements

    checked = check_file(file)
    for name, document in plans.items():
        _check_saved_against_spec(path, file, name, document, checked)
    limit = COMMENT_LIMIT if len(plans) == 1 else COMMENT_LIMIT // len(plans) - 1  # as plan --all
    print("\n".join(render_markdown(SavedPlan(document), checked.blueprints[name], saved_replacements(document),
                                     limit=limit) for name, document in plans.items()), end="")


def _check_saved_against_spec(path: Path, file: Path, name: str, document: dict[str, Any],
                              checked: CheckedSpec) -> None:
    """The Markdown takes each component's settings from the spec: refuse a plan of another spec.

    Raises:
        UsageError: The spec has no such environment, or another project, profile, region or
            set of components than the saved plan.
    """
    from scaffold.errors import UsageError

    hint = f"plan again from {file} (scaffold plan --all --json > {path}), or pass the spec it was planned from with -f"
    bp = checked.blueprints.get(name)
    if bp is None:
        raise UsageError(f"{path} holds a plan of environment {name!r}, which {file} does not have", hint)
    for key, spec_value in (("project", bp.project), ("profile", bp.profile), ("region", bp.region)):
        if document[key] != spec_value:
            raise UsageError(f"{path}: the plan of {name!r} has {key} {document[key]!r}, {file} says "
                             f"{spec_value!r}: it was planned from another spec", hint)
    planned = {r.get("component") for r in document["resources"]} - {None}
    unknown = sorted(planned - set(bp.components))
    if unknown:
        raise UsageError(f"{path}: the plan of {name!r} has components {file} does not have "
                         f"({', '.join(unknown)}): it was planned from another spec", hint)
    extra = sorted(set(bp.components) - planned)
    if extra:
        raise UsageError(f"{path}: {file} has components the plan of {name!r} does not have "
                         f"({', '.join(extra)}): it was planned from another spec", hint)


@contextmanager
def offline_planning() -> Iterator[None]:
    """Around offline plans (``plan``, ``plan --all``, ``diff --base``): no cyclic garbage collection,
    none at exit either, and Ctrl-C ends the process at once (:func:`_exit_at_once_on_ctrl_c`).

    pulumi_aws's classes make a large object graph: cyclic GC passes while it is built, and at
    interpreter exit, cost about half of a plan and free nothing useful.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()
    atexit.register(gc.freeze)
    try:
        with _exit_at_once_on_ctrl_c():
            yield
    finally:
        if gc_was_enabled:
            gc.enable()


#: The values of ``plan --format``.
FORMATS = ("text", "json", "markdown")


def _output_format(format: str | None, as_json: bool) -> str:
    """The output format: ``--format``, or ``json`` for ``--json`` (its alias), else ``text``.

    Raises:
        UsageError: An unknown format, or ``--json`` with another ``--format``.
    """
    from scaffold.errors import UsageError

    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r}", "use --format text, --format json or --format markdown")
    if as_json and format not in (None, "json"):
        raise UsageError(f"--json and --format {format} ask for two formats", "pass one of them")
    return "json" if as_json else format or "text"


def _all_replacements(checked: CheckedSpec, against: Path) -> list[Replacement]:
    """What the change from ``against`` to ``checked`` replaces, in every environment.

    Raises:
        SpecError: ``against`` is unreadable or invalid.
    """
    from scaffold.spec import check_file
    from scaffold.spec.replacement import find_replacements

    return find_replacements(check_file(against), checked)


def _replacement_json(r: Replacement) -> dict[str, Any]:
    return {"component": r.component, "type": r.resource_type, "name": r.logical_name, "field": r.field,
            "old": r.old, "new": r.new, "reason": r.reason, "allowed": r.allowed,
            "refused_in_production": r.production and not r.allowed and r.field != "environment"}


def _mark_json(document: dict[str, Any], replaced: list[Replacement]) -> None:
    """Add ``replacements`` and, on each replaced resource, ``replace`` (docs/plan.md)."""
    document["replacements"] = [_replacement_json(r) for r in replaced]
    for resource in document["resources"]:
        found = [_replacement_json(r) for r in replaced
                 if (r.resource_type, r.logical_name) == (resource["type"], resource["name"])]
        if found:
            resource["replace"] = found


@contextmanager
def _exit_at_once_on_ctrl_c() -> Iterator[None]:
    """While the offline engine runs, Ctrl-C ends the process at once with exit 130.

    A KeyboardInterrupt raised inside Pulumi's runtime (its event loop, its gRPC mock
    monitor, or a half-finished import) can leave worker threads that the interpreter then
    waits for at exit: the plan hangs. The plan writes nothing, so there is nothing to
    clean up, and exiting straight away is safe.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        sys.stderr.write("interrupted\n")
        sys.stderr.flush()
        os._exit(int(ExitStatus.INTERRUPTED))

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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


def _print_tree(result: Plan, replaced: list[Replacement] | None = None) -> None:
    """The plan as a tree. Every label is a :class:`rich.text.Text`: names and values print byte for
    byte (a ``[`` or ``:secret:`` in a value is not markup or an emoji code)."""
    from rich.text import Text
    from rich.tree import Tree

    from scaffold.console import plain_console

    marks = {(r.resource_type, r.logical_name): r for r in replaced or ()}

    tree = Tree(Text(f"stack {result.project}/{result.stack}  profile {result.profile}, region {result.region}"))
    nodes: dict[str | None, Tree] = {None: tree}
    for r in result.resources:
        parent = nodes.get(r.parent, tree)
        if r.is_component:
            label = Text.assemble((r.type.rsplit(":", 1)[-1], "bold"), " ", r.name)
        else:
            settings = "  ".join(f"{k}={_format_value(v)}" for k, v in r.key_settings().items())
            label = Text.assemble(r.type, " ", (r.name, "cyan"))
            if settings:
                label.append("  ").append(settings, "dim")
            if (r.type, r.name) in marks:
                label.append(f"  REPLACED ({marks[r.type, r.name].field} changes)", "bold red")
        nodes[r.urn] = parent.add(label)
    if out.is_terminal:
        out.print(tree)
    else:  # piped or redirected: keep every line whole, for diffs and grep
        plain_console(width=10_000, no_color=True).print(tree)
    for r in replaced or ():
        refused = r.production and not r.allowed and r.field != "environment"
        verb = "Deletes" if r.field in ("component", "environment") else "Replaces"
        out.print(f"{verb} {r.type_and_name}: {r.reason}; its data is lost"
                  + (" (validate --against refuses this in production without allow_replacement: true)"
                     if refused else ""), markup=False)
    for job, schedule in result.schedules.items():
        out.print(f"Schedule {job}: {schedule['expression']} in {schedule['timezone']}; next runs "
                  + (", ".join(schedule["next_runs"]) or "none"), markup=False)
    summary = result.summary()
    by_component = ", ".join(f"{name} {count}" for name, count in summary["by_component"].items())
    out.print(f"Plan: {summary['total']} resources in {summary['components']} components ({by_component})",
              markup=False)
    by_type = ", ".join(f"{count} {t.split(':')[1]}" for t, count in summary["by_type"].items())
    out.print(f"By type: {by_type}", markup=False)


def _print_offline_note() -> None:
    err.print("Computed offline: ids, ARNs, endpoints, the account and the availability zones are fabricated.",
              markup=False)
