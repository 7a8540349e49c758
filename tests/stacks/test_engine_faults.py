"""Fault injection for the engine layer: a broken ``pulumi``, output the Automation API
cannot read, operations without a summary, failures that print nothing, signals during a
run, secret outputs and backend URLs with credentials.

Two seams: ``RecordingPulumiCommand`` (tests/stacks/pulumi_double.py) for scripted CLI
results, and a fake ``pulumi`` executable on PATH (a small Python script) where the real
process handling of ``stacks.engine_command.EngineCommand`` is under test: ``pulumi
version``, signal forwarding, escalation to SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import scaffold.spec
import stacks.engine_command as engine_command
from scaffold import stack_commands
from scaffold.errors import OperationError, PrerequisiteError, ScaffoldError, UsageError
from scaffold.exit_codes import ExitStatus
from stacks import deploy
from stacks.deploy import StackRunner, resolve_backend, work_dir_name
from stacks.engine_errors import redact, url_secrets
from tests.stacks.pulumi_double import RecordingPulumiCommand, failure, hang, ok
from tests.stacks.targets import blueprint, target_for

CREDENTIAL_BACKENDS = [
    ("s3://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY@shop-state/prefix",
     ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"]),
    ("https://deployer:hunter2-long@state.example.com/pulumi", ["deployer", "hunter2-long"]),
    ("azblob://state?sig=Zm9vYmFyYmF6cXV4&sv=2020", ["Zm9vYmFyYmF6cXV4"]),
]


def runner(spec: Path, fake: RecordingPulumiCommand | None, **overrides: Any) -> StackRunner:
    return StackRunner(target_for(spec, **overrides), lambda: None, pulumi_command=fake)


def assert_clean_exit_1(error: ScaffoldError) -> None:
    assert type(error) is OperationError
    assert error.exit_status == ExitStatus.OPERATION_FAILED == 1
    assert error.hint
    assert "see output above" not in error.message


# -- a fake `pulumi` executable ---------------------------------------------------------

FAKE_PULUMI = textwrap.dedent('''\
    #!{python}
    import os, signal, sys, time
    log = {log!r}
    args = [a for a in sys.argv[1:] if a != "--non-interactive"]
    def note(text):
        with open(log, "a") as f:
            f.write(text + "\\n")
    note(" ".join(args[:2]))
    behaviour = {behaviour!r}
    if args[0] == "version":
        if behaviour == "version-fails":
            sys.stderr.write("loading plugins\\npanic: runtime error: invalid memory address\\n")
            sys.exit(2)
        if behaviour == "version-garbage":
            print("<html>captive portal</html>")
            sys.exit(0)
        if behaviour == "version-hangs":
            time.sleep(60)
        if behaviour == "version-old":
            print("v2.30.0")
            sys.exit(0)
        print("v3.272.0")
        sys.exit(0)
    if args[0] == "up":
        def on_signal(signum, frame):
            note("got " + signal.Signals(signum).name)
            if behaviour != "up-ignores-signals":
                sys.exit(255)
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        note("up started")
        for _ in range(600):
            time.sleep(0.1)
        sys.exit(0)
    if args[:2] == ["stack", "output"] or args[:2] == ["stack", "history"]:
        print("[]" if args[1] == "history" else "{{}}")
    sys.exit(0)
    ''')


def install_fake_pulumi(directory: Path, behaviour: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a fake ``pulumi`` first on PATH; returns the log of its invocations."""
    bin_dir = directory / "fake-bin"
    bin_dir.mkdir()
    log = directory / "pulumi.log"
    script = bin_dir / "pulumi"
    script.write_text(FAKE_PULUMI.format(python=sys.executable, log=str(log), behaviour=behaviour))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def logged(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


# -- `pulumi version` ---------------------------------------------------------------------


def test_failing_pulumi_version_is_exit_1_with_its_stderr(spec, tmp_path, monkeypatch) -> None:
    install_fake_pulumi(tmp_path, "version-fails", monkeypatch)
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, None).preview()
    assert_clean_exit_1(caught.value)
    assert caught.value.message == ("`pulumi version` failed (exit 2): loading plugins | panic: "
                                    "runtime error: invalid memory address")
    assert "reinstall it from https://www.pulumi.com/docs/iac/download-install/" in caught.value.hint


def test_pulumi_version_printing_garbage_is_exit_1(spec, tmp_path, monkeypatch) -> None:
    install_fake_pulumi(tmp_path, "version-garbage", monkeypatch)
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, None).preview()
    assert_clean_exit_1(caught.value)
    assert "printed '<html>captive portal</html>', not a version" in caught.value.message


def test_hanging_pulumi_version_times_out(spec, tmp_path, monkeypatch) -> None:
    install_fake_pulumi(tmp_path, "version-hangs", monkeypatch)
    monkeypatch.setattr(engine_command, "VERSION_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, None).preview()
    assert time.monotonic() - started < 10
    assert_clean_exit_1(caught.value)
    assert "did not answer within 0.5 s" in caught.value.message


def test_too_old_pulumi_is_exit_3(spec, tmp_path, monkeypatch) -> None:
    install_fake_pulumi(tmp_path, "version-old", monkeypatch)
    with pytest.raises(PrerequisiteError, match=r"too old: 2\.30\.0"):
        runner(spec, None).preview()


def test_failing_pulumi_version_through_the_cli(tmp_path, monkeypatch) -> None:
    install_fake_pulumi(tmp_path, "version-fails", monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    for name in ("CI", "PULUMI_BACKEND_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(scaffold.spec, "load_blueprint", lambda path, env: blueprint())
    result = CliRunner().invoke(cli_app(), ["outputs", "-e", "dev"])
    assert result.exit_code == 1
    assert "error: `pulumi version` failed (exit 2): loading plugins | panic:" in result.stderr
    assert "hint: check the pulumi installation" in result.stderr
    assert "Traceback" not in result.output


def cli_app() -> typer.Typer:
    application = typer.Typer()
    application.command("version")(lambda: None)
    stack_commands.register(application)
    return application


# -- output the Automation API cannot read ------------------------------------------------


def test_preview_without_a_summary_event_is_exit_1(spec) -> None:
    fake = RecordingPulumiCommand(summary=False)
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).preview()
    assert_clean_exit_1(caught.value)
    assert caught.value.message.startswith("unexpected output from pulumi on stack 'dev' after "
                                           "`pulumi preview --client=127.0.0.1:")
    assert caught.value.message.endswith("`: the operation ended without a summary of its "
                                         "changes; it printed nothing on stderr")


def test_up_without_any_history_entry_is_exit_1(spec) -> None:
    fake = RecordingPulumiCommand(script={("stack", "history"): ok("[]")})
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).up()
    assert_clean_exit_1(caught.value)
    assert "after `pulumi stack history --json`: the operation ended without a summary" in (
        caught.value.message)


@pytest.mark.parametrize(("argv", "stdout"), [
    (("stack", "output"), "{not json"),
    (("stack", "history"), "<html>502 Bad Gateway</html>"),
    (("stack", "history"), '[{"kind": "update"}]'),
])
def test_unparsable_output_is_exit_1_with_the_stderr_tail(spec, argv, stdout) -> None:
    stderr = "warning: A new version of Pulumi is available\nwarning: backend slow to answer"
    fake = RecordingPulumiCommand(script={argv: ok(stdout, stderr)})
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).up()
    assert_clean_exit_1(caught.value)
    assert caught.value.message.startswith(
        f"unexpected output from pulumi on stack 'dev' after `pulumi {' '.join(argv)} --json`: ")
    assert caught.value.message.endswith(
        "its stderr ended with: warning: A new version of Pulumi is available | warning: backend "
        "slow to answer")
    assert "PULUMI_DEBUG_COMMANDS=true" in caught.value.hint


def test_a_bug_in_scaffold_is_still_not_disguised(spec) -> None:
    fake = RecordingPulumiCommand(script={("up",): KeyError("bug")})
    with pytest.raises(KeyError):
        runner(spec, fake).up()


@pytest.mark.parametrize(("stdout", "stderr", "expected"), [
    ("", "", "pulumi failed on stack 'dev' (exit 255) and printed nothing"),
    ("", "panic: boom\n\ngoroutine 1 [running]:\nmain.main()",
     "pulumi failed on stack 'dev' (exit 255); its output ended with: panic: boom | goroutine 1 "
     "[running]: | main.main()"),
    ("Updating (dev):\n  resources: 3 unchanged", "",
     "its output ended with: Updating (dev): | resources: 3 unchanged"),
])
def test_failure_without_an_error_line_quotes_what_was_printed(spec, stdout, stderr,
                                                                expected) -> None:
    fake = RecordingPulumiCommand(script={("up",): failure(stderr, stdout=stdout)})
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).up()
    assert_clean_exit_1(caught.value)
    assert expected in caught.value.message


def test_long_output_is_cut_to_its_last_lines(spec) -> None:
    stderr = "\n".join(f"line {i}" for i in range(1000))
    fake = RecordingPulumiCommand(script={("up",): failure(stderr)})
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).up()
    assert caught.value.message.endswith("line 995 | line 996 | line 997 | line 998 | line 999")
    assert "line 994" not in caught.value.message


# -- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "secrets"), CREDENTIAL_BACKENDS)
def test_backend_credentials_never_reach_pulumi_yaml(spec, url, secrets) -> None:
    fake = RecordingPulumiCommand()
    r = runner(spec, fake, backend=url)
    r.up()
    project = (r.target.work_dir / "Pulumi.yaml").read_text()
    assert "backend:" not in project and "url:" not in project
    for secret in secrets:
        assert secret not in project
        assert secret not in repr(r.target)
    assert {c.env["PULUMI_BACKEND_URL"] for c in fake.calls} == {url}


@pytest.mark.parametrize(("url", "secrets"), CREDENTIAL_BACKENDS)
def test_backend_credentials_are_redacted_in_errors(spec, url, secrets) -> None:
    from urllib.parse import quote

    echoed = failure(f"error: could not open {url}: 403 for key {secrets[-1]} "
                     f"({quote(secrets[-1], safe='')})")
    for raised in (failure("error: no stack named 'dev' found"), echoed):
        fake = RecordingPulumiCommand(script={("stack", "select"): raised})
        with pytest.raises(ScaffoldError) as caught:
            runner(spec, fake, backend=url).outputs()
        text = caught.value.message + caught.value.hint
        for secret in secrets:
            assert secret not in text
        assert "***" in text


def test_backend_without_credentials_still_goes_into_pulumi_yaml(spec) -> None:
    r = runner(spec, RecordingPulumiCommand(), backend="s3://shop-state/prefix?region=eu-west-1")
    r.preview()
    assert "url: s3://shop-state/prefix?region=eu-west-1" in (
        r.target.work_dir / "Pulumi.yaml").read_text()


def test_redact() -> None:
    assert redact("s3://K:S@b/x and https://u:p@h/") == "s3://***@b/x and https://***@h/"
    assert redact("azblob://c?sig=abc&sv=1") == "azblob://c?sig=***&sv=1"
    assert redact("s3://bucket?region=eu-west-1") == "s3://bucket?region=eu-west-1"
    assert redact("user wJalrXUtnFEMI here", ["wJalrXUtnFEMI"]) == "user *** here"
    assert set(url_secrets("s3://a%2Fb:c%40d@bucket")) == {"a%2Fb:c%40d", "a/b:c@d", "a%2Fb",
                                                         "a/b", "c%40d", "c@d"}


def test_deploy_masks_secret_outputs_unless_show_secrets(tmp_path, monkeypatch) -> None:
    fake = RecordingPulumiCommand(outputs={"queue_url": "https://sqs/jobs",
                                           "db_password": "s3cret-value"},
                                  secret_outputs=frozenset({"db_password"}))
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    for name in ("CI", "PULUMI_BACKEND_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(scaffold.spec, "load_blueprint", lambda path, env: blueprint())
    import stacks.program as program_mod

    monkeypatch.setattr(program_mod, "build_program", lambda bp: lambda: None)
    masked = CliRunner().invoke(cli_app(), ["deploy", "-e", "dev", "--yes"])
    assert masked.exit_code == 0, masked.output
    assert "db_password = [secret]" in masked.stdout.splitlines()
    assert "queue_url = https://sqs/jobs" in masked.stdout.splitlines()
    assert "s3cret-value" not in masked.output
    shown = CliRunner().invoke(cli_app(), ["deploy", "-e", "dev", "--yes", "--show-secrets"])
    assert shown.exit_code == 0, shown.output
    assert "db_password = s3cret-value" in shown.stdout.splitlines()


# -- CI -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ci", ["true", "True", "1", "yes", "YES", "on", "On", " on "])
def test_ci_truthy_values_refuse_local_state(tmp_path, ci) -> None:
    with pytest.raises(UsageError, match="on a CI runner"):
        resolve_backend(None, tmp_path, environ={"CI": ci})


@pytest.mark.parametrize("ci", ["", "false", "0", "no", "off", "OFF"])
def test_ci_falsy_values_allow_local_state(tmp_path, ci) -> None:
    assert resolve_backend(None, tmp_path, environ={"CI": ci}).startswith("file://")


# -- work directories -----------------------------------------------------------------------


def test_two_spec_files_in_one_folder_get_their_own_work_dirs(tmp_path) -> None:
    default = tmp_path / "scaffold.yaml"
    other = tmp_path / "billing.yaml"
    for path in (default, other):
        path.write_text("name: shop\n")
    first = target_for(default)
    second = target_for(other)
    assert first.work_dir == tmp_path / ".scaffold" / "dev"  # unchanged for the default spec
    assert second.work_dir == tmp_path / ".scaffold" / "dev@billing.yaml"
    fake = RecordingPulumiCommand()
    StackRunner(second, lambda: None, pulumi_command=fake).preview()
    assert {c.cwd for c in fake.calls} == {str(second.work_dir)}


def test_work_dir_names_are_distinct_and_safe() -> None:
    assert work_dir_name("scaffold.yaml", "prod") == "prod"
    assert work_dir_name("scaffold.yml", "prod") == "prod@scaffold.yml"
    odd = work_dir_name("my spec ü.yaml", "prod")
    assert odd.startswith("prod@my_spec__.yaml-") and len(odd) == len("prod@my_spec__.yaml-") + 8
    assert odd != work_dir_name("my_spec_?.yaml", "prod")


# -- signals during an engine run -------------------------------------------------------------


def signal_soon(started: threading.Event, signum: int, delay: float = 0.2) -> threading.Thread:
    """Send ``signum`` to this process once ``started`` is set (the hang is under way)."""
    def send() -> None:
        if started.wait(20):
            time.sleep(delay)
            os.kill(os.getpid(), signum)
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(("signum", "status", "by"), [
    (signal.SIGINT, ExitStatus.INTERRUPTED, "Ctrl-C"),
    (signal.SIGTERM, ExitStatus.TERMINATED, "SIGTERM"),
])
def test_signal_during_a_hanging_up_cancels_promptly(spec, signum, status, by) -> None:
    started, release = threading.Event(), threading.Event()

    def hanging(argv: list[str]) -> Any:
        started.set()
        return hang(release, 30)(argv)

    fake = RecordingPulumiCommand(script={("up",): hanging})
    signal_soon(started, signum)
    began = time.monotonic()
    try:
        with pytest.raises(OperationError) as caught:
            runner(spec, fake).up()
    finally:
        release.set()
    assert time.monotonic() - began < 5
    assert caught.value.exit_status == status
    assert caught.value.message == f"interrupted ({by}): cancelled the update of stack 'dev'"
    assert fake.argvs[-1] == ["cancel", "--yes", "--stack", "dev"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_signal_during_preview_does_not_cancel(spec) -> None:
    started, release = threading.Event(), threading.Event()

    def hanging(argv: list[str]) -> Any:
        started.set()
        return hang(release, 30)(argv)

    fake = RecordingPulumiCommand(script={("preview",): hanging})
    signal_soon(started, signal.SIGINT)
    try:
        with pytest.raises(OperationError) as caught:
            runner(spec, fake).preview()
    finally:
        release.set()
    assert caught.value.exit_status == 130
    assert caught.value.message == "interrupted (Ctrl-C): stopped the preview of stack 'dev'"
    assert ["cancel", "--yes", "--stack", "dev"] not in fake.argvs


@pytest.mark.parametrize(("behaviour", "grace", "expected"), [
    ("up-honours-signals", 10.0, ["got SIGINT"]),
    ("up-ignores-signals", 0.3, ["got SIGINT", "got SIGINT"]),
])
def test_sigint_is_forwarded_to_the_engine_then_escalated(spec, tmp_path, monkeypatch, behaviour,
                                                          grace, expected) -> None:
    log = install_fake_pulumi(tmp_path, behaviour, monkeypatch)
    monkeypatch.setattr(engine_command, "CANCEL_GRACE", grace)
    monkeypatch.setattr(engine_command, "KILL_AFTER", 0.5)
    started = threading.Event()

    def watch() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "up started" not in logged(log):
            time.sleep(0.05)
        started.set()

    threading.Thread(target=watch, daemon=True).start()
    signal_soon(started, signal.SIGINT)
    began = time.monotonic()
    with pytest.raises(OperationError) as caught:
        runner(spec, None).up()
    assert time.monotonic() - began < 15
    assert caught.value.exit_status == 130
    lines = logged(log)
    assert [line for line in lines if line.startswith("got ")] == expected
    assert lines[-1] == "cancel --yes"  # `pulumi cancel` after the engine stopped
    assert "up started" in lines


def test_cli_never_prints_or_stores_backend_credentials(tmp_path, monkeypatch) -> None:
    url, secrets = CREDENTIAL_BACKENDS[0]
    fake = RecordingPulumiCommand(script={("stack", "select"): failure(
        f"error: failed to load checkpoint from {url}: AccessDenied")})
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    monkeypatch.setenv("PULUMI_BACKEND_URL", url)
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(scaffold.spec, "load_blueprint", lambda path, env: blueprint())
    result = CliRunner().invoke(cli_app(), ["outputs", "-e", "dev"])
    assert result.exit_code == 1
    assert "error: pulumi failed on stack 'dev': failed to load checkpoint from s3://***@shop-state" \
        in result.stderr
    stored = "".join(p.read_text() for p in (tmp_path / ".scaffold").rglob("*") if p.is_file())
    for secret in secrets:
        assert secret not in result.output
        assert secret not in stored
    assert fake.calls[0].env["PULUMI_BACKEND_URL"] == url


def test_report_redacts_urls_in_any_error(capsys) -> None:
    from scaffold.console import report

    report(UsageError("cannot use https://user:pa55word@state.example.com", "see s3://A:B@c"))
    printed = capsys.readouterr().err
    assert "pa55word" not in printed and "A:B" not in printed
    assert "https://***@state.example.com" in printed and "s3://***@c" in printed


def test_ctrl_c_during_deploy_exits_130_through_the_cli(tmp_path, monkeypatch) -> None:
    started, release = threading.Event(), threading.Event()

    def hanging(argv: list[str]) -> Any:
        started.set()
        return hang(release, 30)(argv)

    fake = RecordingPulumiCommand(script={("up",): hanging})
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: fake)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")
    for name in ("CI", "PULUMI_BACKEND_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(scaffold.spec, "load_blueprint", lambda path, env: blueprint())
    import stacks.program as program_mod

    monkeypatch.setattr(program_mod, "build_program", lambda bp: lambda: None)
    signal_soon(started, signal.SIGINT)
    try:
        result = CliRunner().invoke(cli_app(), ["deploy", "-e", "dev", "--yes"])
    finally:
        release.set()
    assert result.exit_code == 130
    assert "error: interrupted (Ctrl-C): cancelled the update of stack 'dev'" in result.stderr
    assert "hint: some resources may be half-done; run `scaffold refresh`" in result.stderr
    assert "Traceback" not in result.output
