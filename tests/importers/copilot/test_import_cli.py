"""``scaffold import copilot`` on the command line: what it writes, prints, refuses and never overwrites.

Through typer's CliRunner (the real command, in this process), except the start-up check, which
runs a fresh interpreter as tests/test_cli.py does. The workspaces are the hand-written
``workspaces/t-minimal`` (two services, two environments) and ``workspaces/t-static-only``
(only a Static Site: nothing to import).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import scaffold.importers.copilot as copilot_importer
from scaffold import import_command
from scaffold.cli import app
from tests.importers.copilot.conftest import (
    ACCOUNT,
    CORPUS,
    NOW,
    REGION,
    ROOT,
    WORKSPACES,
    run_import,
)

MINIMAL = WORKSPACES / "t-minimal"
STATIC_ONLY = WORKSPACES / "t-static-only"
#: An old, exact mtime: a refused run must leave it as it is.
OLD_MTIME_NS = 1_600_000_000_123_456_789

runner = CliRunner()


def scaffold_import(*args: str, account: str | None = ACCOUNT, env: dict[str, str | None] | None = None) -> Result:
    """``scaffold import copilot ARGS`` with the fixed region, and ``account`` unless ARGS give them."""
    argv = ["import", "copilot", *args]
    if "--region" not in args:
        argv += ["--region", REGION]
    if "--account" not in args and account is not None:
        argv += ["--account", account]
    return runner.invoke(app, argv, env={"AWS_REGION": None, "AWS_DEFAULT_REGION": None, **(env or {})})


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path → bytes), hidden ones included."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pinned(path: Path, text: str = "precious: true\n") -> tuple[bytes, int]:
    """Write ``path`` with an old mtime; return what must stay: its bytes and mtime."""
    path.write_text(text)
    os.utime(path, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_writes_the_spec_and_prints_the_report(here: Path) -> None:
    result = scaffold_import(str(MINIMAL))
    assert result.exit_code == 0, result.output
    expected = run_import(MINIMAL)
    assert (here / "scaffold.yaml").read_text() == expected.spec
    assert sorted(tree(here)) == ["scaffold.yaml"]  # no temporary file left
    assert result.stdout.startswith(f"# Migration report: Copilot workspace {MINIMAL} → scaffold.yaml\n")
    assert "## Imported" in result.stdout and "## Left out" in result.stdout
    assert "Wrote scaffold.yaml" in result.stderr and "2 workload(s) imported" in result.stderr
    assert "Next: scaffold validate && scaffold plan --all" in result.stderr


def test_report_file_holds_what_was_printed(here: Path) -> None:
    result = scaffold_import(str(MINIMAL), "--report", "MIGRATION.md")
    assert result.exit_code == 0, result.output
    assert (here / "MIGRATION.md").read_text() == result.stdout
    assert sorted(tree(here)) == ["MIGRATION.md", "scaffold.yaml"]
    assert "and the report to MIGRATION.md" in result.stderr


def test_control_characters_from_the_workspace_never_reach_the_terminal(here: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(MINIMAL / "copilot", root / "copilot")
    (root / "copilot" / "api").rename(root / "copilot" / "api\x1b[2J\tx")
    result = scaffold_import(str(root), "--report", "MIGRATION.md")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\\x1b[2J" in result.stdout
    assert (here / "MIGRATION.md").read_text() == result.stdout  # tabs too: byte for byte


def test_output_dash_prints_the_spec_on_stdout_and_the_report_on_stderr(here: Path) -> None:
    result = scaffold_import(str(MINIMAL), "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == run_import(MINIMAL).spec
    assert "# Migration report: Copilot workspace" in result.stderr
    assert tree(here) == {}
    result = scaffold_import(str(MINIMAL), "-o", "-", "--report", "r.md")
    assert result.exit_code == 0, result.output
    assert sorted(tree(here)) == ["r.md"]
    assert (here / "r.md").read_text() in result.stderr


@pytest.mark.parametrize("existing", ["spec", "report", "both"])
def test_an_existing_file_is_refused_with_exit_2_and_left_untouched(here: Path, existing: str) -> None:
    spec, report = here / "scaffold.yaml", here / "MIGRATION.md"
    kept = {p: pinned(p) for p, name in ((spec, "spec"), (report, "report")) if existing in (name, "both")}
    result = scaffold_import(str(MINIMAL), "--report", "MIGRATION.md")
    assert result.exit_code == 2, result.output
    assert "exists; scaffold import never overwrites a file" in result.stderr
    for path, (data, mtime) in kept.items():
        assert (path.read_bytes(), path.stat().st_mtime_ns) == (data, mtime)
    assert sorted(tree(here)) == sorted(p.name for p in kept)  # the other file is not written either


def test_a_dangling_symbolic_link_as_output_is_refused(here: Path) -> None:
    (here / "scaffold.yaml").symlink_to(here / "nowhere.yaml")
    result = scaffold_import(str(MINIMAL))
    assert result.exit_code == 2, result.output
    assert "dangling symbolic link" in result.stderr
    assert not (here / "nowhere.yaml").exists()


def test_a_file_that_appears_while_importing_is_not_overwritten(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = import_command._import

    def import_then_race(*args: object) -> object:
        imported = real(*args)  # type: ignore[arg-type]
        pinned(here / "scaffold.yaml", "written by someone else\n")
        return imported

    monkeypatch.setattr(import_command, "_import", import_then_race)
    result = scaffold_import(str(MINIMAL), "--report", "MIGRATION.md")
    assert result.exit_code == 2, result.output
    assert "appeared while importing" in result.stderr
    assert tree(here) == {"scaffold.yaml": b"written by someone else\n"}  # and no report


def test_output_in_a_missing_folder_creates_it(here: Path) -> None:
    result = scaffold_import(str(MINIMAL), "-o", "infra/new/scaffold.yaml", "--report", "docs/MIGRATION.md")
    assert result.exit_code == 0, result.output
    assert sorted(tree(here)) == ["docs/MIGRATION.md", "infra/new/scaffold.yaml"]
    assert "Next: scaffold validate -f infra/new/scaffold.yaml && scaffold plan --all -f infra/new/scaffold.yaml" \
        in result.stderr


def test_output_naming_a_folder_is_refused(here: Path) -> None:
    (here / "out").mkdir()
    result = scaffold_import(str(MINIMAL), "-o", "out")
    assert result.exit_code == 2, result.output
    assert "is a folder, not a file" in result.stderr
    assert tree(here) == {} and (here / "out").is_dir()


def test_output_through_a_file_is_refused(here: Path) -> None:
    (here / "notes.txt").write_text("x")
    result = scaffold_import(str(MINIMAL), "-o", "notes.txt/scaffold.yaml")
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.stderr
    assert tree(here) == {"notes.txt": b"x"}


@pytest.mark.parametrize("report", ["scaffold.yaml", "./scaffold.yaml", "-"])
def test_the_report_cannot_go_where_the_spec_goes_or_to_dash(here: Path, report: str) -> None:
    result = scaffold_import(str(MINIMAL), "--report", report)
    assert result.exit_code == 2, result.output
    assert tree(here) == {}


def test_ctrl_c_while_writing_leaves_nothing(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = import_command._link_new
    calls = []

    def interrupted_at_the_second_file(tmp: Path, path: Path) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(tmp, path)

    monkeypatch.setattr(import_command, "_link_new", interrupted_at_the_second_file)
    result = scaffold_import(str(MINIMAL), "-o", "infra/scaffold.yaml", "--report", "MIGRATION.md")
    assert result.exit_code == 130, result.output
    assert len(calls) == 2
    assert tree(here) == {} and not (here / "infra").exists()  # the spec linked first is removed too


def test_ctrl_c_while_importing_writes_nothing(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(ctx: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(copilot_importer, "STEPS", (interrupted,))
    result = scaffold_import(str(MINIMAL), "-o", "infra/scaffold.yaml", "--report", "MIGRATION.md")
    assert result.exit_code == 130, result.output
    assert tree(here) == {}


def test_a_file_system_without_hard_links_still_never_overwrites(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    result = scaffold_import(str(MINIMAL), "--report", "MIGRATION.md")
    assert result.exit_code == 0, result.output
    assert (here / "scaffold.yaml").read_text() == run_import(MINIMAL).spec
    assert sorted(tree(here)) == ["MIGRATION.md", "scaffold.yaml"]


def test_a_write_that_fails_leaves_nothing(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.link

    def full_disk_at_the_report(src: str, dst: str) -> None:
        if str(dst).endswith("MIGRATION.md"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "link", full_disk_at_the_report)
    result = scaffold_import(str(MINIMAL), "-o", "a/b/scaffold.yaml", "--report", "MIGRATION.md")
    assert result.exit_code == 2, result.output
    assert "no space left on the device" in result.stderr
    assert tree(here) == {} and not (here / "a").exists()


def test_a_path_without_copilot_is_refused_with_exit_2(here: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = scaffold_import(str(empty))
    assert result.exit_code == 2, result.output
    assert f"error: no Copilot workspace in {empty}: there is no copilot/ folder" in result.stderr
    assert "hint: give the folder that holds copilot/" in result.stderr
    assert "Traceback" not in result.output
    missing = scaffold_import(str(tmp_path / "missing"))
    assert missing.exit_code == 2 and "is not a folder" in missing.stderr
    assert tree(here) == {}


def test_an_empty_copilot_folder_is_refused_with_exit_2(here: Path, tmp_path: Path) -> None:
    (tmp_path / "repo" / "copilot").mkdir(parents=True)
    result = scaffold_import(str(tmp_path / "repo"))
    assert result.exit_code == 2, result.output
    assert "copilot/ holds no manifest.yml" in result.stderr
    assert tree(here) == {}


def test_the_copilot_folder_itself_works(here: Path) -> None:
    result = scaffold_import(str(MINIMAL / "copilot"), "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == run_import(MINIMAL).spec


def test_the_default_path_is_the_current_folder(here: Path) -> None:
    shutil.copytree(MINIMAL / "copilot", here / "copilot")
    result = scaffold_import("-o", "-")
    assert result.exit_code == 0, result.output
    assert "name: shop\n" in result.stdout


@pytest.mark.parametrize("account", ["12345", "abcdefghijkl", "1234567890123", "", "12345678901x"])
def test_a_malformed_account_is_refused_with_exit_2(here: Path, account: str) -> None:
    result = scaffold_import(str(MINIMAL), "--account", account)
    assert result.exit_code == 2, result.output
    assert "is not an AWS account id" in result.stderr
    assert tree(here) == {}


def test_an_unknown_region_is_refused_with_exit_2(here: Path) -> None:
    result = scaffold_import(str(MINIMAL), "--region", "mars-north-1")
    assert result.exit_code == 2, result.output
    assert "--region 'mars-north-1' is not an AWS region scaffold knows" in result.stderr
    from_env = runner.invoke(app, ["import", "copilot", str(MINIMAL)],
                             env={"AWS_REGION": "moon-1", "AWS_DEFAULT_REGION": None})
    assert from_env.exit_code == 2, from_env.output
    assert "$AWS_REGION 'moon-1' is not an AWS region" in from_env.stderr
    assert tree(here) == {}


def test_the_region_comes_from_the_environment_else_us_east_1(here: Path) -> None:
    result = runner.invoke(app, ["import", "copilot", str(MINIMAL), "-o", "-"],
                           env={"AWS_REGION": None, "AWS_DEFAULT_REGION": "eu-central-1"})
    assert result.exit_code == 0, result.output
    assert "\nregion: eu-central-1\n" in result.stdout
    result = runner.invoke(app, ["import", "copilot", str(MINIMAL), "-o", "-"],
                           env={"AWS_REGION": None, "AWS_DEFAULT_REGION": None})
    assert result.exit_code == 0, result.output
    assert "\nregion: us-east-1\n" in result.stdout


def test_nothing_importable_still_writes_the_spec_and_warns(here: Path) -> None:
    result = scaffold_import(str(STATIC_ONLY), "--report", "MIGRATION.md")
    assert result.exit_code == 0, result.output
    assert "warning: no Copilot service or job could be imported" in result.stderr
    assert "# Migration report" in result.stdout  # says what was found and why it was left out
    assert "copilot/site/manifest.yml" in result.stdout
    assert set(tree(here)) == {"scaffold.yaml", "MIGRATION.md"}
    spec = (here / "scaffold.yaml").read_text(encoding="utf-8")
    assert "components: {}" in spec
    check = runner.invoke(app, ["validate", "-f", str(here / "scaffold.yaml")])
    assert check.exit_code == 0, check.output


def test_an_importer_bug_exits_1_without_a_traceback(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(copilot_importer, "STEPS", (broken,))
    result = scaffold_import(str(MINIMAL))
    assert result.exit_code == 1, result.output
    assert "KeyError: 'boom'" in result.stderr and "this is a bug in scaffold import" in result.stderr
    assert "Traceback" not in result.output
    assert tree(here) == {}


def test_help_teaches_with_examples() -> None:
    result = runner.invoke(app, ["import", "copilot", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # as wrapped at any width
    for fragment in ("Examples: scaffold import copilot |", "scaffold import copilot ../shop -o scaffold.yaml "
                     "--report MIGRATION.md --region eu-west-1 --account 123456789012",
                     "-o - > scaffold.yaml 2> MIGRATION.md", "never overwritten", "copilot/.workspace",
                     "prod/production: production", "scaffold validate"):
        assert fragment in text, fragment
    group = runner.invoke(app, ["import", "--help"])
    assert group.exit_code == 0 and "copilot" in group.stdout
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "import" in top.stdout


def _imports_after(argv: list[str], cwd: Path) -> set[str]:
    code = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    return set(proc.stderr.split())


@pytest.mark.parametrize("argv", [["import", "copilot", "--help"],
                                  ["import", "copilot", str(MINIMAL), "-o", "-", "--region", REGION]])
def test_the_command_does_not_import_pulumi(argv: list[str], tmp_path: Path) -> None:
    modules = _imports_after(argv, tmp_path)
    assert "typer" in modules  # the probe works
    assert not {m for m in modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_aws", "stacks.program",
                                                                      "blueprints.aws"))}


def _printed_variables(stderr: str) -> dict[str, str]:
    """The variables the command asks to set: ``  NAME: why (e.g. EXAMPLE)`` lines."""
    return dict(re.findall(r"^  ([A-Z_][A-Z0-9_]*): .* \(e\.g\. (.+)\)$", stderr, re.M))


def test_the_written_spec_validates_once_the_printed_variables_are_set(here: Path) -> None:
    # Without --account the spec reads ${AWS_ACCOUNT_ID}; image.build makes it read an image tag.
    result = scaffold_import(str(MINIMAL), account=None, env={"AWS_ACCOUNT_ID": None})
    assert result.exit_code == 0, result.output
    variables = _printed_variables(result.stderr)
    assert "AWS_ACCOUNT_ID" in variables, result.stderr
    for name in variables:
        assert "${" + name + "}" in (here / "scaffold.yaml").read_text()
    unset = {name: None for name in variables}
    before = runner.invoke(app, ["validate"], env=unset)
    assert before.exit_code == 2, before.output  # the variables are needed ...
    after = runner.invoke(app, ["validate"], env=variables)
    assert after.exit_code == 0, after.output  # ... and enough
    planned = runner.invoke(app, ["plan", "--all", "--json"], env={**variables, "SCAFFOLD_NOW": NOW})
    assert planned.exit_code == 0, planned.output
    assert list(json.loads(planned.stdout)["environments"]) == ["prod", "test"]


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8, 1.1, 1.5])
def test_a_real_ctrl_c_leaves_both_files_or_none(delay: float, tmp_path: Path) -> None:
    """SIGINT to a real process at some point of its run: it ends promptly, without a traceback,
    and leaves both files complete or nothing (no temporary file either)."""
    import signal
    import time

    workspace = CORPUS / "nhsuk--manage-vaccinations-in-schools"  # the largest: 8 environments, addons
    if not workspace.is_dir():
        workspace = MINIMAL
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "import", "copilot", str(workspace), "-o", "out/scaffold.yaml",
         "--report", "MIGRATION.md", "--region", REGION, "--account", ACCOUNT],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("scaffold import copilot did not end within 20 s of Ctrl-C")
    startup = stderr.startswith(b"Fatal Python error: init_import_site")  # CPython's own start-up
    assert startup or b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert proc.returncode in (0, 130, -signal.SIGINT) or startup, (proc.returncode, stderr.decode()[-2000:])
    files = sorted(tree(tmp_path))
    if proc.returncode == 0 or files:  # a Ctrl-C after the writes (at the last messages) leaves both
        assert files == ["MIGRATION.md", "out/scaffold.yaml"], files
        assert (tmp_path / "out/scaffold.yaml").read_text() == run_import(workspace).spec
    else:
        assert not (tmp_path / "out").exists()
