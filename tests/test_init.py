"""``scaffold init``: scaffold added to an existing git repository, and nothing overwritten."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.errors import UsageError
from scaffold.project import TEMPLATE_DIR
from scaffold.repo_init import init_project, name_from_folder
from scaffold.spec import check_file

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
TEMPLATE_GITIGNORE = (TEMPLATE_DIR / "{{cookiecutter.name}}" / ".gitignore").read_text()
USER_GITIGNORE = b"node_modules/\n*.pyc"  # no line end after the last line


@pytest.fixture(autouse=True)
def _no_outer_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """git looks for a repository no higher than tmp_path (the test may run inside one)."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with a README, some code and a .gitignore without a final line end; the cwd."""
    root = tmp_path / "My_Repo"
    (root / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "README.md").write_text("# my repo\n")
    (root / "src" / "app.py").write_text("print('hi')\n")
    (root / ".gitignore").write_bytes(USER_GITIGNORE)
    monkeypatch.chdir(root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` but git's own, with its content."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts[:1]}


def test_init_with_a_nested_dir_writes_spec_there_and_workflow_at_the_root(repo: Path) -> None:
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--dir", "infra/stack", "--no-input", "--region", "eu-west-1"])
    assert result.exit_code == 0, result.output

    after = snapshot(repo)
    assert sorted(set(after) - set(before)) == [".github/workflows/scaffold.yml", "infra/stack/scaffold.schema.json",
                                               "infra/stack/scaffold.yaml"]
    for kept in ("README.md", "src/app.py"):
        assert after[kept] == before[kept]
    # Appended after a line end, the user's lines byte for byte.
    assert after[".gitignore"] == USER_GITIGNORE + b"\n" + TEMPLATE_GITIGNORE.encode()
    assert after[".gitignore"].decode().splitlines().count(".scaffold/") == 1

    checked = check_file(repo / "infra/stack/scaffold.yaml")
    assert checked.spec.name == "my-repo" and checked.spec.region == "eu-west-1"  # from the folder My_Repo
    assert json.loads(after["infra/stack/scaffold.schema.json"])["title"] == "scaffold.yaml"

    workflow_text = after[".github/workflows/scaffold.yml"].decode()
    assert "infra/stack" in workflow_text
    workflow = yaml.safe_load(workflow_text)
    on = workflow.get("on", workflow.get(True))
    assert "infra/stack/scaffold.yaml" in on["pull_request"]["paths"]
    assert re.search(r"working-directory: *['\"]?infra/stack['\"]?\s*$", workflow_text, re.MULTILINE)

    lines = result.stdout.splitlines()
    assert lines[:4] == ["wrote infra/stack/scaffold.yaml", "wrote infra/stack/scaffold.schema.json",
                         "wrote .github/workflows/scaffold.yml", "added .scaffold/ to .gitignore"]
    assert "next: cd infra/stack && scaffold validate && scaffold plan -e dev" in lines


def test_init_twice_refuses_listing_each_file_and_changes_nothing(repo: Path) -> None:
    assert runner.invoke(app, ["init", "--dir", "infra/stack", "--no-input"]).exit_code == 0
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--dir", "infra/stack", "--no-input"])
    assert result.exit_code == 2
    for path in ("infra/stack/scaffold.yaml", "infra/stack/scaffold.schema.json", ".github/workflows/scaffold.yml"):
        assert path in result.stderr
    assert "nothing was written" in result.stderr and "hint: move or remove them" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(repo) == before  # .gitignore got .scaffold/ once


def test_an_existing_spec_is_listed_and_nothing_is_written(repo: Path) -> None:
    (repo / "scaffold.yaml").write_text("mine\n")
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--no-input"])
    assert result.exit_code == 2
    assert "this file exists: scaffold.yaml;" in result.stderr and "hint: move or remove it" in result.stderr
    assert "scaffold.schema.json" not in result.stderr  # only the files that exist are listed
    assert snapshot(repo) == before
    assert not (repo / ".github").exists()


def test_outside_a_git_repository_exits_2_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    result = runner.invoke(app, ["init", "--dir", "infra", "--no-input"])
    assert result.exit_code == 2
    assert "is not inside a git repository" in result.stderr and "hint: run `git init`" in result.stderr
    assert list(folder.iterdir()) == []  # not even --dir was created


def test_without_git_exits_2(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    result = runner.invoke(app, ["init", "--no-input"])
    assert result.exit_code == 2 and "git is not installed" in result.stderr
    assert not (repo / "scaffold.yaml").exists()


def test_at_the_root_from_a_subfolder_and_a_new_gitignore(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / ".gitignore").unlink()
    monkeypatch.chdir(repo / "src")
    result = runner.invoke(app, ["init", "--dir", "..", "--no-input", "--name", "shop", "--components", "queue"])
    assert result.exit_code == 0, result.output
    assert (repo / "scaffold.yaml").is_file() and (repo / ".github/workflows/scaffold.yml").is_file()
    assert (repo / ".gitignore").read_text() == TEMPLATE_GITIGNORE
    assert check_file(repo / "scaffold.yaml").spec.name == "shop"
    on = yaml.safe_load((repo / ".github/workflows/scaffold.yml").read_text())
    on = on.get("on", on.get(True))
    assert "scaffold.yaml" in on["pull_request"]["paths"]  # spec_dir ".": the root's scaffold.yaml
    assert f"wrote {repo / 'scaffold.yaml'}" in result.stdout  # outside the cwd: absolute paths
    assert f"next: cd {repo} && scaffold validate" in result.stdout


def test_run_inside_the_folder_uses_it_as_spec_dir(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "deploy").mkdir()
    monkeypatch.chdir(repo / "deploy")
    result = runner.invoke(app, ["init", "--no-input"])
    assert result.exit_code == 0, result.output
    assert (repo / "deploy/scaffold.yaml").is_file() and (repo / ".github/workflows/scaffold.yml").is_file()
    assert "next: scaffold validate && scaffold plan -e dev" in result.stdout
    assert "deploy/scaffold.yaml" in (repo / ".github/workflows/scaffold.yml").read_text()


@pytest.mark.parametrize(("existing", "where"), [(b".scaffold/\n", "."), (b"build/\n/.scaffold\n", "."),
                                               (b"**/.scaffold/", "infra"), (b"/infra/.scaffold/\n", "infra")])
def test_gitignore_that_already_ignores_scaffold_is_left_alone(repo: Path, existing: bytes, where: str) -> None:
    (repo / ".gitignore").write_bytes(existing)
    result = runner.invoke(app, ["init", "--no-input", "--dir", where])
    assert result.exit_code == 0, result.output
    assert (repo / ".gitignore").read_bytes() == existing
    assert ".gitignore already ignores .scaffold/" in result.stdout


def test_gitignore_ignoring_only_the_root_scaffold_folder_gets_the_line(repo: Path) -> None:
    (repo / ".gitignore").write_bytes(b"/.scaffold/\n")  # anchored at the root: misses infra/.scaffold/
    assert runner.invoke(app, ["init", "--no-input", "--dir", "infra"]).exit_code == 0
    assert (repo / ".gitignore").read_bytes() == b"/.scaffold/\n" + TEMPLATE_GITIGNORE.encode()


def test_gitignore_with_windows_line_ends_gets_them_too(repo: Path) -> None:
    (repo / ".gitignore").write_bytes(b"dist/\r\n")
    assert runner.invoke(app, ["init", "--no-input"]).exit_code == 0
    assert (repo / ".gitignore").read_bytes() == b"dist/\r\n" + TEMPLATE_GITIGNORE.replace("\n", "\r\n").encode()


def test_a_failure_while_writing_leaves_nothing(repo: Path) -> None:
    (repo / ".github").write_text("not a folder")  # the workflow cannot be written
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--dir", "infra", "--no-input"])
    assert result.exit_code == 2 and ".github is a file, not a folder" in result.stderr
    assert snapshot(repo) == before and not (repo / "infra").exists()
    assert not list(repo.glob("**/.scaffold-tmp-*")) and not (repo / ".scaffold.lock").exists()


def test_a_folder_name_that_makes_no_project_name_needs_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "2024"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["init", "--no-input"])
    assert result.exit_code == 2 and "hint: pass --name" in result.stderr
    assert not (root / "scaffold.yaml").exists()
    assert runner.invoke(app, ["init", "--no-input", "--name", "Bad!"]).exit_code == 2
    assert runner.invoke(app, ["init", "--no-input", "--name", "orders"]).exit_code == 0


@pytest.mark.parametrize(("folder", "name"), [("My_Repo", "my-repo"), ("shop.api", "shop-api"), ("Café", "cafe"),
                                              ("2024-billing", "billing"), ("x", None), ("123", None),
                                              ("a" * 50, "a" * 39)])
def test_name_from_folder(folder: str, name: str | None) -> None:
    assert name_from_folder(folder) == name


def test_questions_are_asked_on_a_terminal(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["init", "--dir", "infra"], input="\neu-west-1\nqueue,worker\n")
    assert result.exit_code == 0, result.output
    assert "Project name [my-repo]" in result.output
    spec = check_file(repo / "infra/scaffold.yaml").spec
    assert spec.name == "my-repo" and spec.region == "eu-west-1"
    assert sorted(c.kind for c in spec.components.values()) == ["queue", "worker"]


def test_existing_files_are_refused_before_any_question(repo: Path) -> None:
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/scaffold.yml").write_text("mine\n")
    asked: list[str] = []

    def ask(prompt: str, default: str) -> str:
        asked.append(prompt)
        return default

    with pytest.raises(UsageError, match=re.escape("this file exists: .github/workflows/scaffold.yml;")):
        init_project(Path("infra"), ask=ask)
    assert asked == []


def test_help_teaches_with_examples() -> None:
    result = runner.invoke(app, ["init", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Add scaffold to an existing git repository" in text
    assert "Examples:" in text and "scaffold init --dir infra" in text
    assert "init" in runner.invoke(app, ["--help"]).output


def test_a_bad_answer_is_asked_again(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["init"], input="Bad!\norders\n\n\n")
    assert result.exit_code == 0, result.output
    assert "'Bad!' is not a valid project name" in result.output
    assert check_file(repo / "scaffold.yaml").spec.name == "orders"


def test_ctrl_c_at_a_question_exits_130_and_writes_nothing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("typer.prompt", interrupted)
    before = snapshot(repo)
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 130 and "interrupted; nothing was written" in result.stderr
    assert snapshot(repo) == before


#: Imports everything first, then waits for a common start time: the runs really overlap.
LOCKSTEP = """
import sys, time
import scaffold.cli, scaffold.repo_init, scaffold.spec, cookiecutter.main, jinja2
start = float(sys.argv[1])
sys.argv = ["scaffold", *sys.argv[2:]]
time.sleep(max(0.0, start - time.time()))
scaffold.cli.main()
"""


def test_concurrent_inits_in_one_repository_one_writes(repo: Path) -> None:
    start = time.time() + 6
    procs = [subprocess.Popen([sys.executable, "-c", LOCKSTEP, str(start), "init", "--dir", folder, "--no-input"],
                              cwd=repo, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
             for folder in ("a", "b", "c")]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out + err))

    assert sorted(code for code, _ in results) == [0, 2, 2], results
    for code, output in results:
        assert "Traceback" not in output
        if code == 2:
            assert "this file exists: .github/workflows/scaffold.yml;" in output, output
    assert sum((repo / folder / "scaffold.yaml").is_file() for folder in "abc") == 1
    assert sum((repo / folder).exists() for folder in "abc") == 1  # the others did not even create --dir
    assert (repo / ".gitignore").read_text().splitlines().count(".scaffold/") == 1
    assert not (repo / ".scaffold.lock").exists()


def test_init_imports_no_pulumi_and_help_not_even_the_init_code(repo: Path) -> None:
    probe = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")

    def modules_after(*argv: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, cwd=repo,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        return set(proc.stderr.split())

    after_init = modules_after("init", "--no-input")
    assert (repo / "scaffold.yaml").is_file() and "scaffold.repo_init" in after_init  # the probe works
    assert not {m for m in after_init if m == "pulumi" or m.startswith(("pulumi.", "pulumi_aws"))}
    assert "scaffold.repo_init" not in modules_after("init", "--help")


@pytest.mark.parametrize(("option", "message"), [(["--name", "Shop!"], "'Shop!' is not a valid project name"),
                                                 (["--region", "mars-1"], "'mars-1' is not an AWS region name"),
                                                 (["--components", "database,lambda"], "unknown component kind")])
def test_invalid_options_write_nothing(repo: Path, option: list[str], message: str) -> None:
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--no-input", *option])
    assert result.exit_code == 2 and message in result.stderr
    assert snapshot(repo) == before and not (repo / ".github").exists()


@pytest.mark.parametrize("folder", ["my infra", "infra[1]", 'a"b', "dépôt"])
def test_a_dir_the_workflow_cannot_name_is_refused(repo: Path, folder: str) -> None:
    before = snapshot(repo)
    result = runner.invoke(app, ["init", "--no-input", "--dir", folder])
    assert result.exit_code == 2 and "the CI workflow cannot point at the folder" in result.stderr
    assert "hint: choose a --dir" in result.stderr
    assert snapshot(repo) == before and not (repo / folder).exists()


@pytest.mark.parametrize("published", [True, False])
def test_the_workflow_installs_this_scaffold_or_init_warns(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                          published: bool) -> None:
    from scaffold.install_source import InstallSource

    source = (InstallSource("9.8.7", "scaffold-iac==9.8.7") if published
              else InstallSource("9.8.7", None, "installed from the local folder file:///src (editable)"))
    monkeypatch.setattr("scaffold.install_source.install_source", lambda *args: source)
    result = runner.invoke(app, ["init", "--no-input", "--dir", "infra"])
    assert result.exit_code == 0, result.output
    assert '"scaffold-iac==9.8.7"' in (repo / ".github/workflows/scaffold.yml").read_text()
    if published:
        assert "warning" not in result.stderr
    else:
        assert "warning: scaffold was installed from the local folder file:///src (editable)" in result.stderr
        assert result.stderr.rstrip().endswith("(.github/workflows/scaffold.yml)")


def test_new_inside_a_repository_warns_that_github_will_not_read_its_workflow(tmp_path: Path) -> None:
    """`new --dir infra` in an existing repository writes infra/.github/workflows, which GitHub
    ignores: new says so, and points to `scaffold init --dir infra`."""
    import subprocess

    from typer.testing import CliRunner

    from scaffold.cli import app

    repo = tmp_path / "repo"  # below GIT_CEILING_DIRECTORIES (tmp_path), which git never searches
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    result = CliRunner().invoke(app, ["new", "shop", "--dir", str(repo / "infra"), "--no-input"])
    assert result.exit_code == 0, result.output
    assert "GitHub reads workflows only at a repository's root" in result.output
    assert "scaffold init --dir infra" in result.output


def test_new_outside_a_repository_does_not_warn_about_workflows(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scaffold.cli import app

    result = CliRunner().invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop"), "--no-input"])
    assert result.exit_code == 0, result.output
    assert "GitHub reads workflows" not in result.output
