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
    assert "valid" in lines[0] and "5 components" in lines[0] and "prod (production)" in lines[0]


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
