"""File writes of ``new``, ``generate`` and ``schema -o``: atomic, locked, refused cleanly.

Races run real processes (``python -m scaffold``) against one target. Refusals
assert exit 2, a message naming the path and the reason, no traceback and an
untouched tree. We run as root, so a read-only folder cannot be made with
``chmod``: the OS error is injected instead.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from scaffold.cli import app
from stacks.generate import MANIFEST_NAME

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "examples" / "shop.yaml"
NEW_FILES = [".github/workflows/scaffold.yml", ".gitignore", "README.md", "scaffold.schema.json",
             "scaffold.yaml"]
runner = CliRunner()


def tree(root: Path) -> dict[str, Any]:
    """Every entry under ``root``: files -> bytes, folders -> ``"dir"``, links -> ``"-> target"``."""
    found: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[rel] = "dir"
        else:
            found[rel] = path.read_bytes()
    return found


#: Imports everything first, then waits for a common start time: the runs really overlap.
LOCKSTEP = """
import sys, time
import scaffold.cli, scaffold.project, scaffold.spec, stacks.generate, cookiecutter.main, jinja2
start = float(sys.argv[1])
sys.argv = ["scaffold", *sys.argv[2:]]
time.sleep(max(0.0, start - time.time()))
scaffold.cli.main()
"""


def scaffold(*args: str, cwd: Path, start: float | None = None) -> subprocess.Popen[str]:
    """``scaffold ARGS`` in a process; with ``start``, the command begins at that time (time.time())."""
    argv = ["-m", "scaffold", *args] if start is None else ["-c", LOCKSTEP, str(start), *args]
    return subprocess.Popen([sys.executable, *argv], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out + err))
    return results


# -- races ------------------------------------------------------------------------------


def test_concurrent_new_into_one_folder_exactly_one_wins(tmp_path: Path) -> None:
    start = time.time() + 6
    procs = [scaffold("new", "shop", "--dir", "shop", "--no-input", cwd=tmp_path, start=start) for _ in range(5)]
    results = finish(procs)

    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2, 2], results
    for code, output in results:
        assert "Traceback" not in output
        if code == 2:
            assert "shop is not empty; nothing was written" in output, output
    files = sorted(str(p.relative_to(tmp_path / "shop")) for p in (tmp_path / "shop").rglob("*") if p.is_file())
    assert files == NEW_FILES  # no .github/.github, no file of a second run
    assert [p.name for p in tmp_path.iterdir()] == ["shop"]  # no staging folder, no lock file left


def test_concurrent_new_into_one_existing_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    start = time.time() + 6
    results = finish([scaffold("new", "shop", "--dir", "shop", "--no-input", cwd=tmp_path, start=start)
                      for _ in range(4)])

    assert sorted(code for code, _ in results) == [0, 2, 2, 2], results
    assert not any("Traceback" in output for _, output in results)
    files = sorted(str(p.relative_to(tmp_path / "shop")) for p in (tmp_path / "shop").rglob("*") if p.is_file())
    assert files == NEW_FILES
    assert [p.name for p in tmp_path.iterdir()] == ["shop"]


def test_concurrent_generate_of_two_environments_keeps_both(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    envs = ["dev", "prod", "dev", "prod", "dev", "prod"]
    start = time.time() + 6
    results = finish([scaffold("generate", "-f", str(SHOP), "-e", env, "--out", str(out), cwd=tmp_path,
                               start=start) for env in envs])

    assert [code for code, _ in results] == [0] * len(envs), results
    assert not any("Traceback" in output or "refusing" in output for _, output in results)
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert set(manifest["environments"]) == {"dev", "prod"}
    assert {"Pulumi.dev.yaml", "Pulumi.prod.yaml"} <= set(manifest["files"])
    assert not [p.name for p in out.rglob("*") if p.name.startswith(".scaffold-tmp-") or p.name.endswith(".lock")]
    for env in ("dev", "prod"):  # nothing refused, nothing to rewrite: every file is scaffold's own
        again = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", env, "--out", str(out)])
        assert again.exit_code == 0 and "up to date" in again.stdout, again.output


def read_until(proc: subprocess.Popen[Any], text: bytes, seconds: float = 60) -> bytes:
    """What ``proc`` printed on stderr until ``text`` appeared (or it ended, or ``seconds`` passed)."""
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + seconds
    while text not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    return seen


def test_a_held_lock_makes_generate_wait_then_write(tmp_path: Path) -> None:
    from scaffold.files import LOCK_NAME, exclusive_lock

    out = tmp_path / "infra"
    out.mkdir()
    with exclusive_lock(out / LOCK_NAME, what=out, hint=""):
        proc = scaffold("generate", "-f", str(SHOP), "-e", "dev", "--out", str(out), cwd=tmp_path)
        seen = read_until(proc, b"waiting for another scaffold run on")
        assert b"waiting for another scaffold run on" in seen, seen
        time.sleep(0.5)
        assert proc.poll() is None and list(out.iterdir()) == [out / LOCK_NAME]  # waiting, nothing written
    [(code, output)] = finish([proc])
    assert code == 0, output
    assert (out / MANIFEST_NAME).exists() and not (out / LOCK_NAME).exists()


def test_a_lock_held_too_long_is_refused_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scaffold.files import LOCK_NAME, exclusive_lock

    out = tmp_path / "infra"
    out.mkdir()
    monkeypatch.setattr("scaffold.files.LOCK_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr("stacks.generate.exclusive_lock",
                        lambda *a, **k: exclusive_lock(*a, **{**k, "timeout": 0.3}))
    with exclusive_lock(out / LOCK_NAME, what=out, hint=""):
        result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "in use by another scaffold run" in result.stderr and "waiting for another" in result.stderr
    assert list(out.iterdir()) == []


def test_a_lock_file_left_by_a_killed_run_is_no_lock(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    out.mkdir()
    (out / ".scaffold.lock").write_text("")
    result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / ".scaffold.lock").exists()


# -- targets that cannot be written ------------------------------------------------------


def setup_blockers(root: Path) -> None:
    (root / "notes.txt").write_text("mine\n")
    (root / "dangling").symlink_to(root / "missing" / "target")
    (root / "folder").mkdir()


CASES = [
    # new
    (["new", "shop", "--no-input", "--dir", "notes.txt/shop"], "notes.txt is a file, not a folder"),
    (["new", "shop", "--no-input", "--dir", "notes.txt/a/b"], "notes.txt is a file, not a folder"),
    (["new", "shop", "--no-input", "--dir", "dangling"], "dangling symbolic link"),
    (["new", "shop", "--no-input", "--dir", "notes.txt"], "exists and is not a folder"),
    # generate
    (["generate", "-f", str(SHOP), "-e", "dev", "--out", "notes.txt/infra"], "notes.txt is a file, not a folder"),
    (["generate", "-f", str(SHOP), "-e", "dev", "--out", "notes.txt"], "notes.txt is a file, not a folder"),
    (["generate", "-f", str(SHOP), "-e", "dev", "--out", "dangling"], "dangling symbolic link"),
    # schema -o
    (["schema", "-o", "notes.txt/schema.json"], "notes.txt is a file, not a folder"),
    (["schema", "-o", "folder"], "folder: it is a folder, not a file"),
    (["schema", "-o", "folder", "--force"], "folder: it is a folder, not a file"),
    (["schema", "-o", "dangling"], "dangling symbolic link"),
    (["schema", "-o", "dangling", "--force"], "dangling symbolic link"),
    (["schema", "-o", "missing/schema.json", "--force"], None),  # a new folder is fine: exit 0
]


@pytest.mark.parametrize(("argv", "reason"), CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_unwritable_targets_are_refused_with_exit_2_and_no_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], reason: str | None) -> None:
    setup_blockers(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)

    result = runner.invoke(app, argv)

    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if reason is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert reason in result.stderr, result.stderr
    assert "error: cannot write" in result.stderr or "exists and is not a folder" in result.stderr
    assert "hint: " in result.stderr
    assert tree(tmp_path) == before


def test_a_folder_or_dangling_link_where_generate_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    assert runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)]).exit_code == 0
    (out / "README.md").unlink()
    (out / "README.md").mkdir()
    (out / "Pulumi.prod.yaml").symlink_to(tmp_path / "nowhere.yaml")
    before = tree(tmp_path)

    for force in ([], ["--force"]):
        result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out), *force])
        assert result.exit_code == 2 and "README.md: it is a folder, not a file" in result.stderr, result.output
        prod = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "prod", "--out", str(out), *force])
        assert prod.exit_code == 2 and "Pulumi.prod.yaml: it is a dangling symbolic link" in prod.stderr
        assert tree(tmp_path) == before


@pytest.mark.parametrize("command", ["new", "generate", "schema"])
def test_a_read_only_folder_is_refused_with_exit_2(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    # As root, chmod cannot make a folder read-only: the OS refuses every new file instead.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "ro"))

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr("scaffold.files.tempfile.mkstemp", refuse)
    monkeypatch.setattr("scaffold.project.tempfile.mkdtemp", refuse)
    real_open = os.open
    monkeypatch.setattr("scaffold.files.os.open",
                        lambda path, *a, **k: refuse() if str(path).startswith(str(tmp_path)) else real_open(path, *a, **k))
    argv = {"new": ["new", "shop", "--no-input", "--dir", str(tmp_path / "ro" / "shop")],
            "generate": ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(tmp_path / "ro")],
            "schema": ["schema", "-o", str(tmp_path / "ro" / "schema.json")]}[command]

    result = runner.invoke(app, argv)

    assert result.exit_code == 2, result.output
    assert "permission denied" in result.stderr and str(tmp_path / "ro") in result.stderr
    assert "Traceback" not in result.output
    assert list((tmp_path / "ro").iterdir()) == []


def test_a_write_failing_midway_leaves_every_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "infra"
    assert runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)]).exit_code == 0
    before = tree(tmp_path)
    calls = []
    real_fsync = os.fsync

    def disk_full_on_third(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr("scaffold.files.os.fsync", disk_full_on_third)
    result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "prod", "--out", str(out)])

    assert len(calls) == 3
    assert result.exit_code == 2, result.output
    assert "no space left on the device" in result.stderr
    assert tree(tmp_path) == before  # no new file, no temporary file, the manifest as it was


# -- the manifest -----------------------------------------------------------------------


def valid_manifest(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / MANIFEST_NAME).read_text()))


BAD_MANIFESTS = [
    ("not json", "{files: ", "it is not JSON (line 1"),
    ("a list", "[]", "expected a JSON object, found list"),
    ("foreign", json.dumps({"files": {}}), "'generator' is not 'scaffold <version>'"),
    ("files not an object", None, "'files' is not an object"),
    ("digest not hex", None, "files.Pulumi.yaml is not a sha256 digest"),
    ("environment shape", None, "environments.dev is not"),
    ("unknown key", None, "unknown key 'extra'"),
    ("binary", b"\xff\xfe\x00", "it is not UTF-8 text"),
]


def corrupt(manifest: dict[str, Any], case: str) -> dict[str, Any]:
    if case == "files not an object":
        manifest["files"] = ["Pulumi.yaml"]
    elif case == "digest not hex":
        manifest["files"]["Pulumi.yaml"] = 42
    elif case == "environment shape":
        manifest["environments"]["dev"] = "shop"
    elif case == "unknown key":
        manifest["extra"] = 1
    return manifest


@pytest.mark.parametrize(("case", "content", "reason"), BAD_MANIFESTS, ids=[c[0] for c in BAD_MANIFESTS])
def test_a_corrupt_or_foreign_manifest_is_refused_unless_force(
        tmp_path: Path, case: str, content: str | bytes | None, reason: str) -> None:
    out = tmp_path / "infra"
    assert runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)]).exit_code == 0
    path = out / MANIFEST_NAME
    if content is None:
        path.write_text(json.dumps(corrupt(valid_manifest(out), case)))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    before = tree(tmp_path)

    for env in ("dev", "prod"):
        refused = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", env, "--out", str(out)])
        assert refused.exit_code == 2, refused.output
        assert f"{path} is not a scaffold generate manifest: {reason}" in refused.stderr, refused.stderr
        assert "--force" in refused.stderr and "Traceback" not in refused.output
        assert tree(tmp_path) == before

    forced = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    rewritten = valid_manifest(out)  # whole: scaffold's shape, nothing of the old one kept
    assert set(rewritten) == {"generator", "environments", "files", "config_digests"}
    assert rewritten["environments"] == {"dev": {"project": "shop", "backend": None}}
    assert runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)]).exit_code == 0


def test_a_folder_where_the_manifest_goes_is_refused_even_with_force(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    (out / MANIFEST_NAME).mkdir(parents=True)
    before = tree(tmp_path)
    for force in ([], ["--force"]):
        result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out), *force])
        assert result.exit_code == 2, result.output
        assert "is a folder, not a file" in result.stderr and "Traceback" not in result.output
        assert tree(tmp_path) == before


# -- Ctrl-C at a prompt -------------------------------------------------------------------


def abort_from(error: BaseException) -> typer.Abort:
    """What typer's prompt raises when reading the answer raised ``error``."""
    try:
        try:
            raise error
        except BaseException:
            raise typer.Abort() from None  # as typer's prompt does: the context stays set
    except typer.Abort as abort:
        return abort


@pytest.mark.parametrize("raised", [KeyboardInterrupt(), abort_from(KeyboardInterrupt())],
                         ids=["interrupt", "abort-after-interrupt"])
def test_ctrl_c_at_a_new_prompt_exits_130(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: BaseException) -> None:
    def interrupt(*args: Any, **kwargs: Any) -> str:
        raise raised

    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("typer.prompt", interrupt)
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop")])
    assert result.exit_code == 130, result.output
    assert "interrupted; nothing was written" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_at_a_new_prompt_is_not_an_interrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def eof(*args: Any, **kwargs: Any) -> str:
        raise abort_from(EOFError())

    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("typer.prompt", eof)
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop")])
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_sigint_at_a_new_prompt_on_a_terminal_exits_130(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "scaffold", "new", "shop"], cwd=tmp_path, stdin=follower,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(follower)
    try:
        seen = read_until(proc, b"AWS region")
        assert b"AWS region" in seen, seen
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=30)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, seen + rest
    assert b"Traceback" not in seen + rest and b"interrupted" in rest
    assert list(tmp_path.iterdir()) == []


def test_a_manifest_of_an_earlier_scaffold_without_config_digests_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    assert runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "dev", "--out", str(out)]).exit_code == 0
    manifest = valid_manifest(out)
    del manifest["config_digests"]
    (out / MANIFEST_NAME).write_text(json.dumps(manifest))
    result = runner.invoke(app, ["generate", "-f", str(SHOP), "-e", "prod", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert set(valid_manifest(out)["environments"]) == {"dev", "prod"}


def test_schema_output_through_a_symbolic_link_writes_the_linked_file(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n")
    (tmp_path / "link.json").symlink_to(real)
    assert runner.invoke(app, ["schema", "-o", str(tmp_path / "link.json")]).exit_code == 2  # exists
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "link.json"), "--force"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(real.read_text())["title"] == "scaffold.yaml"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]  # no temporary file
