"""stacks.deploy through the PulumiCommand seam: exact CLI invocations, backend and
passphrase resolution, progress events and the mapping of every engine failure.

The ``pulumi`` CLI is replaced by ``RecordingPulumiCommand`` (tests/stacks/pulumi_double.py).
With it, ``up``/``preview`` record the argv (including ``--client=127.0.0.1:PORT``,
where the real engine would call back into the inline program over gRPC), but the
program itself never runs: programs are covered offline by ``stacks.mocks`` tests.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
from typing import Any

import pytest

from scaffold.errors import OperationError, PrerequisiteError, ScaffoldError, UsageError
from scaffold.exit_codes import ExitStatus
from stacks import deploy
from stacks.deploy import StackRunner, resolve_backend, resolve_secrets
from stacks.progress import OperationSummary, ResourceStep
from tests.stacks.pulumi_double import RecordingPulumiCommand, failure, step_event
from tests.stacks.targets import PASS_ENV, target_for

AWS_V = "v" + importlib.metadata.version("pulumi_aws")
RANDOM_V = "v" + importlib.metadata.version("pulumi_random")
NOT_FOUND = failure("error: no stack named 'dev' found")
TAGS_JSON = '{"tags":{"environment":"dev","project":"shop"}}'
CONFIG_ARGV = ["config", "set-all", "--stack", "dev", "--plaintext", "aws:region=eu-west-1",
               "--plaintext", f"aws:defaultTags={TAGS_JSON}"]
PLUGIN_ARGVS = [["plugin", "install", "resource", "aws", AWS_V],
                ["plugin", "install", "resource", "random", RANDOM_V]]
HISTORY_ARGV = ["stack", "history", "--json", "--show-secrets", "--page-size", "1", "--page", "1",
                "--stack", "dev"]
OUTPUT_ARGVS = [["stack", "output", "--json", "--stack", "dev"],
                ["stack", "output", "--json", "--show-secrets", "--stack", "dev"]]
INLINE = ["--client=127.0.0.1:PORT", "--exec-kind", "auto.inline",
          "--event-log", "tcp://127.0.0.1:PORT", "--stack", "dev"]


def runner(spec: Path, fake: RecordingPulumiCommand, steps: list[ResourceStep] | None = None,
           **overrides: Any) -> StackRunner:
    target = target_for(spec, **overrides)
    on_step = steps.append if steps is not None else None
    return StackRunner(target, lambda: None, pulumi_command=fake, on_step=on_step)


# -- exact CLI sequences ----------------------------------------------------------


def test_preview_of_a_new_stack_inits_it_sets_config_installs_plugins(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("stack", "select"): NOT_FOUND},
                                  changes={"create": 3, "same": 1})
    summary = runner(spec, fake).preview()
    assert fake.argvs == [
        ["stack", "select", "--stack", "dev"],
        ["stack", "init", "dev", "--secrets-provider", "passphrase"],
        CONFIG_ARGV,
        *PLUGIN_ARGVS,
        ["preview", *INLINE],
    ]
    assert summary == OperationSummary("preview", {"create": 3, "same": 1})
    assert summary.describe() == "3 to create, 1 unchanged"


def test_up_of_an_existing_stack(spec: Path) -> None:
    fake = RecordingPulumiCommand(changes={"create": 2}, outputs={"queue_url": "https://q"})
    summary = runner(spec, fake).up()
    assert fake.argvs == [
        ["stack", "select", "--stack", "dev"],
        CONFIG_ARGV,
        *PLUGIN_ARGVS,
        ["up", "--yes", "--skip-preview", *INLINE],
        *OUTPUT_ARGVS,
        HISTORY_ARGV,
    ]
    assert summary.operation == "update"
    assert summary.changes == {"create": 2}
    assert summary.outputs == {"queue_url": "https://q"}
    assert summary.describe() == "2 created"


def test_preview_then_up_opens_and_prepares_the_stack_once(spec: Path) -> None:
    fake = RecordingPulumiCommand()
    r = runner(spec, fake)
    r.preview()
    r.up()
    commands = [a[0] if a[0] != "stack" else " ".join(a[:2]) for a in fake.argvs]
    assert commands == ["stack select", "config", "plugin", "plugin", "preview", "up",
                        "stack output", "stack output", "stack history"]


@pytest.mark.parametrize(("operation", "argv"), [
    ("destroy", ["destroy", "--skip-preview", "--yes", *INLINE]),
    ("refresh", ["refresh", "--skip-preview", "--yes", *INLINE]),
])
def test_destroy_and_refresh_select_but_never_create(spec: Path, operation: str,
                                                     argv: list[str]) -> None:
    fake = RecordingPulumiCommand(changes={"delete": 4} if operation == "destroy" else {"same": 4})
    summary = getattr(runner(spec, fake), operation)()
    assert fake.argvs == [["stack", "select", "--stack", "dev"], CONFIG_ARGV, *PLUGIN_ARGVS,
                          argv, HISTORY_ARGV]
    assert summary.operation == operation
    assert summary.describe() == ("4 deleted" if operation == "destroy" else "no changes (4 unchanged)")


def test_destroy_of_a_missing_stack_does_not_init_it(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("stack", "select"): NOT_FOUND})
    with pytest.raises(OperationError):
        runner(spec, fake).destroy()
    assert fake.argvs == [["stack", "select", "--stack", "dev"]]


def test_outputs_reads_masked_and_plain_and_flags_secrets(spec: Path) -> None:
    fake = RecordingPulumiCommand(outputs={"url": "https://api", "db_password": "s3cret"},
                                  secret_outputs=frozenset({"db_password"}))
    values = runner(spec, fake).outputs()
    assert fake.argvs == [["stack", "select", "--stack", "dev"], *OUTPUT_ARGVS]
    assert values == {"url": ("https://api", False), "db_password": ("s3cret", True)}


def test_kms_secrets_provider_goes_to_stack_init_and_needs_no_passphrase(spec: Path) -> None:
    kms = "awskms://alias/shop-state?region=eu-west-1"
    fake = RecordingPulumiCommand(script={("stack", "select"): NOT_FOUND})
    runner(spec, fake, environ={}, secrets_provider=kms).preview()
    assert fake.argvs[1] == ["stack", "init", "dev", "--secrets-provider", kms]
    assert "PULUMI_CONFIG_PASSPHRASE" not in fake.calls[1].env


def test_every_call_runs_in_the_stable_work_dir_with_backend_and_passphrase(spec: Path) -> None:
    fake = RecordingPulumiCommand()
    runner(spec, fake).up()
    work_dir = spec.parent / ".scaffold" / "dev"
    backend = (spec.parent / ".scaffold" / "state").as_uri()
    assert {c.cwd for c in fake.calls} == {str(work_dir)}
    for call in fake.calls:
        assert call.env["PULUMI_CONFIG_PASSPHRASE"] == "correct horse"
        assert call.env["PULUMI_BACKEND_URL"] == backend
    project = (work_dir / "Pulumi.yaml").read_text()
    assert f"url: {backend}" in project
    assert "name: shop" in project and "runtime: python" in project


def test_default_tags_config_is_the_provider_json_shape(spec: Path) -> None:
    config = deploy.stack_config(target_for(spec, tags={"team": "core", "cost-center": "42"}))
    assert config["aws:region"].value == "eu-west-1"
    assert json.loads(config["aws:defaultTags"].value) == {
        "tags": {"team": "core", "cost-center": "42"}}
    assert not config["aws:defaultTags"].secret


# -- backend resolution -------------------------------------------------------------


def test_backend_from_spec_wins_over_env(tmp_path: Path) -> None:
    env = {"PULUMI_BACKEND_URL": "s3://env-bucket", "CI": "true"}
    assert resolve_backend("s3://spec-bucket", tmp_path, environ=env) == "s3://spec-bucket"


def test_backend_from_env_when_spec_has_none(tmp_path: Path) -> None:
    env = {"PULUMI_BACKEND_URL": "https://api.pulumi.com", "CI": "true"}
    assert resolve_backend(None, tmp_path, environ=env) == "https://api.pulumi.com"


def test_local_file_backend_by_default_is_created(tmp_path: Path) -> None:
    url = resolve_backend(None, tmp_path, environ={})
    assert url == f"file://{tmp_path.resolve()}/.scaffold/state"
    assert (tmp_path / ".scaffold" / "state").is_dir()


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_local_backend_refused_on_ci(tmp_path: Path, ci: str) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_backend(None, tmp_path, environ={"CI": ci})
    assert caught.value.exit_status == ExitStatus.INVALID_INPUT
    assert "lost when the runner goes away" in caught.value.message
    assert "--allow-local-state" in caught.value.hint
    assert not (tmp_path / ".scaffold" / "state").exists()


def test_local_backend_on_ci_with_allow_local_state(tmp_path: Path) -> None:
    url = resolve_backend(None, tmp_path, environ={"CI": "true"}, allow_local_state=True)
    assert url.startswith("file://")


def test_ci_false_is_not_ci(tmp_path: Path) -> None:
    assert resolve_backend(None, tmp_path, environ={"CI": "false"}).startswith("file://")


def test_ci_refusal_happens_before_any_engine_call(spec: Path) -> None:
    with pytest.raises(UsageError):
        target_for(spec, environ={**PASS_ENV, "CI": "true"})


# -- passphrase ---------------------------------------------------------------------


def test_passphrase_from_env(tmp_path: Path) -> None:
    assert resolve_secrets(None, environ={"PULUMI_CONFIG_PASSPHRASE": "pw"}) == (
        "passphrase", {"PULUMI_CONFIG_PASSPHRASE": "pw"})


def test_passphrase_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_text("pw\n")
    env = {"PULUMI_CONFIG_PASSPHRASE_FILE": str(secret)}
    assert resolve_secrets("passphrase", environ=env) == ("passphrase", env)


def test_passphrase_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(PrerequisiteError, match="cannot read the passphrase file"):
        resolve_secrets(None, environ={"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "nope")})


def test_missing_passphrase_is_exit_3_before_any_engine_call(spec: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake = RecordingPulumiCommand()
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: fake)
    with pytest.raises(PrerequisiteError) as caught:
        target_for(spec, environ={})
    assert caught.value.exit_status == ExitStatus.MISSING_PREREQUISITE == 3
    assert "PULUMI_CONFIG_PASSPHRASE" in caught.value.hint
    assert fake.calls == []


# -- progress -------------------------------------------------------------------------


def test_live_progress_one_line_per_resource_operation(spec: Path) -> None:
    queue, topic = "aws:sqs/queue:Queue", "aws:sns/topic:Topic"
    events = [
        step_event("resourcePreEvent", "create", "pulumi:pulumi:Stack", "shop-dev"),
        step_event("resourcePreEvent", "create", queue, "shop-dev-jobs"),
        step_event("resOutputsEvent", "create", queue, "shop-dev-jobs"),
        step_event("resourcePreEvent", "same", topic, "shop-dev-alarms"),
        step_event("resourcePreEvent", "replace", topic, "shop-dev-events"),
        step_event("resOpFailedEvent", "replace", topic, "shop-dev-events"),
    ]
    steps: list[ResourceStep] = []
    runner(spec, RecordingPulumiCommand(events={"up": events}), steps).up()
    assert [s.describe() for s in steps] == [
        "+ create aws:sqs/queue:Queue shop-dev-jobs started",
        "+ create aws:sqs/queue:Queue shop-dev-jobs done",
        "+- replace aws:sns/topic:Topic shop-dev-events started",
        "+- replace aws:sns/topic:Topic shop-dev-events failed",
    ]


def test_preview_steps_are_planned(spec: Path) -> None:
    events = [step_event("resOutputsEvent", "update", "aws:sqs/queue:Queue", "shop-dev-jobs",
                         planning=True)]
    steps: list[ResourceStep] = []
    runner(spec, RecordingPulumiCommand(events={"preview": events}), steps).preview()
    assert [s.describe() for s in steps] == ["~ update aws:sqs/queue:Queue shop-dev-jobs planned"]


def test_summary_descriptions() -> None:
    assert OperationSummary("update", {}).describe() == "no changes"
    assert OperationSummary("preview", {"update": 1, "create": 2}).describe() == (
        "2 to create, 1 to update")
    assert OperationSummary("destroy", {"delete": 5, "same": 0}).describe() == "5 deleted"
    assert not OperationSummary("preview", {"same": 3}).changed


# -- error mapping --------------------------------------------------------------------

LOCKED = ("error: the stack is currently locked by 1 lock(s). Either wait for the other "
          "process(es) to end or delete the lock file with `pulumi cancel`.")
#: How `pulumi up` prints a provider error on a resource (the text after "create: "/"update: " varies).
ECS_FAILED = ("Updating (dev):\n  aws:ecs:Service (api-service):\n    error:   sdk-v2/provider2.go:572: "
              "sdk.helper_schema: waiting for ECS Service (arn:aws:ecs:eu-west-1:123456789012:"
              "service/shop-dev-services/shop-dev-api) {}: provider=aws@7.11.0\n"
              "    error: 1 error occurred:\n")
ERRORS = {
    "locked-file-backend": (failure(LOCKED), OperationError, "is locked by another update",
                            "pulumi cancel --stack dev"),
    "locked-cloud": (failure("error: [409] Conflict: Another update is currently in progress."),
                     OperationError, "is locked by another update", "wait for it to finish"),
    "inline-program": (failure("", stdout="error: python inline source runtime error: "
                               "KeyError: 'api'"), OperationError,
                       "program for stack 'dev' failed: python inline source runtime error",
                       "scaffold plan -e dev"),
    "unhandled": (failure("", stdout="pulumi:pulumi:Stack (shop-dev):\n  error: an unhandled "
                          "error occurred: Program exited with non-zero exit code: 1"),
                  OperationError, "an unhandled error occurred", "scaffold plan -e dev"),
    "compilation": (failure("", stdout="main.go:3: syntax error: unexpected"), OperationError,
                    "program for stack 'dev' failed", "scaffold plan"),
    "no-credentials": (failure("error: NoCredentialProviders: no valid providers in chain"),
                       OperationError, "AWS credentials are missing", "aws sso login"),
    "no-credential-sources": (failure("", stdout="  error: configuring Terraform AWS Provider: "
                                      "no valid credential sources for Terraform AWS Provider "
                                      "found."),
                              OperationError, "no valid credential sources", "AWS_PROFILE"),
    "invalid-token": (failure("", stdout="error: creating SQS Queue: InvalidClientTokenId: The "
                              "security token included in the request is invalid."),
                      OperationError, "(InvalidClientTokenId)", "aws sso login"),
    "expired-token": (failure("error: operation error STS: GetCallerIdentity, ExpiredToken"),
                      OperationError, "(ExpiredToken)", "AWS_PROFILE"),
    "passphrase-missing": (failure("error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE "
                                   "or PULUMI_CONFIG_PASSPHRASE_FILE environment variables"),
                           PrerequisiteError, "needs a passphrase", "PULUMI_CONFIG_PASSPHRASE"),
    "passphrase-wrong": (failure("error: incorrect passphrase"), OperationError,
                         "does not decrypt", "created with"),
    "other": (failure("error: something unexpected happened"), OperationError,
              "pulumi failed on stack 'dev': something unexpected happened", "PULUMI_DEBUG"),
    # terraform-provider-aws internal/service/ecs/service.go: wait_for_steady_state gave up.
    "ecs-circuit-breaker": (failure("error: update failed", stdout=ECS_FAILED.format(
        "update: ECS deployment circuit breaker: tasks failed to start.")), OperationError,
        "service shop-dev-api: new tasks never became healthy; ECS rolled the deployment back "
        "(circuit breaker): ECS deployment circuit breaker: tasks failed to start.",
        "container logs in /ecs/shop-dev-api"),
    "ecs-first-deploy": (failure("error: update failed", stdout=ECS_FAILED.format(
        "create: Deployment failed")), OperationError,
        "service shop-dev-api: new tasks never became healthy; ECS stopped the deployment (a new "
        "service has nothing to roll back to) (circuit breaker): Deployment failed", "--cluster shop-dev-services"),
    "ecs-steady-state-timeout": (failure("error: update failed", stdout=ECS_FAILED.format(
        "create: timeout while waiting for state to become 'tfSTABLE' (last state: 'tfPENDING', "
        "timeout: 20m0s)")), OperationError,
        "service shop-dev-api: new tasks did not become healthy within 20m0s", "/ecs/shop-dev-api"),
    "route53-zone-missing": (failure("", stdout="  pulumi:pulumi:Stack (shop-dev):\n    error: "
                                     "aws:route53/getZone:getZone: no matching Route 53 Hosted Zone found"),
                             OperationError, "has no public Route 53 hosted zone", "certificate:"),
}


@pytest.mark.parametrize("case", ERRORS, ids=list(ERRORS))
def test_engine_failures_become_scaffold_errors(spec: Path, case: str) -> None:
    raised, kind, message, hint = ERRORS[case]
    fake = RecordingPulumiCommand(script={("up",): raised})
    with pytest.raises(ScaffoldError) as caught:
        runner(spec, fake).up()
    error = caught.value
    assert type(error) is kind
    assert message in error.message
    assert hint in error.hint
    assert error.exit_status == (3 if kind is PrerequisiteError else 1)
    assert error.__cause__ is raised


def test_stack_not_found_hints_deploy_and_backend(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("stack", "select"): NOT_FOUND})
    with pytest.raises(OperationError) as caught:
        runner(spec, fake).outputs()
    backend = (spec.parent / ".scaffold" / "state").as_uri()
    assert caught.value.message == f"no stack 'dev' in backend {backend}"
    assert "scaffold deploy -e dev" in caught.value.hint
    assert "PULUMI_BACKEND_URL" in caught.value.hint


def test_failure_while_opening_the_stack_is_mapped(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("stack", "select"): failure(LOCKED)})
    with pytest.raises(OperationError, match="locked"):
        runner(spec, fake).preview()


def test_missing_pulumi_cli_is_exit_3_with_install_link(spec: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    r = StackRunner(target_for(spec), lambda: None)  # real PulumiCommand: runs `pulumi version`
    with pytest.raises(PrerequisiteError) as caught:
        r.preview()
    assert caught.value.exit_status == 3
    assert "`pulumi` CLI is not installed" in caught.value.message
    assert "https://www.pulumi.com/docs/iac/download-install/" in caught.value.hint


def test_unknown_exceptions_are_not_disguised(spec: Path) -> None:
    bug = ValueError("a bug in scaffold")
    fake = RecordingPulumiCommand(script={("up",): bug})
    with pytest.raises(ValueError) as caught:
        runner(spec, fake).up()
    assert caught.value is bug


def test_ctrl_c_cancels_the_update_and_raises_a_clean_error(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("up",): KeyboardInterrupt()})
    with pytest.raises(OperationError) as caught:
        runner(spec, fake).up()
    assert fake.argvs[-1] == ["cancel", "--yes", "--stack", "dev"]
    assert caught.value.message == "interrupted (Ctrl-C): cancelled the update of stack 'dev'"
    assert "scaffold refresh" in caught.value.hint
    assert caught.value.exit_status == ExitStatus.INTERRUPTED == 130


def test_ctrl_c_when_cancel_fails_still_raises_a_clean_error(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("up",): KeyboardInterrupt(),
                                          ("cancel",): failure("error: no update in progress")})
    with pytest.raises(OperationError, match="the update was interrupted"):
        runner(spec, fake).up()


def test_plugin_install_failure_is_mapped(spec: Path) -> None:
    fake = RecordingPulumiCommand(script={("plugin", "install"): failure(
        "error: could not download plugin: dial tcp: lookup get.pulumi.com: no such host")})
    with pytest.raises(OperationError, match="could not download plugin"):
        runner(spec, fake).preview()
    assert fake.argvs[-1] == PLUGIN_ARGVS[0]
