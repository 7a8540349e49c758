"""The CLI as a user drives it: exit codes, messages and files written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.cli import app

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"
runner = CliRunner()

MINIMAL = "scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"


def test_validate_prints_one_summary_line() -> None:
    result = runner.invoke(app, ["validate", "-f", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "valid" in lines[0] and "9 components" in lines[0] and "prod (production)" in lines[0]


def test_validate_reports_every_problem_in_one_run(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(MINIMAL + "components:\n  api:\n    kind: api\n    image: x\n    cpu: 300\n"
                    "    uses: [nope]\n  db: {kind: database, replicas: 4}\n")
    result = runner.invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    errors = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert {e.split(": error: ")[1].split(":")[0] for e in errors} == {
        "components.api.cpu", "components.api.uses[0]", "components.db.replicas"}


@pytest.mark.parametrize(("content", "message"), [
    ("", "the file is empty"),
    ("   \n# only a comment\n", "the file is empty"),
    ("[1, 2]\n", "must be a mapping"),
    ("just text\n", "must be a mapping"),
    ("a: [\n", "invalid YAML"),
    ("a: 1\n\tb: 2\n", "invalid YAML"),
    ("\x1f", "is not allowed"),  # found by the fuzzer: ReaderError escaped the loader
])
def test_bad_files_exit_2_without_traceback(tmp_path: Path, content: str, message: str) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(content)
    result = runner.invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    assert message in result.output and f"{spec}:" in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "-f", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["validate", "-f", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.output


def test_unreadable_file(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_bytes(b"name: \xff\xfe\n")
    result = runner.invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_schema_is_draft_2020_12_with_a_description_on_every_field() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    missing = []
    for name, definition in [("root", schema), *schema["$defs"].items()]:
        for field, prop in definition.get("properties", {}).items():
            if not prop.get("description"):
                missing.append(f"{name}.{field}")
    assert missing == []


def test_schema_accepts_the_example_and_rejects_an_unknown_key() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    data = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.Draft202012Validator(schema).validate(data)
    data["components"]["api"]["imgae"] = "x"
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data))


def test_schema_output_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("mine")
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 2 and target.read_text() == "mine"
    assert runner.invoke(app, ["schema", "-o", str(target), "--force"]).exit_code == 0
    assert json.loads(target.read_text())["title"] == "scaffold.yaml"


def test_blueprint_yaml_and_json() -> None:
    as_yaml = runner.invoke(app, ["blueprint", "-f", str(EXAMPLE), "-e", "prod"])
    assert as_yaml.exit_code == 0, as_yaml.output
    data = yaml.safe_load(as_yaml.stdout)
    assert data["components"]["orders-db"]["replicas"] == 1
    as_json = runner.invoke(app, ["blueprint", "-f", str(EXAMPLE), "-e", "prod", "--format", "json"])
    assert json.loads(as_json.stdout) == data


def test_blueprint_needs_env_only_with_several(tmp_path: Path) -> None:
    result = runner.invoke(app, ["blueprint", "-f", str(EXAMPLE)])
    assert result.exit_code == 2 and "-e" in result.output
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(MINIMAL)
    result = runner.invoke(app, ["blueprint", "-f", str(spec)])
    assert result.exit_code == 0 and "environment: dev" in result.stdout


def test_blueprint_rejects_unknown_format() -> None:
    result = runner.invoke(app, ["blueprint", "-f", str(EXAMPLE), "-e", "dev", "--format", "toml"])
    assert result.exit_code == 2


def test_every_command_help_has_an_example() -> None:
    for command in ("validate", "schema", "blueprint", "new"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "scaffold " + command in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("scaffold ")


def _imports_after(argv: list[str]) -> set[str]:
    code = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "NO_COLOR": "1"})
    return set(proc.stderr.split())


@pytest.mark.parametrize("argv", [["--help"], ["validate", "-f", str(EXAMPLE)]])
def test_startup_does_not_import_pulumi(argv: list[str]) -> None:
    modules = _imports_after(argv)
    assert "typer" in modules  # the probe works
    assert not {m for m in modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_aws"))}


# -- database and cache: engine versions, replacement guard, production features ------------------

STATEFUL_OLD = (MINIMAL + "  prod: {profile: production}\ncomponents:\n"
                "  orders-db: {kind: database, engine: postgres}\n"
                "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n")


def test_validate_rejects_a_version_of_the_other_engine_at_the_version_line(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(MINIMAL + "components:\n  db:\n    kind: database\n    engine: mysql\n    version: \"16.4\"\n"
                    "  c:\n    kind: cache\n    version: \"7.1.0\"\n")
    result = runner.invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2, result.output
    assert f"{spec}:10:14: error: components.db.version: '16.4' is not an Aurora mysql version" in result.output
    assert f"{spec}:13:14: error: components.c.version: '7.1.0' is not a redis version" in result.output
    assert "drop the patch number: '7.1'" in result.output
    assert "Traceback" not in result.output


def test_validate_against_refuses_replacing_a_production_database(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "scaffold.yaml"
    old.write_text(STATEFUL_OLD)
    new.write_text(STATEFUL_OLD.replace("engine: postgres}", "engine: mysql, version: '8.0.mysql_aurora.3.08.0'}"))
    result = runner.invoke(app, ["validate", "-f", str(new), "--against", str(old)])
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert errors == [
        f"{new}:8:39: error: components.orders-db.engine: 'postgres' -> 'mysql' replaces the Aurora cluster of "
        "'orders-db' in environment 'prod': the engine of an Aurora cluster cannot change; its data would be lost; "
        "the deployed cluster has deletion protection, so AWS refuses to delete it and the deploy would fail "
        "(keep engine: postgres; to replace it, first deploy deletion_protection: false on 'orders-db' with "
        "nothing else changed, then make this change with allow_replacement: true)"]  # production: protected
    assert f"{new}:8:39: warning: components.orders-db.engine:" in result.output  # dev: a warning
    # Without --against the same spec is valid: the guard compares, it does not forbid mysql.
    assert runner.invoke(app, ["validate", "-f", str(new)]).exit_code == 0


def test_validate_against_passes_with_allow_replacement_and_warns(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "scaffold.yaml"
    old.write_text(STATEFUL_OLD)
    new.write_text(STATEFUL_OLD.replace("engine: valkey, version: '8.0'}",
                                        "engine: redis, version: '7.1', allow_replacement: true}"))
    result = runner.invoke(app, ["validate", "-f", str(new), "--against", str(old)])
    assert result.exit_code == 0, result.output
    assert "valid: project shop" in result.stdout
    warnings = [ln for ln in result.output.splitlines() if ": warning: components.sessions.engine:" in ln]
    assert len(warnings) == 2 and "allow_replacement is true" in warnings[1]


def test_validate_against_an_invalid_old_spec_reports_its_problems(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "scaffold.yaml"
    old.write_text(STATEFUL_OLD.replace("engine: postgres", "engine: oracle"))
    new.write_text(STATEFUL_OLD)
    result = runner.invoke(app, ["validate", "-f", str(new), "--against", str(old)])
    assert result.exit_code == 2
    assert f"{old}:8:" in result.output and "components.orders-db.engine" in result.output


def test_plan_against_marks_the_replaced_resources(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "scaffold.yaml"
    old.write_text(STATEFUL_OLD)
    new.write_text(STATEFUL_OLD.replace("engine: postgres}", "engine: postgres, database: sales}"))
    plain = runner.invoke(app, ["plan", "-f", str(new), "-e", "prod", "--json"])
    marked = runner.invoke(app, ["plan", "-f", str(new), "-e", "prod", "--json", "--against", str(old)])
    assert plain.exit_code == 0 and marked.exit_code == 0, marked.output
    document, with_marks = json.loads(plain.stdout), json.loads(marked.stdout)
    assert "replacements" not in document and not any("replace" in r for r in document["resources"])
    [replacement] = with_marks["replacements"]
    assert replacement == {
        "component": "orders-db", "type": "aws:rds/cluster:Cluster", "name": "orders-db-cluster",
        "field": "database", "old": "app", "new": "sales",
        "reason": "the database name of an Aurora cluster is set only when it is created",
        "allowed": False, "refused_in_production": True}
    replaced = [r for r in with_marks["resources"] if "replace" in r]
    assert [(r["name"], r["replace"]) for r in replaced] == [("orders-db-cluster", [replacement])]
    # Everything else is exactly the plan without --against.
    for r in with_marks["resources"]:
        r.pop("replace", None)
    with_marks.pop("replacements")
    assert with_marks == document
    tree = runner.invoke(app, ["plan", "-f", str(new), "-e", "prod", "--against", str(old)])
    assert "orders-db-cluster" in tree.stdout and "REPLACED (database changes)" in tree.stdout
    assert "Replaces aws:rds/cluster:Cluster orders-db-cluster: the database name" in tree.stdout


def test_plan_database_per_profile(tmp_path: Path) -> None:
    """Production: RDS Proxy, Performance Insights, Enhanced Monitoring; staging: proxy; dev: none.
    Every profile: a TLS-only cluster parameter group; the cache secret has no fixed name."""
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(MINIMAL + "  staging: {profile: staging}\n  prod: {profile: production}\ncomponents:\n"
                    "  orders-db: {kind: database}\n  sessions: {kind: cache}\n")
    seen = {}
    for env in ("dev", "staging", "prod"):
        result = runner.invoke(app, ["plan", "-f", str(spec), "-e", env, "--json"])
        assert result.exit_code == 0, result.output
        resources = json.loads(result.stdout)["resources"]
        types = {r["type"] for r in resources}
        instance = next(r["inputs"] for r in resources if r["type"] == "aws:rds/clusterInstance:ClusterInstance")
        params = next(r["inputs"] for r in resources if r["type"] == "aws:rds/clusterParameterGroup:ClusterParameterGroup")
        secret = next(r["inputs"] for r in resources if r["type"] == "aws:secretsmanager/secret:Secret")
        assert params["parameters"] == [{"applyMethod": "immediate", "name": "rds.force_ssl", "value": "1"}]
        assert "name" not in secret and secret["namePrefix"].startswith(f"shop-{env}-sessions-auth-token")
        seen[env] = ("aws:rds/proxy:Proxy" in types, instance["performanceInsightsEnabled"],
                     instance.get("monitoringInterval", 0))
    assert seen == {"dev": (False, False, 0), "staging": (True, False, 0), "prod": (True, True, 60)}
