"""``scaffold diff``: added, removed and changed resources, and what happens to stateful ones.

The unit tests edit a committed plan snapshot (no pulumi, fast); the ``--base`` tests plan a
spec in a real temporary git repository, as CI does on a pull request.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from stacks.diff import diff_plans, diff_values, render_markdown, render_text
from stacks.replacement_rules import STATEFUL_TYPES

ROOT = Path(__file__).resolve().parents[2]
SHOP_PLAN = Path(__file__).with_name("snapshots") / "shop.prod.json"
SHOP_SPEC = ROOT / "examples" / "shop.yaml"


def _plan() -> dict[str, Any]:
    return json.loads(SHOP_PLAN.read_text())


def _resource(plan: dict[str, Any], type_: str, name: str) -> dict[str, Any]:
    return next(r for r in plan["resources"] if r["type"] == type_ and r["name"] == name)


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, ["diff", *args])


def _write(tmp_path: Path, name: str, plan: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(plan))
    return str(path)


CLUSTER = "aws:rds/cluster:Cluster"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


# ----------------------------------------------------------------------------- classification


def test_identical_plans_have_no_changes() -> None:
    diff = diff_plans(_plan(), _plan())
    assert diff.resources == []
    assert "No changes." in render_text(diff, "a", "b")


def test_changed_database_name_is_a_replace_with_data_loss() -> None:
    old, new = _plan(), _plan()
    _resource(new, CLUSTER, "orders-db-cluster")["inputs"]["databaseName"] = "sales"
    diff = diff_plans(old, new)
    [cluster] = diff.of("change")
    assert cluster.classification == "replace"
    assert cluster.data_loss
    [reason] = cluster.reasons
    assert reason.input == "databaseName"
    assert reason.source == ("terraform-provider-aws internal/service/rds/cluster.go: database_name "
                             "ForceNew: true")
    lines = render_text(diff, "old.json", "new.json")
    assert lines[1].startswith("DATA LOSS: 1 stateful resource")
    assert "replace aws:rds/cluster:Cluster orders-db-cluster (Aurora cluster)" in lines[2]
    assert any('databaseName: "orders" -> "sales"  (forces replacement)' in line for line in lines)


def test_scaling_changes_are_in_place() -> None:
    old, new = _plan(), _plan()
    group = _resource(new, GROUP, "sessions-group")["inputs"]
    group["numCacheClusters"] = 3
    group["nodeType"] = "cache.r7g.xlarge"
    _resource(new, "aws:appautoscaling/target:Target", "api-scaling")["inputs"]["maxCapacity"] = 60
    diff = diff_plans(old, new)
    changed = {r.name: r for r in diff.of("change")}
    assert changed["sessions-group"].classification == "in place"
    assert changed["api-scaling"].classification is None  # not stateful
    assert diff.data_loss == []
    assert {c.path for c in changed["sessions-group"].changes} == {"nodeType", "numCacheClusters"}
    assert not any(line.startswith("DATA LOSS") for line in render_text(diff, "a", "b"))


def test_removed_cache_is_a_delete_with_data_loss() -> None:
    old, new = _plan(), _plan()
    new["resources"] = [r for r in new["resources"] if r["component"] != "sessions"]
    diff = diff_plans(old, new)
    removed = {r.name: r for r in diff.of("remove")}
    assert removed["sessions-group"].classification == "delete"
    assert removed["sessions-group"].data_loss
    assert removed["sessions-alarm-cpu-001"].classification is None  # an alarm holds no data
    assert {r.name for r in diff.data_loss} == {"sessions-group", "sessions-auth-token"}


def test_policy_change_shows_the_one_changed_statement() -> None:
    old, new = _plan(), _plan()
    policy = _resource(new, "aws:iam/rolePolicy:RolePolicy", "api-task-policy")["inputs"]
    document = json.loads(policy["policy"])
    queue = document["Statement"][2]["Resource"]
    document["Statement"][2]["Resource"] = queue.replace("shop-prod-jobs", "shop-prod-orders")
    policy["policy"] = json.dumps(document)
    diff = diff_plans(old, new)
    [changed] = diff.of("change")
    assert changed.name == "api-task-policy"
    assert [(c.path, c.old) for c in changed.changes] == [("policy.Statement[2].Resource", queue)]
    assert (f'      policy.Statement[2].Resource: "{queue}" -> '
            f'"{queue.replace("shop-prod-jobs", "shop-prod-orders")}"') in render_text(diff, "a", "b")


def test_json_strings_that_differ_only_in_formatting_are_not_a_change() -> None:
    old = {"policy": json.dumps({"Version": "2012-10-17", "Statement": []})}
    new = {"policy": json.dumps({"Statement": [], "Version": "2012-10-17"}, indent=2)}
    assert diff_values(old, new) == []


def test_inserted_list_element_is_one_added_change() -> None:
    old = {"env": [{"name": "A"}, {"name": "C"}]}
    new = {"env": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}
    [change] = diff_values(old, new)
    assert (change.path, change.kind, change.new) == ("env[1]", "added", {"name": "B"})


def test_changed_urn_of_a_stateful_resource_is_a_replace() -> None:
    old, new = _plan(), _plan()
    cluster = _resource(new, CLUSTER, "orders-db-cluster")
    cluster["urn"] = cluster["urn"].replace("scaffold:blueprints:Database$", "scaffold:blueprints:Db$")
    [changed] = diff_plans(old, new).of("change")
    assert changed.old_urn is not None and changed.classification == "replace" and changed.data_loss


def test_region_move_replaces_every_stateful_resource() -> None:
    old, new = _plan(), _plan()
    new["region"] = "eu-central-1"
    diff = diff_plans(old, new)
    assert "sessions-group" in {r.name for r in diff.data_loss}
    assert any("moves from eu-west-1 to eu-central-1" in n for n in diff.notes)


@pytest.mark.parametrize(("old_engine", "new_engine", "old_version", "new_version", "expected"), [
    ("valkey", "redis", "8.0", "8.0", "replace"),    # customizeDiffEngineForceNewOnDowngrade
    ("redis", "valkey", "7.1", "8.0", "in place"),   # an in-place upgrade
    ("redis", "redis", "7.1", "6.2", "replace"),     # customizeDiffEngineVersionForceNewOnDowngrade
    ("redis", "redis", "6.2", "7.1", "in place"),
])
def test_cache_engine_rules(old_engine: str, new_engine: str, old_version: str, new_version: str,
                            expected: str) -> None:
    old, new = _plan(), _plan()
    _resource(old, GROUP, "sessions-group")["inputs"].update(engine=old_engine, engineVersion=old_version)
    _resource(new, GROUP, "sessions-group")["inputs"].update(engine=new_engine, engineVersion=new_version)
    [changed] = diff_plans(old, new).of("change")
    assert changed.classification == expected


def test_every_rule_names_its_provider_source() -> None:
    for stateful in STATEFUL_TYPES.values():
        for rule in stateful.force_new:
            assert rule.source.startswith("internal/service/") and rule.source.endswith(".go")
            assert rule.cite().startswith(f"terraform-provider-aws {rule.source}: {rule.attribute} ")


def test_rules_cover_what_validate_against_predicts() -> None:
    # scaffold/spec/replacement.py predicts these replacements from specs; the plan diff must agree.
    cluster = STATEFUL_TYPES[CLUSTER]
    assert cluster.rule("engine") and cluster.rule("databaseName") and cluster.rule("clusterIdentifier")
    group = STATEFUL_TYPES[GROUP]
    assert group.rule("replicationGroupId") and group.rule("subnetGroupName") and group.rule("port")
    assert group.rule("engine").forces("valkey", "redis") and not group.rule("engine").forces("redis", "valkey")


def test_markdown_puts_data_loss_first() -> None:
    old, new = _plan(), _plan()
    _resource(new, CLUSTER, "orders-db-cluster")["inputs"]["databaseName"] = "sales"
    text = render_markdown(diff_plans(old, new), "origin/main:scaffold.yaml", "scaffold.yaml")
    assert text.index("> [!CAUTION]") < text.index("| | Resource |")
    assert "**DATA LOSS**: 1 stateful resource" in text
    assert "| `databaseName` (forces replacement) | `\"orders\"` | `\"sales\"` |" in text


# ----------------------------------------------------------------------------- command: files


def test_files_exit_0_with_data_loss_unless_fail_on(tmp_path: Path) -> None:
    new = _plan()
    _resource(new, CLUSTER, "orders-db-cluster")["inputs"]["databaseName"] = "sales"
    old_file, new_file = _write(tmp_path, "old.json", _plan()), _write(tmp_path, "new.json", new)
    shown = _run(old_file, new_file)
    assert shown.exit_code == 0, shown.output
    assert "DATA LOSS" in shown.stdout
    refused = _run(old_file, new_file, "--fail-on", "data-loss")
    assert refused.exit_code == 1
    assert "would lose data (--fail-on data-loss)" in refused.stderr


def test_fail_on_passes_without_data_loss(tmp_path: Path) -> None:
    new = _plan()
    _resource(new, "aws:appautoscaling/target:Target", "api-scaling")["inputs"]["maxCapacity"] = 60
    result = _run(_write(tmp_path, "a.json", _plan()), _write(tmp_path, "b.json", new), "--fail-on", "data-loss")
    assert result.exit_code == 0, result.output
    assert "maxCapacity: 40 -> 60" in result.stdout


def test_json_output(tmp_path: Path) -> None:
    new = _plan()
    new["resources"] = [r for r in new["resources"] if r["component"] != "sessions"]
    result = _run(_write(tmp_path, "a.json", _plan()), _write(tmp_path, "b.json", new), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"] == {"added": 0, "removed": 12, "changed": 0, "data_loss": 2}
    group = next(r for r in document["resources"] if r["name"] == "sessions-group")
    assert group["action"] == "remove" and group["data_loss"] is True
    assert group["stateful"]["classification"] == "delete"


@pytest.mark.parametrize(("args", "message"), [
    ((), "nothing to compare"),
    (("missing.json", "missing.json"), "no such file"),
    (("--format", "html", "a", "b"), "unknown format"),
    (("--fail-on", "anything", "a", "b"), "unknown --fail-on"),
])
def test_bad_input_exits_2(args: tuple[str, ...], message: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_not_a_plan_exits_2(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"resources": 3}')
    result = _run(str(other), str(other))
    assert result.exit_code == 2
    assert "not a scaffold plan document" in result.stderr
    assert "scaffold plan -e ENV --json" in result.stderr


# ----------------------------------------------------------------------------- command: --base


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false",
                    "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with examples/shop.yaml committed as infra/scaffold.yaml on branch main."""
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    (repo / "infra" / "scaffold.yaml").write_text(SHOP_SPEC.read_text())
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "spec")
    return repo


def test_base_unchanged_spec_has_no_changes(repo: Path) -> None:
    # Two independent offline plans: fabricated ids and ARNs are identical, so no noise.
    result = _run("-f", str(repo / "infra" / "scaffold.yaml"), "-e", "prod", "--base", "main")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout


def test_base_database_rename_is_data_loss(repo: Path) -> None:
    spec = repo / "infra" / "scaffold.yaml"
    spec.write_text(spec.read_text().replace("database: orders", "database: sales"))
    result = _run("-f", str(spec), "-e", "prod", "--base", "main", "--format", "markdown",
                  "--fail-on", "data-loss")
    assert result.exit_code == 1, result.output
    assert "**DATA LOSS**" in result.stdout
    assert "From `main:infra/scaffold.yaml`" in result.stdout
    assert "internal/service/rds/cluster.go: database_name ForceNew: true" in result.stdout


def test_base_data_loss_the_spec_allows_does_not_fail(repo: Path) -> None:
    """allow_replacement: true on the component is the spec's own, reviewed override (as for
    validate --against): the loss is still shown, but --fail-on data-loss does not count it."""
    spec = repo / "infra" / "scaffold.yaml"
    spec.write_text(spec.read_text().replace("database: orders", "database: sales\n    allow_replacement: true"))
    result = _run("-f", str(spec), "-e", "prod", "--base", "main", "--fail-on", "data-loss")
    assert result.exit_code == 0, result.output
    assert "DATA LOSS" in result.stdout
    assert "allow_replacement: true on 'orders-db'" in result.stderr


def test_base_removed_cache_and_scaling_change(repo: Path) -> None:
    spec = repo / "infra" / "scaffold.yaml"
    text = spec.read_text().replace("  sessions:\n    kind: cache\n    engine: redis\n", "")
    text = text.replace("orders-db, sessions, jobs", "orders-db, jobs").replace("scaling: {max: 40}",
                                                                                "scaling: {max: 60}")
    spec.write_text(text)
    result = _run("-f", str(spec), "-e", "prod", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_name = {r["name"]: r for r in document["resources"]}
    assert by_name["sessions-group"]["stateful"]["classification"] == "delete"
    assert by_name["api-scaling"]["changes"] == [{"path": "maxCapacity", "kind": "changed", "old": 40, "new": 60}]
    assert document["old"]["source"] == "main:infra/scaffold.yaml"


def test_base_spec_missing_at_ref_adds_everything(repo: Path) -> None:
    new = repo / "other" / "scaffold.yaml"
    new.parent.mkdir()
    new.write_text(SHOP_SPEC.read_text())
    result = _run("-f", str(new), "-e", "dev", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["old"] is None
    assert document["summary"]["removed"] == 0 and document["summary"]["added"] > 50
    assert "does not exist: everything is new" in result.stderr


def test_base_unknown_ref_exits_2(repo: Path) -> None:
    result = _run("-f", str(repo / "infra" / "scaffold.yaml"), "-e", "prod", "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "unknown git ref 'no-such-branch'" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_base_outside_a_git_repository_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SHOP_SPEC.read_text())
    result = _run("-f", str(spec), "-e", "prod", "--base", "main")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr


def test_base_with_plan_files_exits_2(repo: Path) -> None:
    result = _run("a.json", "b.json", "--base", "main")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_base_invalid_spec_at_ref_names_the_ref(repo: Path) -> None:
    spec = repo / "infra" / "scaffold.yaml"
    spec.write_text(spec.read_text().replace("port: 8080", "port: many"))
    _git(repo, "commit", "-q", "-am", "broken")
    spec.write_text(SHOP_SPEC.read_text())
    result = _run("-f", str(spec), "-e", "prod", "--base", "main")
    assert result.exit_code == 2
    assert "main:infra/scaffold.yaml:" in result.stderr


def test_markdown_too_long_for_a_comment_drops_the_input_details(monkeypatch: pytest.MonkeyPatch) -> None:
    import stacks.diff

    old, new = _plan(), _plan()
    _resource(new, CLUSTER, "orders-db-cluster")["inputs"]["databaseName"] = "sales"
    monkeypatch.setattr(stacks.diff, "MARKDOWN_LIMIT", 500)
    text = render_markdown(diff_plans(old, new), "a", "b")
    assert "<details>" not in text
    assert "Changed inputs: 1, too long to show in one comment" in text
    assert "**DATA LOSS**" in text  # the summary stays


# ----------------------------------------------------------------------------- command: --all --base


def test_all_base_diffs_every_environment_and_fails_over_all_of_them(repo: Path) -> None:
    """prod renames its database (data loss), qa is new, dev is gone from the working copy."""
    spec = repo / "infra" / "scaffold.yaml"
    text = spec.read_text().replace("database: orders", "database: sales")
    spec.write_text(text.replace("  dev:\n    profile: dev\n", "  qa:\n    profile: dev\n", 1))
    result = _run("-f", str(spec), "--all", "--base", "main", "--format", "markdown", "--fail-on", "data-loss")
    assert result.exit_code == 1, result.output
    # The output is written in full before the non-zero exit: one section per environment, the
    # working copy's in spec order, then the one only at the ref.
    assert [line for line in result.stdout.splitlines() if line.startswith("### ")] == [
        "### scaffold diff: shop/qa", "### scaffold diff: shop/prod", "### scaffold diff: shop/dev"]
    assert "error: 1 stateful resource would lose data in prod (1) (--fail-on data-loss)" in result.stderr
    assert "main:infra/scaffold.yaml has no environment 'qa': everything in it is new" in result.stderr
    assert "> Environment `dev` is only in `main:infra/scaffold.yaml`: the working copy deploys nothing there" \
        in result.stdout
    # Each environment's section is what diff -e ENV --base prints for it.
    one = _run("-f", str(spec), "-e", "prod", "--base", "main", "--format", "markdown")
    assert one.exit_code == 0, one.output
    assert one.stdout in result.stdout
    assert "**102 to add, 0 to remove, 0 to change**" in result.stdout  # qa: everything is new


def test_all_base_json_and_text(repo: Path) -> None:
    spec = repo / "infra" / "scaffold.yaml"
    spec.write_text(spec.read_text().replace("scaling: {max: 40}", "scaling: {max: 60}"))
    result = _run("-f", str(spec), "--all", "--base", "main", "--json", "--fail-on", "data-loss")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == ["format", "project", "environments", "removed_environments"]
    assert document["project"] == "shop" and document["removed_environments"] == {}
    assert list(document["environments"]) == ["dev", "prod"]
    assert document["environments"]["dev"]["summary"] == {"added": 0, "removed": 0, "changed": 0, "data_loss": 0}
    prod = document["environments"]["prod"]
    assert prod["old"]["source"] == "main:infra/scaffold.yaml"
    assert prod["new"]["source"] == f"{spec} (working copy)"
    assert [r["changes"] for r in prod["resources"]] == [
        [{"path": "maxCapacity", "kind": "changed", "old": 40, "new": 60}]]
    text = _run("-f", str(spec), "--all", "--base", "main")
    assert text.exit_code == 0, text.output
    headers = [line for line in text.stdout.splitlines() if line.startswith("diff ")]
    assert headers == [
        f"diff shop/dev (us-east-1) [main:infra/scaffold.yaml] -> shop/dev (us-east-1) [{spec} (working copy)]",
        f"diff shop/prod (eu-west-1) [main:infra/scaffold.yaml] -> shop/prod (eu-west-1) [{spec} (working copy)]"]
    assert "No changes." in text.stdout and "Diff: 0 to add, 0 to remove, 1 to change" in text.stdout


def test_all_base_allowed_data_loss_is_shown_but_not_counted(repo: Path) -> None:
    spec = repo / "infra" / "scaffold.yaml"
    spec.write_text(spec.read_text().replace("database: orders", "database: sales\n    allow_replacement: true"))
    result = _run("-f", str(spec), "--all", "--base", "main", "--fail-on", "data-loss")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("DATA LOSS: 1 stateful resource") == 2  # dev and prod
    assert "note: in 'prod', the spec allows this data loss with allow_replacement: true on 'orders-db'" \
        in result.stderr


def test_all_base_spec_missing_at_ref_adds_everything(repo: Path) -> None:
    new = repo / "other" / "scaffold.yaml"
    new.parent.mkdir()
    new.write_text(SHOP_SPEC.read_text())
    result = _run("-f", str(new), "--all", "--base", "main", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [d["old"] for d in document["environments"].values()] == [None, None]
    assert "does not exist: everything is new" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--all",), "--all compares every environment with the spec at a git ref: it needs --base REF"),
    (("--all", "a.json", "b.json"), "it needs --base REF"),
    (("--all", "--base", "main", "-e", "prod"), "-e prod and --all both choose the environments"),
])
def test_all_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_markdown_limit_is_per_call() -> None:
    """diff --all gives each environment its share of one comment."""
    old, new = _plan(), _plan()
    _resource(new, CLUSTER, "orders-db-cluster")["inputs"]["databaseName"] = "sales"
    diff = diff_plans(old, new)
    assert "<details>" in render_markdown(diff, "a", "b")
    assert "<details>" not in render_markdown(diff, "a", "b", limit=500)
