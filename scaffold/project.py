"""``scaffold new``: a project from the cookiecutter template shipped in this package.

The template (``scaffold/templates/project``) renders ``scaffold.yaml``,
``.gitignore``, a README and a CI workflow; ``scaffold.schema.json`` is written
from the spec models. The project is rendered into a temporary folder and moved
into place only when everything succeeded, so a failure leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from scaffold import __version__
from scaffold.errors import UsageError
from scaffold.spec.models import COMPONENT_MODELS, PROJECT_NAME_PATTERN, REGION_PATTERN

TEMPLATE_DIR = Path(__file__).parent / "templates" / "project"
#: Components a new project gets when ``--components`` is not given.
DEFAULT_COMPONENTS = ("database", "api", "queue", "cache", "notifications")
DEFAULT_REGION = "us-east-1"


def parse_components(text: str) -> list[str]:
    """``"api, database"`` -> ``["api", "database"]``.

    Raises:
        UsageError: An unknown kind.
    """
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in COMPONENT_MODELS]
    if unknown:
        raise UsageError(f"unknown component kind {unknown[0]!r}",
                         "choose from " + ",".join(DEFAULT_COMPONENTS))
    return list(dict.fromkeys(kinds))


def _check_name(name: str) -> None:
    if not re.match(PROJECT_NAME_PATTERN, name):
        raise UsageError(f"{name!r} is not a valid project name",
                         "use 2 to 39 lowercase letters, digits and hyphens, starting with a letter, e.g. shop")


def _check_region(region: str) -> None:
    if not re.match(REGION_PATTERN, region):
        raise UsageError(f"{region!r} is not an AWS region name", "e.g. us-east-1 or eu-west-1")


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder", "choose another --dir")
    if target.is_dir() and any(target.iterdir()):
        raise UsageError(f"{target} is not empty; nothing was written",
                         "choose an empty or new folder with --dir")


def create_project(name: str, *, directory: Path | None = None, region: str | None = None,
                   components: str | None = None, no_input: bool = False) -> Path:
    """Create a project named ``name`` in ``directory`` (default ``./name``).

    Questions are asked (through cookiecutter) only when stdin is a terminal and
    ``no_input`` is false; options given on the command line are not asked again.

    Returns:
        The project folder.

    Raises:
        UsageError: An invalid name, region or component kind, or a non-empty
            target folder (exit 2). Nothing is written in that case.
    """
    from cookiecutter.main import cookiecutter

    from scaffold.schema import spec_schema_text

    _check_name(name)
    target = (directory if directory is not None else Path(name)).expanduser()
    _check_target(target)
    if region is not None:
        _check_region(region)
    kinds = parse_components(components) if components is not None else None

    interactive = not no_input and sys.stdin.isatty()
    context = {"name": name, "_scaffold_version": __version__}
    if region is not None or not interactive:
        context["region"] = region or DEFAULT_REGION
    if kinds is not None or not interactive:
        context["components"] = ",".join(kinds if kinds is not None else DEFAULT_COMPONENTS)

    with tempfile.TemporaryDirectory(prefix="scaffold-new-") as tmp:
        rendered = Path(cookiecutter(str(TEMPLATE_DIR), no_input=not interactive,
                                     extra_context=context, output_dir=tmp))
        answers = (rendered / "scaffold.yaml").read_text(encoding="utf-8")
        region_match = re.search(r"^region: (\S+)", answers, re.M)
        if interactive and region_match:
            _check_region(region_match.group(1))
        (rendered / "scaffold.schema.json").write_text(spec_schema_text() + "\n", encoding="utf-8")
        target.mkdir(parents=True, exist_ok=True)
        for item in rendered.iterdir():
            shutil.move(str(item), str(target / item.name))
    return target
