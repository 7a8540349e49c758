"""``scaffold init``'s work: add scaffold to an existing git repository.

Writes ``scaffold.yaml`` and ``scaffold.schema.json`` in ``--dir`` (default the
current folder), the CI workflow at the repository root
(``.github/workflows/scaffold.yml``, found with ``git rev-parse --show-toplevel``)
with ``spec_dir`` = ``--dir`` relative to the root, and adds ``.scaffold/`` to the
root ``.gitignore`` (appended; the file's other lines are kept byte for byte).
Everything comes from the template of ``scaffold new`` (:mod:`scaffold.project`).

Unlike ``new``, a non-empty folder is fine: ``init`` refuses only to overwrite a
file. If any file it would write exists, it writes nothing and lists each one
(exit 2). The files are rendered into a temporary folder, then written under a
lock on the repository root (:mod:`scaffold.files`): all of them, or none.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scaffold.console import err
from scaffold.errors import UsageError
from scaffold.files import LOCK_NAME, StagedWrites, blocking_part, check_file_target, exclusive_lock
from scaffold.project import (
    DEFAULT_COMPONENTS,
    DEFAULT_REGION,
    Ask,
    _ask_until_valid,
    _check_name,
    _check_region,
    parse_components,
    project_context,
)
from scaffold.spec.models import PROJECT_NAME_PATTERN

WORKFLOW = Path(".github") / "workflows" / "scaffold.yml"
SPEC_FILES = ("scaffold.yaml", "scaffold.schema.json")
GITIGNORE = ".gitignore"
#: Root .gitignore lines that already ignore every ``.scaffold/`` folder of the repository.
_IGNORING = (".scaffold/", ".scaffold", "**/.scaffold/", "**/.scaffold", ".scaffold/*", ".scaffold/**")


def _ignoring(spec_dir: str) -> set[str]:
    """The ``.gitignore`` lines that ignore ``SPEC_DIR/.scaffold/``: anywhere, or anchored at that folder."""
    anchored = ".scaffold" if spec_dir == "." else f"{spec_dir}/.scaffold"
    return {*_IGNORING, *(f"{lead}{anchored}{tail}" for lead in ("/", "") for tail in ("", "/", "/*", "/**"))}
GIT_TIMEOUT_SECONDS = 30
#: A --dir the workflow can name in YAML, shell lines and path filters without quoting or globbing.
_SAFE_SPEC_DIR = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")
HINT = "choose another folder with --dir, inside a git repository"
NOT_A_REPO_HINT = ("run `git init` in the repository first (or pass --dir inside one); "
                   "for a project in a new folder of its own, use `scaffold new NAME`")


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_project` wrote: the files, and what became of the root ``.gitignore``."""

    root: Path
    target: Path
    spec_dir: str
    written: list[Path]
    gitignore: Path
    #: ``"created"``, ``"appended"`` or ``"unchanged"`` (it already ignored ``.scaffold/``).
    gitignore_change: str
    #: ``""``, or why the workflow cannot know what to ``pip install`` (:mod:`scaffold.install_source`).
    install_note: str = ""


def name_from_folder(folder: str) -> str | None:
    """A project name from a folder name: ``"My_Shop.API"`` -> ``"my-shop-api"``; ``None`` if none fits."""
    ascii_text = unicodedata.normalize("NFKD", folder).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())
    text = re.sub(r"^[^a-z]+", "", text)[:39].strip("-")
    return text if re.match(PROJECT_NAME_PATTERN, text) else None


def repository_root(start: Path) -> Path:
    """The work tree root of the git repository holding ``start`` (an existing folder).

    Raises:
        UsageError: git is missing, or ``start`` is not inside a git work tree (exit 2).
    """
    try:
        result = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True,
                                timeout=GIT_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH): scaffold init finds the repository root "
                         "with git; nothing was written",
                         "install git; for a project in a new folder of its own, use `scaffold new NAME`") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"`git rev-parse --show-toplevel` in {start} took over {GIT_TIMEOUT_SECONDS} s; "
                         "nothing was written", "check that git works in that folder, then run again") from None
    except OSError as error:
        raise UsageError(f"cannot run git in {start}: {error.strerror or error}; nothing was written",
                         NOT_A_REPO_HINT) from None
    stderr = os.fsdecode(result.stderr).strip().splitlines()
    if result.returncode != 0 or not result.stdout.strip():
        reason = stderr[-1] if stderr else f"git exited with {result.returncode}"
        raise UsageError(f"{start} is not inside a git repository ({reason}); nothing was written",
                         NOT_A_REPO_HINT)
    return Path(os.fsdecode(result.stdout.rstrip(b"\r\n"))).resolve()


def _nearest_folder(target: Path) -> Path:
    """``target``, or its nearest existing ancestor when it does not exist yet."""
    blocking = blocking_part(target.absolute())
    if blocking is not None:
        raise UsageError(f"cannot write {target}: {blocking} is a file, not a folder; nothing was written", HINT)
    if target.is_symlink() and not target.exists():
        raise UsageError(f"cannot write {target}: it is a dangling symbolic link (to {os.readlink(target)}); "
                         "nothing was written", HINT)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder; nothing was written", HINT)
    folder = target.absolute()
    while not folder.is_dir():
        folder = folder.parent
    return folder


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _refuse_existing(paths: list[Path]) -> None:
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing:
        listed = "; ".join(shown(p) + (" (a folder)" if p.is_dir() else "") for p in existing)
        raise UsageError(
            f"{'this file exists' if len(existing) == 1 else 'these files exist'}: {listed}; "
            "scaffold init does not overwrite files, nothing was written",
            "move or remove " + ("it" if len(existing) == 1 else "them") + " (or choose another --dir), "
            "then run scaffold init again")


def _gitignore_update(path: Path, addition: str, spec_dir: str) -> tuple[str | None, str]:
    """The new text of the root ``.gitignore`` (``None``: unchanged), and ``created``/``appended``/``unchanged``.

    The file's own lines are kept byte for byte; ``addition`` (the template's
    ``.gitignore``) is appended after a line end, in the file's line-end style.
    """
    real = check_file_target(path, HINT)  # a folder or a dangling link there: exit 2
    if not real.exists():
        return addition, "created"
    try:
        text = real.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; nothing was written",
                         "add the line .scaffold/ to it yourself, or save it as UTF-8, then run again") from None
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}; nothing was written", HINT) from None
    if any(line.strip() in _ignoring(spec_dir) for line in text.splitlines()):
        return None, "unchanged"
    newline = "\r\n" if "\r\n" in text else "\n"
    separator = newline if text and not text.endswith(("\n", "\r")) else ""
    return text + separator + addition.replace("\n", newline), "appended"


def init_project(directory: Path = Path("."), *, name: str | None = None, region: str | None = None,
                 components: str | None = None, ask: Ask | None = None) -> InitResult:
    """Add scaffold to the git repository holding ``directory``.

    Args:
        directory: The folder for ``scaffold.yaml`` (created if missing), inside a git work tree.
        name: The project name; default from the repository folder's name.
        region: The default AWS region; asked (or ``us-east-1``) when ``None``.
        components: Comma-separated kinds; asked (or the five defaults) when ``None``.
        ask: How to ask what the options left open; ``None`` takes the defaults.

    Raises:
        UsageError: Not in a git repository, a file it would write exists,
            an invalid answer, a path that cannot be written (exit 2). Nothing
            is written then.
    """
    if name is not None:  # the options first: a typo is reported before anything else is looked at
        _check_name(name)
    if region is not None:
        _check_region(region)
    kinds = parse_components(components) if components is not None else None
    target = directory.expanduser()
    root = repository_root(_nearest_folder(target))
    resolved = target.resolve()
    try:
        spec_dir = resolved.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{target} is not inside the git repository {root}; nothing was written", HINT) from None
    if spec_dir.split("/")[0] == ".git":
        raise UsageError(f"{target} is inside git's own folder {root / '.git'}; nothing was written", HINT)
    if not _SAFE_SPEC_DIR.fullmatch(spec_dir):
        raise UsageError(f"the CI workflow cannot point at the folder {spec_dir!r}: its path filters and shell "
                         "lines need a plain path; nothing was written",
                         "choose a --dir whose path from the repository root has only letters, digits, "
                         "'.', '_', '-' and '/', e.g. infra")
    spec_paths = [resolved / file for file in SPEC_FILES]
    workflow = root / WORKFLOW
    gitignore = root / GITIGNORE
    _refuse_existing([*spec_paths, workflow])  # before asking anything

    default_name = name_from_folder(root.name)
    if name is None and ask is not None:
        name = _ask_until_valid(ask, "Project name", default_name or "", _check_name)
    if name is None:
        if default_name is None:
            raise UsageError(f"cannot make a project name from the folder name {root.name!r}",
                             "pass --name, e.g. --name shop (2 to 39 lowercase letters, digits and hyphens)")
        name = default_name
    _check_name(name)
    if region is None and ask is not None:
        region = _ask_until_valid(ask, "AWS region", DEFAULT_REGION, _check_region)
    region = region or DEFAULT_REGION
    _check_region(region)
    if kinds is None and ask is not None:
        kinds = parse_components(_ask_until_valid(ask, "Components (" + ",".join(DEFAULT_COMPONENTS) + ")",
                                                  ",".join(DEFAULT_COMPONENTS), parse_components))
    kinds = kinds if kinds is not None else list(DEFAULT_COMPONENTS)

    context = project_context(name, region, kinds, spec_dir=spec_dir)
    texts = _render_texts(context)

    def waiting() -> None:
        err.print(f"waiting for another scaffold run on {root}", markup=False)

    with exclusive_lock(root / LOCK_NAME, what=root, hint=HINT, on_wait=waiting):
        _refuse_existing([*spec_paths, workflow])  # again, now that no other run can change them
        gitignore_text, change = _gitignore_update(gitignore, texts[GITIGNORE], spec_dir)
        writes = [(spec_paths[0], texts["scaffold.yaml"]), (spec_paths[1], texts["scaffold.schema.json"]),
                  (workflow, texts[str(WORKFLOW)])]
        if gitignore_text is not None:
            writes.append((gitignore, gitignore_text))
        with StagedWrites(HINT) as staged:
            for path, text in writes:
                staged.stage(path, text)
            staged.commit()
    return InitResult(root=root, target=resolved, spec_dir=spec_dir, written=[p for p, _ in writes[:3]],
                      gitignore=gitignore, gitignore_change=change,
                      install_note=context.get("_scaffold_install_note", ""))


def _render_texts(context: dict[str, str]) -> dict[str, str]:
    """Render ``new``'s template into a temporary folder; the texts of the files ``init`` writes."""
    from scaffold.project import _render

    staging = Path(tempfile.mkdtemp(prefix="scaffold-init-"))
    try:
        rendered = _render(staging, context)
        return {str(name): (rendered / name).read_text(encoding="utf-8")
                for name in (*SPEC_FILES, str(WORKFLOW), GITIGNORE)}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
