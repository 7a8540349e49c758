"""``scaffold new``: a project from the cookiecutter template shipped in this package.

Questions (region, components) are asked by the caller's ``ask`` function,
only for what the options left open; cookiecutter then renders without asking.
The template (``scaffold/templates/project``) renders ``scaffold.yaml``,
``.gitignore``, a README and a CI workflow; ``scaffold.schema.json`` is written
from the spec models. The project is rendered into a temporary folder beside the
target (same file system) and renamed into place only when everything succeeded,
so a failure or Ctrl-C leaves nothing behind. The target is locked
(:func:`scaffold.files.exclusive_lock`) for the write: of concurrent runs into
one folder exactly one writes, the others refuse (exit 2).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from scaffold.console import err
from scaffold.errors import UsageError
from scaffold.files import (
    LOCK_NAME,
    blocking_part,
    cannot_write,
    exclusive_lock,
    make_folder,
    remove_empty_folders,
)
from scaffold.install_source import template_context
from scaffold.spec.models import COMPONENT_MODELS, PROJECT_NAME_PATTERN, REGION_PATTERN

TEMPLATE_DIR = Path(__file__).parent / "templates" / "project"
#: Components a new project gets when ``--components`` is not given.
DEFAULT_COMPONENTS = ("database", "api", "queue", "cache", "notifications")
DEFAULT_REGION = "us-east-1"


def parse_components(text: str) -> list[str]:
    """``"api, database"`` -> ``["api", "database"]``; a ``worker`` brings the ``queue`` it consumes.

    Raises:
        UsageError: An unknown kind.
    """
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in COMPONENT_MODELS]
    if unknown:
        raise UsageError(f"unknown component kind {unknown[0]!r}",
                         "choose from " + ",".join(COMPONENT_MODELS))
    if "worker" in kinds and "queue" not in kinds:
        kinds.insert(kinds.index("worker"), "queue")  # the queue the worker consumes
    return list(dict.fromkeys(kinds))


def _check_name(name: str) -> None:
    if not re.match(PROJECT_NAME_PATTERN, name):
        raise UsageError(f"{name!r} is not a valid project name",
                         "use 2 to 39 lowercase letters, digits and hyphens, starting with a letter, e.g. shop")


def _check_region(region: str) -> None:
    if not re.match(REGION_PATTERN, region):
        raise UsageError(f"{region!r} is not an AWS region name", "e.g. us-east-1 or eu-west-1")


TARGET_HINT = "choose another folder with --dir"


def _entries(target: Path) -> list[str]:
    """What ``target`` holds, apart from a lock file of a scaffold run."""
    return sorted(p.name for p in target.iterdir() if p.name != LOCK_NAME)


def _check_target(target: Path) -> None:
    """Refuse a target that is not a new or empty folder (exit 2)."""
    if target.is_symlink() and not target.exists():
        raise UsageError(f"cannot write {target}: it is a dangling symbolic link (to {os.readlink(target)}); "
                         "nothing was written", TARGET_HINT)
    blocking = blocking_part(target)
    if blocking is not None:
        raise UsageError(f"cannot write {target}: {blocking} is a file, not a folder; nothing was written",
                         TARGET_HINT)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder; nothing was written", TARGET_HINT)
    if target.is_dir():
        try:
            entries = _entries(target)
        except OSError as error:
            raise cannot_write(target, error, TARGET_HINT) from None
        if entries:
            raise UsageError(f"{target} is not empty; nothing was written",
                             "choose an empty or new folder with --dir")


#: Asks one question: ``ask(prompt, default) -> answer``. The CLI passes a terminal prompt.
Ask = Callable[[str, str], str]


def _ask_until_valid(ask: Ask, prompt: str, default: str, check: Callable[[str], object]) -> str:
    """Ask until ``check`` accepts the answer; a rejected answer is explained in the next question."""
    question = prompt
    while True:
        answer = ask(question, default).strip()
        try:
            check(answer)
            return answer
        except UsageError as error:
            question = f"{error.message}; {error.hint}. {prompt}"


def create_project(name: str, *, directory: Path | None = None, region: str | None = None,
                   components: str | None = None, ask: Ask | None = None) -> Path:
    """Create a project named ``name`` in ``directory`` (default ``./name``).

    Args:
        name: The project name (the spec's ``name``).
        directory: Where to create it; must not exist or be empty.
        region: The default AWS region; asked (or ``us-east-1``) when ``None``.
        components: Comma-separated kinds; asked (or all five) when ``None``.
        ask: How to ask a question the options did not answer; ``None`` asks
            nothing and takes the defaults. The CLI passes one only when stdin
            is a terminal.

    Returns:
        The project folder.

    Raises:
        UsageError: An invalid name, region or component kind; a non-empty
            target folder, or one that cannot be written (a path through a
            file, a dangling symbolic link, a read-only folder); another run
            holding the target's lock for :data:`scaffold.files.LOCK_TIMEOUT_SECONDS`
            (exit 2). Nothing is written in that case.
    """
    _check_name(name)
    target = (directory if directory is not None else Path(name)).expanduser()
    _check_target(target)
    if region is None and ask is not None:
        region = _ask_until_valid(ask, "AWS region", DEFAULT_REGION, _check_region)
    region = region or DEFAULT_REGION
    _check_region(region)
    if components is None and ask is not None:
        components = _ask_until_valid(ask, "Components (" + ",".join(DEFAULT_COMPONENTS) + ")",
                                      ",".join(DEFAULT_COMPONENTS), parse_components)
    kinds = parse_components(components) if components is not None else list(DEFAULT_COMPONENTS)

    context = project_context(name, region, kinds)
    _write_project(target, context)
    if context["_scaffold_install_note"]:  # the workflow cannot know what to pip install: say so
        err.print(f"warning: {context['_scaffold_install_note']} (.github/workflows/scaffold.yml)", markup=False)
    nested = _enclosing_repository(target)
    if nested is not None:
        root, relative = nested
        err.print(f"warning: {target} is inside the git repository {root}, and GitHub reads workflows only at "
                  f"a repository's root, so {relative}/.github/workflows/scaffold.yml will not run there; "
                  f"to add scaffold to that repository, remove {target} and run `scaffold init --dir {relative}` "
                  "(or make the project a repository of its own: git init)", markup=False, soft_wrap=True)
    return target


def _enclosing_repository(target: Path) -> tuple[Path, str] | None:
    """``(root, target relative to it)`` when ``target`` lies inside another git work tree, else ``None``
    (also when git is missing)."""
    from scaffold.repo_init import repository_root

    folder = target.absolute()
    try:
        root = repository_root(folder)
    except UsageError:
        return None
    if root == folder.resolve():
        return None
    return root, folder.resolve().relative_to(root).as_posix()


def project_context(name: str, region: str, kinds: list[str], *, spec_dir: str = ".") -> dict[str, str]:
    """The template's variables (``new`` and ``init``).

    ``spec_dir`` is the folder of ``scaffold.yaml`` relative to the repository
    root, as the workflow's ``working-directory``: ``"."`` for ``new``.
    """
    return {"name": name, "region": region, "components": ",".join(kinds),
            "spec_dir": spec_dir, **template_context()}


def _write_project(target: Path, context: dict[str, str]) -> None:
    """Render the project beside ``target`` and move it into place, holding the target's lock.

    A new ``target`` is renamed into place whole; an existing empty folder gets
    each rendered entry renamed into it. Another ``scaffold new`` on the same
    target waits for the lock, then finds the folder taken and refuses (exit 2).
    """
    parent = target.absolute().parent
    created = make_folder(parent, TARGET_HINT)
    try:
        _write_locked(target, parent, context)
    except BaseException:
        remove_empty_folders(created)
        raise


def _write_locked(target: Path, parent: Path, context: dict[str, str]) -> None:
    if target.is_dir():
        lock = target / LOCK_NAME
    else:
        lock = parent / f".{target.absolute().name}.scaffold.lock"

    def waiting() -> None:
        err.print(f"waiting for another scaffold run on {target}", markup=False)

    existed = target.is_dir()
    with exclusive_lock(lock, what=target, hint=TARGET_HINT, on_wait=waiting):
        _check_target(target)  # again, now that no other run can change it
        if target.is_dir() != existed:  # appeared while we waited: take the lock inside it instead
            if existed:
                raise UsageError(f"{target} was removed while scaffold waited; nothing was written",
                                 TARGET_HINT)
            retry = True
        else:
            retry = False
            _move_into_place(target, parent, existed, context)
    if retry:
        _write_locked(target, parent, context)


def _move_into_place(target: Path, parent: Path, existed: bool, context: dict[str, str]) -> None:
    """Render into a staging folder in ``parent``, then rename into ``target`` (the caller holds the lock)."""
    # Staged inside an existing target (its parent may be read-only, e.g. --dir . in a home folder).
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.absolute().name}.scaffold-new-",
                                        dir=target if existed else parent))
    except OSError as error:
        raise cannot_write(target, error, TARGET_HINT) from None
    try:
        rendered = _render(staging, context)
        if existed:
            for item in sorted(rendered.iterdir()):  # .github, .gitignore, README.md, ...
                os.rename(item, target / item.name)
        else:
            os.rename(rendered, target)
    except OSError as error:
        raise cannot_write(target, error, TARGET_HINT) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render(staging: Path, context: dict[str, str]) -> Path:
    """Render the template into ``staging``; return the project folder there."""
    from cookiecutter.main import cookiecutter

    from scaffold.schema import spec_schema_text

    # default_config: no ~/.cookiecutterrc, and the replay file goes into the staging folder.
    config = {"replay_dir": str(staging / ".replay"), "cookiecutters_dir": str(staging / ".cookiecutters")}
    rendered = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, extra_context=context,
                                 output_dir=str(staging / "out"), default_config=config))
    (rendered / "scaffold.schema.json").write_text(spec_schema_text() + "\n", encoding="utf-8")
    return rendered
