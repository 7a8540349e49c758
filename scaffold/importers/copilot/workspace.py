"""Finding and reading a Copilot workspace: ``.workspace``, manifests and addon templates.

The layout (https://aws.github.io/copilot-cli/docs/concepts/applications/ and the manifest
reference, aws/copilot-cli ``site/content/docs/manifest/``):

- ``copilot/.workspace``: ``application: NAME`` (often not committed; then the app is named
  after the folder that holds ``copilot/``);
- ``copilot/environments/<env>/manifest.yml``: one per environment;
- ``copilot/<workload>/manifest.yml``: one per service or job;
- ``copilot/environments/addons/*.yml`` and ``copilot/<workload>/addons/*.yml``: CloudFormation
  templates, environment-level and workload-level; ``addons.parameters.yml`` beside them
  passes parameters to the templates.

A file that cannot be read is recorded in :attr:`Workspace.unreadable` (the importer reports
it) and does not stop the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.errors import UsageError
from scaffold.importers.copilot.yamlsource import Located, Origin, YamlProblem, load_yaml

#: The file names of manifests and of addon templates Copilot reads.
MANIFEST_NAMES = ("manifest.yml", "manifest.yaml")
ADDON_SUFFIXES = (".yml", ".yaml")
PARAMETERS_NAMES = ("addons.parameters.yml", "addons.parameters.yaml")


@dataclass
class Manifest:
    """A manifest file: an environment's or a workload's.

    Attributes:
        name: The folder name (the environment or workload name as Copilot knew it).
        origin: The file, relative to the workspace root (line 0).
        data: The parsed manifest; a :class:`Located` when the file is a mapping.
    """

    name: str
    origin: Origin
    data: Any


@dataclass
class Addon:
    """An addon CloudFormation template.

    Attributes:
        owner: The workload folder that holds it, or ``None`` for an environment addon.
        origin: The file, relative to the workspace root.
        data: The parsed template (short-form tags in their long form).
    """

    owner: str | None
    origin: Origin
    data: Any


@dataclass
class Workspace:
    """Everything read from one ``copilot/`` folder.

    Attributes:
        root: The folder that holds ``copilot/``.
        app: The application name from ``.workspace``, or ``None`` when there is none.
        app_origin: Where the name was read (``copilot/.workspace:1``), or the root folder.
        environments: Environment manifests, sorted by name.
        workloads: Workload manifests, sorted by name.
        addons: Addon templates, sorted by owner and file.
        parameters: ``addons.parameters.yml`` files by owner (``None`` = environment addons).
        unreadable: Files that could not be read, with why.
    """

    root: Path
    app: str | None
    app_origin: Origin
    environments: list[Manifest] = field(default_factory=list)
    workloads: list[Manifest] = field(default_factory=list)
    addons: list[Addon] = field(default_factory=list)
    parameters: dict[str | None, Manifest] = field(default_factory=dict)
    unreadable: list[YamlProblem] = field(default_factory=list)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _manifest(root: Path, folder: Path) -> Path | None:
    for name in MANIFEST_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_workspace(root: Path) -> Workspace:
    """Read the Copilot workspace in ``root`` (the folder that holds ``copilot/``).

    ``root`` may also be the ``copilot/`` folder itself.

    Raises:
        UsageError: (exit 2) ``root`` does not exist, or holds no ``copilot/`` folder with at
            least one manifest.
    """
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder",
                         "give the folder that holds copilot/, e.g. scaffold import copilot path/to/repo")
    if root.name == "copilot" and not (root / "copilot").is_dir():
        root = root.parent
    copilot = root / "copilot"
    if not copilot.is_dir():
        raise UsageError(f"no Copilot workspace in {root}: there is no copilot/ folder",
                         "give the folder that holds copilot/ (where `copilot init` ran)")
    ws = Workspace(root=root, app=None, app_origin=Origin(root.name or str(root)))
    _read_app(ws, copilot / ".workspace")
    env_root = copilot / "environments"
    if env_root.is_dir():
        for folder in sorted(p for p in env_root.iterdir() if p.is_dir() and p.name != "addons"):
            _add_manifest(ws, ws.environments, folder)
        _read_addons(ws, None, env_root / "addons")
    for folder in sorted(p for p in copilot.iterdir() if p.is_dir() and p.name != "environments"):
        if _add_manifest(ws, ws.workloads, folder) or (folder / "addons").is_dir():
            _read_addons(ws, folder.name, folder / "addons")
    if not ws.workloads and not ws.environments:
        raise UsageError(f"no Copilot workspace in {root}: copilot/ holds no manifest.yml",
                         "a workspace has copilot/<service>/manifest.yml files (see `copilot init`)")
    return ws


#: What :func:`_load` returns for a file that could not be read (``None`` is an empty file).
_UNREADABLE = object()


def _load(ws: Workspace, path: Path) -> Any:
    """``path``'s data, or :data:`_UNREADABLE` (recorded in ``ws.unreadable``) when it cannot be read."""
    try:
        return load_yaml(path, _rel(ws.root, path))
    except YamlProblem as problem:
        ws.unreadable.append(problem)
        return _UNREADABLE


def _read_app(ws: Workspace, path: Path) -> None:
    if not path.is_file():
        return
    data = _load(ws, path)
    if isinstance(data, Located) and isinstance(data.get("application"), str):
        ws.app = data["application"]
        ws.app_origin = data.at("application")


def _add_manifest(ws: Workspace, into: list[Manifest], folder: Path) -> bool:
    path = _manifest(ws.root, folder)
    if path is None:
        return False
    data = _load(ws, path)
    if data is not _UNREADABLE:
        into.append(Manifest(folder.name, Origin(_rel(ws.root, path)), data))
    return True


def _read_addons(ws: Workspace, owner: str | None, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in ADDON_SUFFIXES):
        data = _load(ws, path)
        if data is _UNREADABLE:
            continue
        rel = _rel(ws.root, path)
        if path.name in PARAMETERS_NAMES:
            ws.parameters[owner] = Manifest(path.name, Origin(rel), data)
        else:
            ws.addons.append(Addon(owner, Origin(rel), data))
