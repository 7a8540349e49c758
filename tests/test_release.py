"""The release: one version source, a wheel and sdist that twine accepts and that work once installed,
the release workflow, and what generated files install (:mod:`scaffold.install_source`)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import scaffold
from scaffold.cli import app
from scaffold.install_source import install_source

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMIT = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"
runner = CliRunner()


# -- one version source ------------------------------------------------------------


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "scaffold.__version__"}
    # the template's default is filled in by scaffold new, never a second copy of the number
    template = json.loads((ROOT / "scaffold/templates/project/cookiecutter.json").read_text())
    assert template["_scaffold_version"] == ""
    result = runner.invoke(app, ["--version"])
    assert result.stdout == f"scaffold {scaffold.__version__}\n"


# -- the distributions -------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` of a copy of the source tree (the shared tree gets no build/ folder)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("scaffold", "blueprints", "stacks"):
        shutil.copytree(ROOT / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".scaffold"))
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


def test_build_makes_a_wheel_and_an_sdist_that_twine_accepts(dist: Path) -> None:
    version = scaffold.__version__
    wheel, sdist = dist / f"scaffold_iac-{version}-py3-none-any.whl", dist / f"scaffold_iac-{version}.tar.gz"
    assert sorted(dist.iterdir()) == sorted([wheel, sdist])
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_the_wheel_holds_what_scaffold_needs(dist: Path) -> None:
    version = scaffold.__version__
    with zipfile.ZipFile(dist / f"scaffold_iac-{version}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"scaffold_iac-{version}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"scaffold_iac-{version}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {version}\n" in metadata and "Name: scaffold-iac\n" in metadata
    assert "scaffold = scaffold.entry:main" in entry_points
    template = "scaffold/templates/project/{{cookiecutter.name}}/"
    for name in ("scaffold/templates/project/cookiecutter.json", f"{template}scaffold.yaml",
                 f"{template}.gitignore", f"{template}.github/workflows/scaffold.yml",
                 "stacks/templates/project/requirements.txt.j2", "scaffold/install_source.py",
                 "scaffold/py.typed", "blueprints/__init__.py"):
        assert name in names, name


def test_the_installed_wheel_creates_a_project(dist: Path, tmp_path: Path) -> None:
    """Installed from a local wheel file, scaffold works, and says its workflow needs a real source."""
    site = tmp_path / "site"
    wheel = dist / f"scaffold_iac-{scaffold.__version__}-py3-none-any.whl"
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                                "--no-index", "--target", str(site), str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run([sys.executable, "-c", "from scaffold.entry import main; main()", "new", "shop",
                          "--dir", str(tmp_path / "shop"), "--no-input", "--components", "queue"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "warning: scaffold was installed from the local file file://" in run.stderr
    workflow = (tmp_path / "shop/.github/workflows/scaffold.yml").read_text()
    assert f'SCAFFOLD_REQUIREMENT: "scaffold-iac=={scaffold.__version__}"' in workflow
    assert "# REPLACE: scaffold was installed from the local file" in workflow


# -- what the generated files install ------------------------------------------------


class FakeDistribution:
    """An installed scaffold-iac as :func:`importlib.metadata.distribution` returns it."""

    def __init__(self, direct_url: dict[str, Any] | str | None, installer: str | None = "pip\n") -> None:
        self.version = "1.4.2"
        self._direct_url = direct_url
        self._installer = installer

    def read_text(self, name: str) -> str | None:
        if name == "INSTALLER":
            return self._installer
        if name != "direct_url.json" or self._direct_url is None:
            return None
        return self._direct_url if isinstance(self._direct_url, str) else json.dumps(self._direct_url)


def installed_as(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | str | None,
                 installer: str | None = "pip\n") -> None:
    real = importlib.metadata.distribution

    def distribution(name: str) -> Any:
        return FakeDistribution(direct_url, installer) if name == "scaffold-iac" else real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)


def git(url: str, **extra: Any) -> dict[str, Any]:
    return {"url": url, "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"}, **extra}


@pytest.mark.parametrize(("direct_url", "requirement"), [
    (None, "scaffold-iac==1.4.2"),  # from an index: PEP 610 writes no direct_url.json
    (git("https://github.com/acme/scaffold.git"), f"scaffold-iac @ git+https://github.com/acme/scaffold.git@{COMMIT}"),
    (git("https://github.com/acme/mono", subdirectory="tools/scaffold"),
     f"scaffold-iac @ git+https://github.com/acme/mono@{COMMIT}#subdirectory=tools/scaffold"),
    (git("ssh://git@github.com/acme/scaffold.git"), f"scaffold-iac @ git+ssh://git@github.com/acme/scaffold.git@{COMMIT}"),
    (git("https://${GH_USER}:${GH_TOKEN}@github.com/acme/scaffold"),
     f"scaffold-iac @ git+https://${{GH_USER}}:${{GH_TOKEN}}@github.com/acme/scaffold@{COMMIT}"),
    ({"url": "https://files.example.com/scaffold_iac-1.4.2-py3-none-any.whl", "archive_info": {"hashes": {}}},
     "scaffold-iac @ https://files.example.com/scaffold_iac-1.4.2-py3-none-any.whl"),
], ids=["index", "git", "git-subdirectory", "git-ssh", "git-env-credentials", "archive-url"])
def test_install_source_names_this_scaffold(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | None,
                                            requirement: str) -> None:
    installed_as(monkeypatch, direct_url)
    source = install_source()
    assert (source.requirement, source.line, source.note) == (requirement, requirement, "")


def test_install_source_never_copies_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    installed_as(monkeypatch, git("https://deploy:ghp_secret123@github.com/acme/scaffold"))
    assert install_source().requirement == f"scaffold-iac @ git+https://github.com/acme/scaffold@{COMMIT}"


@pytest.mark.parametrize(("direct_url", "reason"), [
    ({"url": "file:///home/me/scaffold", "dir_info": {"editable": True}},
     "installed from the local folder file:///home/me/scaffold (editable)"),
    ({"url": "file:///home/me/scaffold", "dir_info": {}}, "installed from the local folder file:///home/me/scaffold"),
    ({"url": "file:///tmp/scaffold_iac-1.4.2-py3-none-any.whl", "archive_info": {}},
     "installed from the local file file:///tmp/scaffold_iac-1.4.2-py3-none-any.whl"),
    (git("file:///home/me/scaffold"), "installed from the local git clone file:///home/me/scaffold"),
    ({"url": "https://github.com/acme/scaffold", "vcs_info": {"vcs": "git"}},
     "installed from https://github.com/acme/scaffold without a recorded commit"),
    ("{not json", "is not valid JSON"),
    (git('https://github.com/acme/scaffold"\n  evil: x'), "with spaces, quotes or control characters"),
], ids=["editable", "local-folder", "local-wheel", "local-clone", "no-commit", "broken-record", "odd-url"])
def test_no_install_source_says_why(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | str,
                                    reason: str) -> None:
    installed_as(monkeypatch, direct_url)
    source = install_source()
    assert source.requirement is None and reason in (source.reason or "")
    assert source.line == "scaffold-iac==1.4.2"  # what a generated file falls back to, marked REPLACE
    assert source.note.startswith(f"scaffold was {source.reason}") and "replace it" in source.note


def test_not_installed_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    def distribution(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    source = install_source()
    assert source.requirement is None and source.line == f"scaffold-iac=={scaffold.__version__}"
    assert "source tree" in source.note


def test_a_source_tree_has_no_install_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a checkout, its ``scaffold_iac.egg-info`` (no installer wrote it) comes first on sys.path."""
    installed_as(monkeypatch, None, installer=None)
    source = install_source()
    assert source.requirement is None and "source tree" in (source.reason or "")


def test_this_checkout_has_no_install_source() -> None:
    """The developers' own case (``pip install -e .``, run from the checkout or from elsewhere)."""
    source = install_source()
    assert source.requirement is None and source.line == f"scaffold-iac=={scaffold.__version__}"


def _requirements(monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | None) -> list[str]:
    from scaffold.spec import load_blueprint
    from stacks.generate import render_project

    installed_as(monkeypatch, direct_url)
    blueprint = load_blueprint(ROOT / "examples/shop.yaml", "dev")
    return render_project(blueprint)["requirements.txt"].splitlines()


def test_generated_requirements_install_this_scaffold(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _requirements(monkeypatch, git("https://github.com/acme/scaffold"))
    assert lines[1] == f"scaffold-iac @ git+https://github.com/acme/scaffold@{COMMIT}"
    assert not any("REPLACE" in line for line in lines)
    assert [line.split("==")[0] for line in lines[2:]] == ["pulumi", "pulumi-aws", "pulumi-random"]


def test_generated_requirements_say_when_they_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _requirements(monkeypatch, {"url": "file:///src/scaffold", "dir_info": {"editable": True}})
    assert lines[1].startswith("# REPLACE: scaffold was installed from the local folder file:///src/scaffold")
    assert lines[2] == "scaffold-iac==1.4.2"


# -- the release workflow ------------------------------------------------------------------


def test_release_workflow_builds_checks_and_publishes_with_trusted_publishing() -> None:
    path = ROOT / ".github/workflows/release.yml"
    workflow = yaml.safe_load(path.read_text())
    assert workflow[True] == {"push": {"tags": ["v*"]}}  # PyYAML reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [step.get("run", "") for step in build["steps"]]
    assert "python -m build" in runs and "python -m twine check --strict dist/*" in runs
    assert "permissions" not in build  # only the publishing job may mint an OIDC token
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [step["uses"] for step in publish["steps"]]
    assert uses[-1].startswith("pypa/gh-action-pypi-publish@") and not publish["steps"][-1].get("with")


def test_release_workflow_refuses_a_tag_that_is_not_the_version(tmp_path: Path) -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    step = next(s for s in workflow["jobs"]["build"]["steps"] if s.get("name", "").startswith("The tag"))
    (tmp_path / "dist").mkdir()
    for name in ("scaffold_iac-1.2.0-py3-none-any.whl", "scaffold_iac-1.2.0.tar.gz"):
        (tmp_path / "dist" / name).touch()

    def run(tag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=tmp_path, env={**os.environ, "TAG": tag}, capture_output=True, text=True)

    assert run("v1.2.0").returncode == 0
    refused = run("v1.3.0")
    assert refused.returncode == 1 and "::error::tag v1.3.0 does not match the version built" in refused.stdout
