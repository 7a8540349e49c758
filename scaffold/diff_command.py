"""``scaffold diff``: what a change does to a stack, resource by resource, guarding stateful ones.

Two forms: ``scaffold diff OLD.json NEW.json`` compares two ``scaffold plan --json`` documents;
``scaffold diff -e ENV --base GIT_REF`` plans the spec as it was at ``GIT_REF`` (read with
``git show``) and the working copy, both offline in this process, and compares them;
``scaffold diff --all --base GIT_REF`` does so for every environment, still in one process. The
comparison is :func:`stacks.diff.diff_plans`; ``pulumi`` is imported only to plan (``--base``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scaffold.console import err, fail, out
from scaffold.errors import PrerequisiteError, ScaffoldError, UsageError
from scaffold.exit_codes import ExitStatus

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from stacks.diff import PlanDiff

FORMATS = ("text", "markdown", "json")
FAIL_ON = ("data-loss",)


def register(app: typer.Typer) -> None:
    """Add ``diff`` to ``app``."""
    app.command("diff", epilog=(
        "Examples:  scaffold diff main.json pr.json  |  scaffold diff -e prod --base origin/main  |  "
        "scaffold diff -e prod --base origin/main --format markdown --fail-on data-loss  |  "
        "scaffold diff --all --base origin/main --format markdown --fail-on data-loss > diff.md"
    ))(diff_command)


def diff_command(
    old: Annotated[Path | None, typer.Argument(help="The old plan (scaffold plan --json), e.g. main.json.",
                                               show_default=False)] = None,
    new: Annotated[Path | None, typer.Argument(help="The new plan, e.g. pr.json.", show_default=False)] = None,
    file: Annotated[Path, typer.Option("--file", "-f", help="The spec file (with --base).")] = Path("scaffold.yaml"),
    env: Annotated[str | None, typer.Option(
        "--env", "-e", help="Environment to plan (with --base); optional when the spec has only one.")] = None,
    base: Annotated[str | None, typer.Option(
        "--base", help="A git ref (branch, tag, commit): plan the spec as it was there and compare it "
                       "with the working copy.")] = None,
    format: Annotated[str, typer.Option("--format", help="text, markdown (for a PR comment) or json.")] = "text",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json (shape: docs/plan.md).")] = False,
    fail_on: Annotated[str | None, typer.Option(
        "--fail-on", help="data-loss: exit 1 when a stateful resource would be replaced or deleted.")] = None,
    all_envs: Annotated[bool, typer.Option(
        "--all", help="With --base: every environment, planned in one process; one section each, and "
                      "--fail-on counted over all of them (an environment only at REF is noted, not "
                      "planned).")] = False,
) -> None:
    """Show what a change does to a stack: resources added, removed and changed, with the changed inputs.

    Compares two plans: two files written by `scaffold plan --json`, or, with
    --base REF, the spec as it was at the git ref REF against the working copy
    (both planned offline; a spec missing at REF means everything is added).
    JSON inside inputs (policies, container definitions) is compared field by
    field. Each change of a stateful resource (database, cache, bucket, queue,
    secret, KMS key) is classified in place, replace (an input the AWS provider
    cannot change in place) or delete; a replace or delete is printed first as
    DATA LOSS. --all --base REF compares every environment in one process (for
    CI: one section per environment). Exits 0, or 1 with --fail-on data-loss
    when there is data loss (in any environment, after printing the diff),
    or 2 for bad input.
    """
    from stacks.diff import diff_plans, render_markdown, render_text

    try:
        fmt = _format(format, as_json)
        if fail_on is not None and fail_on not in FAIL_ON:
            raise UsageError(f"unknown --fail-on {fail_on!r}", "use --fail-on data-loss")
        if all_envs:
            if base is None:
                raise UsageError("--all compares every environment with the spec at a git ref: it needs --base REF",
                                 "e.g. scaffold diff --all --base origin/main")
            if env is not None:
                raise UsageError(f"-e {env} and --all both choose the environments", "pass one of them")
        if base is not None:
            if old is not None or new is not None:
                raise UsageError("pass either two plan files or --base REF, not both",
                                 "e.g. scaffold diff main.json pr.json, or scaffold diff -e prod --base origin/main")
            if all_envs:
                project, sections, old_label, new_label = _all_diffs_from_git(file, base)
            else:
                old_plan, new_plan, old_label, new_label, allowed = _plans_from_git(file, env, base)
        else:
            if old is None or new is None:
                raise UsageError("nothing to compare",
                                 "pass two plan files (scaffold diff OLD.json NEW.json) or "
                                 "-e ENV --base GIT_REF")
            if env is not None:
                raise UsageError("-e chooses the environment to plan with --base",
                                 "with two plan files, drop -e: each file is one environment's plan")
            old_plan, new_plan = _read_plan(old), _read_plan(new)
            old_label, new_label = str(old), str(new)
            allowed = set()  # plan files do not say what the spec allows: every data loss counts
    except ScaffoldError as error:
        fail(error)
    if all_envs:
        _print_all(project, sections, old_label, new_label, fmt, fail_on)
        return
    diff = diff_plans(old_plan, new_plan)
    if fmt == "json":
        document = diff.to_json()
        document["old"] = None if document["old"] is None else {**document["old"], "source": old_label}
        document["new"] = {**document["new"], "source": new_label}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        out.print(render_markdown(diff, old_label, new_label), end="", markup=False, highlight=False,
                  soft_wrap=True)
    else:
        for line in render_text(diff, old_label, new_label):
            out.print(line, markup=False, highlight=False, soft_wrap=True)
    blocking = [r for r in diff.data_loss if r.component not in allowed]
    accepted = sorted({str(r.component) for r in diff.data_loss if r.component in allowed})
    if accepted:
        err.print("note: the spec allows this data loss with allow_replacement: true on "
                  + ", ".join(repr(c) for c in accepted) + "; --fail-on data-loss does not count it",
                  markup=False, soft_wrap=True)
    if fail_on == "data-loss" and blocking:
        count = len(blocking)
        err.print(f"error: {count} stateful resource{'s' if count != 1 else ''} would lose data "
                  "(--fail-on data-loss)", markup=False)
        err.print("hint: keep the input that forces the replacement, or migrate the data first and "
                  "deploy with an explicit override", markup=False)
        raise typer.Exit(int(ExitStatus.OPERATION_FAILED))


def _format(format: str, as_json: bool) -> str:
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}", "use --format text, markdown or json")
    if as_json and format not in ("text", "json"):
        raise UsageError(f"--json and --format {format} disagree", "pass one of them")
    return "json" if as_json else format


def _read_plan(path: Path) -> dict[str, Any]:
    """A plan document from ``path``.

    Raises:
        UsageError: It is missing, unreadable, not JSON, or not a plan.
    """
    from scaffold.plan_commands import read_json

    hint = "write one with: scaffold plan -e ENV --json > plan.json"
    document = read_json(path, hint)
    if (not isinstance(document, dict) or document.get("format") != 1
            or not isinstance(document.get("resources"), list)
            or not all(isinstance(r, dict) and {"urn", "type", "name"} <= set(r) for r in document["resources"])):
        raise UsageError(f"{path}: not a scaffold plan document (format 1)", hint)
    return document


# ---------------------------------------------------------------------------------------------
# --base: the spec at a git ref


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False, timeout=60)
    except FileNotFoundError:
        raise PrerequisiteError("git is not installed", "install git, or compare two plan files: "
                                "scaffold diff OLD.json NEW.json") from None
    except subprocess.TimeoutExpired:
        raise UsageError("git did not answer within 60 s", "check the repository") from None


def spec_at_ref(file: Path, ref: str) -> tuple[str | None, str]:
    """The text of ``file`` at git ref ``ref`` (``None`` when the file does not exist there), and its label.

    Raises:
        UsageError: Not in a git repository, an unknown ref, or ``file`` outside the repository.
    """
    if not ref or ref.startswith("-"):
        raise UsageError(f"invalid git ref {ref!r}", "pass a branch, tag or commit, e.g. --base origin/main")
    spec = Path(os.path.realpath(file))
    folder = spec.parent
    if not folder.is_dir():
        raise UsageError(f"{file}: its folder does not exist", "pass the spec with -f PATH")
    top = _git(folder, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{folder} is not in a git repository, so --base has nothing to read",
                         "run it in a git checkout, or compare two plan files: scaffold diff OLD.json NEW.json")
    root = Path(os.path.realpath(top.stdout.decode().strip()))
    try:
        relative = spec.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{file} is outside the git repository at {root}", "pass a spec inside it") from None
    if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").returncode != 0:
        raise UsageError(f"unknown git ref {ref!r}",
                         "check the name (git branch -a); in CI, fetch it first, e.g. git fetch origin main "
                         "(actions/checkout needs fetch-depth: 0)")
    label = f"{ref}:{relative}"
    shown = _git(root, "show", f"{ref}:{relative}")
    if shown.returncode != 0:
        exists = _git(root, "cat-file", "-e", f"{ref}:{relative}")
        if exists.returncode != 0:
            return None, label
        raise UsageError(f"git show {label} failed: {shown.stderr.decode(errors='replace').strip()}",
                         "check the repository")
    from scaffold.errors import SpecError, SpecProblem
    from scaffold.spec.source import MAX_FILE_BYTES

    if len(shown.stdout) > MAX_FILE_BYTES:
        raise SpecError([SpecProblem(label, 0, 0, "", f"is larger than {MAX_FILE_BYTES // 1024} KiB",
                                     "check that this is the right file")])
    try:
        return shown.stdout.decode("utf-8"), label
    except UnicodeDecodeError:
        raise SpecError([SpecProblem(label, 0, 0, "", "not UTF-8 text", "save the file as UTF-8")]) from None


def _old_blueprints(text: str, label: str) -> dict[str, Blueprint]:
    """The blueprint of each environment of the spec ``text`` (named ``label``)."""
    from scaffold.spec.loader import check_source
    from scaffold.spec.source import parse_yaml

    return check_source(parse_yaml(text, label)).blueprints


def _plans_from_git(file: Path, env: str | None,
                    ref: str) -> tuple[dict[str, Any] | None, dict[str, Any], str, str, set[str]]:
    """Plan the spec at ``ref`` and the working copy's; (old plan or ``None``, new plan, labels, and
    the components whose data loss the working copy allows with ``allow_replacement: true``)."""
    from scaffold.plan_commands import _run, offline_planning
    from scaffold.spec import check_file, choose_environment

    checked = check_file(file)
    environment = choose_environment(checked.spec, env)
    text, label = spec_at_ref(file, ref)
    old_bp = _old_blueprints(text, label).get(environment) if text is not None else None
    if text is None:
        err.print(f"{label} does not exist: everything is new", markup=False)
    elif old_bp is None:
        err.print(f"{label} has no environment {environment!r}: everything is new", markup=False)
    with offline_planning():  # as plan --all: one process, no cyclic GC while planning
        new_plan = _run(checked.blueprints[environment]).to_json()
        old_plan = _run(old_bp).to_json() if old_bp is not None else None
    err.print("Computed offline: ids, ARNs and endpoints are fabricated, identically in both plans.", markup=False)
    allowed = {name for name, c in checked.blueprints[environment].components.items()
               if getattr(c, "allow_replacement", False)}
    return old_plan, new_plan, label, f"{file} (working copy)", allowed


# ---------------------------------------------------------------------------------------------
# --all --base: every environment


#: One environment of ``diff --all``: its name, its diff (``None`` when it is only in the spec at the
#: ref: not planned), the old blueprint's header for such an environment, and the components whose
#: data loss the working copy allows.
Section = tuple[str, "PlanDiff | None", dict[str, Any] | None, set[str]]


def _all_diffs_from_git(file: Path, ref: str) -> tuple[str, list[Section], str, str]:
    """Every environment of the working copy's spec against the spec at ``ref``, planned in this process,
    in the working copy's order, then the environments only at ``ref``; (project, sections, labels)."""
    from scaffold.plan_commands import _run, offline_planning
    from scaffold.spec import check_file
    from stacks.diff import diff_plans

    checked = check_file(file)
    text, label = spec_at_ref(file, ref)
    old_blueprints = _old_blueprints(text, label) if text is not None else {}
    if text is None:
        err.print(f"{label} does not exist: everything is new", markup=False)
    sections: list[Section] = []
    with offline_planning():  # as plan --all: one process, no cyclic GC while planning
        for environment, blueprint in checked.blueprints.items():
            old_bp = old_blueprints.get(environment)
            if text is not None and old_bp is None:
                err.print(f"{label} has no environment {environment!r}: everything in it is new", markup=False)
            new_plan = _run(blueprint).to_json()
            old_plan = _run(old_bp).to_json() if old_bp is not None else None
            allowed = {name for name, c in blueprint.components.items() if getattr(c, "allow_replacement", False)}
            sections.append((environment, diff_plans(old_plan, new_plan), None, allowed))
            del new_plan, old_plan
    for environment, old_bp in old_blueprints.items():
        if environment not in checked.blueprints:
            err.print(f"{label} has environment {environment!r}, the working copy does not: its stack stays "
                      "until destroyed (not planned, not counted by --fail-on)", markup=False)
            sections.append((environment, None, {"project": old_bp.project, "stack": environment,
                                                 "region": old_bp.region, "source": label}, set()))
    err.print("Computed offline: ids, ARNs and endpoints are fabricated, identically in both plans.", markup=False)
    return checked.spec.name, sections, label, f"{file} (working copy)"


def _removed_sentence(environment: str, label: str, code: str = "") -> str:
    """What ``diff --all`` says of an environment only in the spec at the ref (``code``: Markdown's backtick)."""
    return (f"Environment {code}{environment}{code} is only in {code}{label}{code}: the working copy deploys "
            "nothing there, and its stack stays as it is until it is destroyed (from a spec that still has "
            f"it). It is not planned, and {code}--fail-on data-loss{code} does not count it.")


def _print_all(project: str, sections: list[Section], old_label: str, new_label: str, fmt: str,
               fail_on: str | None) -> None:
    """``diff --all --base``: each environment's diff in turn, then the exit status over all of them."""
    from stacks.diff import MARKDOWN_LIMIT, render_markdown, render_text

    if fmt == "json":
        environments: dict[str, Any] = {}
        removed: dict[str, Any] = {}
        for environment, diff, header, _ in sections:
            if diff is None:
                removed[environment] = header
                continue
            document = diff.to_json()
            document["old"] = None if document["old"] is None else {**document["old"], "source": old_label}
            document["new"] = {**document["new"], "source": new_label}
            environments[environment] = document
        print(json.dumps({"format": 1, "project": project, "environments": environments,
                          "removed_environments": removed}, indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        share = MARKDOWN_LIMIT // max(len(sections), 1)  # one comment holds them all
        parts = []
        for environment, diff, header, _ in sections:
            if diff is None:
                assert header is not None
                parts.append(f"### scaffold diff: {header['project']}/{environment}\n\n> [!NOTE]\n> "
                             + _removed_sentence(environment, old_label, "`") + "\n")
            else:
                parts.append(render_markdown(diff, old_label, new_label, limit=share))
        out.print("\n".join(parts), end="", markup=False, highlight=False, soft_wrap=True)
    else:
        for index, (environment, diff, _, _) in enumerate(sections):
            if index:
                out.print()
            lines = [_removed_sentence(environment, old_label)] if diff is None \
                else render_text(diff, old_label, new_label)
            for line in lines:
                out.print(line, markup=False, highlight=False, soft_wrap=True)
    blocking: dict[str, int] = {}
    for environment, diff, _, allowed in sections:
        if diff is None:
            continue
        lost = [r for r in diff.data_loss if r.component not in allowed]
        if lost:
            blocking[environment] = len(lost)
        accepted = sorted({str(r.component) for r in diff.data_loss if r.component in allowed})
        if accepted:
            err.print(f"note: in {environment!r}, the spec allows this data loss with allow_replacement: true on "
                      + ", ".join(repr(c) for c in accepted) + "; --fail-on data-loss does not count it",
                      markup=False, soft_wrap=True)
    if fail_on == "data-loss" and blocking:
        count = sum(blocking.values())
        err.print(f"error: {count} stateful resource{'s' if count != 1 else ''} would lose data in "
                  + ", ".join(f"{e} ({n})" for e, n in blocking.items()) + " (--fail-on data-loss)", markup=False)
        err.print("hint: keep the input that forces the replacement, or migrate the data first and "
                  "deploy with an explicit override", markup=False)
        raise typer.Exit(int(ExitStatus.OPERATION_FAILED))
