"""``scaffold new``: a project from the cookiecutter template shipped in this package.

Questions (region, components) are asked by the caller's ``ask`` function,
only for what the options left open; cookiecutter then renders without asking.
The template (``scaffold/templates/project``) renders ``scaffold.yaml``,
``.gitignore``, a README and a CI workflow; ``scaffold.schema.json`` is written
from the spec models. The project is rendered into a temporary folder and moved
into place only when everything succeeded, so a failure leaves nothing behind.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
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
        UsageError: An invalid name, region or component kind, or a non-empty
            target folder (exit 2). Nothing is written in that case.
    """
    from cookiecutter.main import cookiecutter

    from scaffold.schema import spec_schema_text

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

    context = {"name": name, "region": region, "components": ",".join(kinds),
               "_scaffold_version": __version__}
    with tempfile.TemporaryDirectory(prefix="scaffold-new-") as tmp:
        rendered = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, extra_context=context, output_dir=tmp))
        (rendered / "scaffold.schema.json").write_text(spec_schema_text() + "\n", encoding="utf-8")
        target.mkdir(parents=True, exist_ok=True)
        for item in rendered.iterdir():
            shutil.move(str(item), str(target / item.name))
    return target
