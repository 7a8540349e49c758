"""scaffold generate: the files of the standalone Pulumi project, overwrite safety, the command.

The generated ``__main__.py`` is run under the mock runtime and compared with
``stacks.program.build_program`` run directly: same resources, same inputs,
same stack outputs.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from typer.testing import CliRunner

import scaffold
from scaffold.cli import app
from scaffold.errors import UsageError
from scaffold.spec import Blueprint, load_blueprint
from stacks.generate import BLUEPRINTS_DIR, MANIFEST_NAME, generate_project
from stacks.mocks import OfflineRun, run_offline
from stacks.program import build_program

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop.yaml"
SHARED = ("Pulumi.yaml", "__main__.py", "requirements.txt", "README.md")


@pytest.fixture(scope="module")
def prod() -> Blueprint:
    return load_blueprint(SHOP, "prod")


@pytest.fixture(scope="module")
def dev() -> Blueprint:
    return load_blueprint(SHOP, "dev")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- what is written ------------------------------------------------------------------


def test_files_and_their_content(tmp_path: Path, prod: Blueprint) -> None:
    written = generate_project(prod, tmp_path)

    expected = {*SHARED, "Pulumi.prod.yaml", f"{BLUEPRINTS_DIR}/prod.json"}
    assert {str(p.relative_to(tmp_path)) for p in written} == expected
    assert set(snapshot(tmp_path)) == expected | {MANIFEST_NAME}

    project = read_yaml(tmp_path / "Pulumi.yaml")
    assert project["name"] == "shop"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert "scaffold generate" in project["description"]
    assert "backend" not in project  # the spec names none

    stack = read_yaml(tmp_path / "Pulumi.prod.yaml")
    assert stack == {"config": {"aws:region": "eu-west-1",
                                "aws:defaultTags": {"tags": dict(prod.tags)}}}
    assert stack["config"]["aws:defaultTags"]["tags"]["scaffold:environment"] == "prod"

    saved = Blueprint.model_validate_json((tmp_path / BLUEPRINTS_DIR / "prod.json").read_text())
    assert saved == prod
    assert (tmp_path / BLUEPRINTS_DIR / "prod.json").read_text() == prod.model_dump_json(indent=2) + "\n"

    pins = [line for line in (tmp_path / "requirements.txt").read_text().splitlines()
            if line and not line.startswith("#")]
    assert pins == [f"scaffold-iac=={scaffold.__version__}"] + [
        f"{name}=={importlib.metadata.version(name)}" for name in ("pulumi", "pulumi-aws", "pulumi-random")]

    readme = (tmp_path / "README.md").read_text()
    assert "pulumi up" in readme and "scaffold generate" in readme and "--force" in readme

    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["files"] == {rel: hashlib.sha256((tmp_path / rel).read_bytes()).hexdigest()
                                 for rel in expected}
    assert manifest["environments"] == {"prod": {"project": "shop", "backend": None}}


def test_backend_and_kms_secrets_provider(tmp_path: Path, dev: Blueprint) -> None:
    bp = dev.model_copy(update={"backend": "s3://acme-state/shop",
                                "secrets_provider": "awskms://alias/pulumi?region=us-east-1",
                                "tags": {"team": "shop: core", "cost-center": "42"}})
    generate_project(bp, tmp_path)

    assert read_yaml(tmp_path / "Pulumi.yaml")["backend"] == {"url": "s3://acme-state/shop"}
    stack = read_yaml(tmp_path / "Pulumi.dev.yaml")
    assert stack["secretsprovider"] == "awskms://alias/pulumi?region=us-east-1"
    assert stack["config"]["aws:defaultTags"] == {"tags": {"team": "shop: core", "cost-center": "42"}}


def test_passphrase_provider_writes_no_secretsprovider(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev.model_copy(update={"secrets_provider": "passphrase"}), tmp_path)
    assert "secretsprovider" not in read_yaml(tmp_path / "Pulumi.dev.yaml")


# -- the generated program is the plan ---------------------------------------------------


def run_generated(directory: Path, bp: Blueprint, monkeypatch: pytest.MonkeyPatch) -> OfflineRun:
    monkeypatch.chdir(directory)
    return run_offline(lambda: runpy.run_path(str(directory / "__main__.py"), run_name="__main__"),
                       project=bp.project, stack=bp.environment, region=bp.region)


def run_direct(bp: Blueprint) -> OfflineRun:
    return run_offline(build_program(bp), project=bp.project, stack=bp.environment, region=bp.region)


@pytest.mark.parametrize("env", ["prod", "dev"])
def test_generated_main_builds_what_the_program_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    bp = load_blueprint(SHOP, env)
    generate_project(load_blueprint(SHOP, "prod"), tmp_path)
    generate_project(load_blueprint(SHOP, "dev"), tmp_path)  # both stacks in one project

    generated = run_generated(tmp_path, bp, monkeypatch)
    direct = run_direct(bp)

    def by_key(run: OfflineRun) -> dict[tuple[str, str], dict[str, Any]]:
        return {(r.type, r.name): r.inputs for r in run.resources}

    assert set(by_key(generated)) == set(by_key(direct))
    assert len(generated.resources) == len(direct.resources) > 50
    assert by_key(generated) == by_key(direct)
    assert generated.outputs == direct.outputs
    # the right stack's blueprint was read: its physical names carry the environment
    assert any(r.inputs.get("name") == f"shop-{env}-jobs" for r in generated.of_type("aws:sqs/queue:Queue"))


def test_generated_main_without_blueprint_for_the_stack(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    staging = dev.model_copy(update={"environment": "staging"})
    with pytest.raises(pulumi.RunError, match=r"no blueprint for stack 'staging'.*generated stacks: dev"):
        run_generated(tmp_path, staging, monkeypatch)


def test_blueprint_folder_does_not_shadow_the_blueprints_package(tmp_path: Path, dev: Blueprint) -> None:
    # Pulumi runs __main__.py with the project folder first on sys.path.
    generate_project(dev, tmp_path)
    code = "import blueprints, stacks.program; assert blueprints.__file__, blueprints.__path__"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- overwrite safety -----------------------------------------------------------------


def test_regenerating_unchanged_writes_nothing(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    before = snapshot(tmp_path)
    assert generate_project(dev, tmp_path) == []
    assert snapshot(tmp_path) == before


def test_identical_files_without_a_manifest_are_fine(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    (tmp_path / MANIFEST_NAME).unlink()
    assert generate_project(dev, tmp_path) == []
    assert (tmp_path / MANIFEST_NAME).exists()


def test_refuses_to_overwrite_an_edited_file(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text() + "\nOur notes.\n")
    changed = dev.model_copy(update={"tags": {"team": "core"}})  # would rewrite Pulumi.dev.yaml too
    before = snapshot(tmp_path)

    with pytest.raises(UsageError) as caught:
        generate_project(changed, tmp_path)

    assert caught.value.exit_status == 2
    assert "README.md (edited since generated)" in caught.value.message
    assert "Pulumi.dev.yaml" not in caught.value.message  # unedited: would be overwritten
    assert snapshot(tmp_path) == before  # nothing at all was written


def test_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path, dev: Blueprint) -> None:
    (tmp_path / "__main__.py").write_text("print('my own program')\n")
    (tmp_path / "notes.txt").write_text("not ours, not touched\n")
    before = snapshot(tmp_path)

    with pytest.raises(UsageError, match=r"__main__\.py \(not written by scaffold\)"):
        generate_project(dev, tmp_path)

    assert snapshot(tmp_path) == before  # no manifest, no other file


def test_force_overwrites(tmp_path: Path, dev: Blueprint) -> None:
    (tmp_path / "__main__.py").write_text("print('my own program')\n")
    generate_project(dev, tmp_path, force=True)
    (tmp_path / "README.md").write_text("edited\n")

    written = generate_project(dev, tmp_path, force=True)

    assert written == [tmp_path / "README.md"]
    assert "pulumi up" in (tmp_path / "README.md").read_text()
    assert "build_stack" in (tmp_path / "__main__.py").read_text()
    assert generate_project(dev, tmp_path) == []  # the manifest records the new hashes


def test_generated_files_are_overwritten_when_the_spec_changes(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    changed = dev.model_copy(update={"region": "eu-central-1"})
    written = generate_project(changed, tmp_path)
    assert {p.name for p in written} == {"Pulumi.dev.yaml", "dev.json"}
    assert read_yaml(tmp_path / "Pulumi.dev.yaml")["config"]["aws:region"] == "eu-central-1"


def add_salt_as_pulumi_does(config: Path) -> None:
    """`pulumi stack init` re-serialises the stack config (no comments, its own order) and adds a salt."""
    config.write_text(yaml.safe_dump(read_yaml(config) | {"encryptionsalt": SALT}))


SALT = "v1:c2FsdA==:v1:aXY=:Y2lwaGVy"


def test_keys_written_by_pulumi_are_not_an_edit(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    config = tmp_path / "Pulumi.dev.yaml"
    add_salt_as_pulumi_does(config)
    before = config.read_bytes()

    assert generate_project(dev, tmp_path) == []  # says the same once the salt is set aside
    assert config.read_bytes() == before


def test_keys_written_by_pulumi_survive_a_spec_change(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    config = tmp_path / "Pulumi.dev.yaml"
    add_salt_as_pulumi_does(config)

    written = generate_project(dev.model_copy(update={"region": "eu-central-1"}), tmp_path)

    assert config in written
    kept = read_yaml(config)
    assert kept["encryptionsalt"] == SALT
    assert kept["config"]["aws:region"] == "eu-central-1"
    assert generate_project(dev.model_copy(update={"region": "eu-central-1"}), tmp_path) == []


def test_a_config_value_set_by_a_user_is_an_edit(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    config = tmp_path / "Pulumi.dev.yaml"
    add_salt_as_pulumi_does(config)
    data = read_yaml(config)
    data["config"]["shop:extra"] = "value"  # pulumi config set shop:extra value
    config.write_text(yaml.safe_dump(data))
    changed = dev.model_copy(update={"tags": {"a": "b"}})

    with pytest.raises(UsageError, match=r"Pulumi\.dev\.yaml \(edited since generated\)"):
        generate_project(changed, tmp_path)

    generate_project(changed, tmp_path, force=True)
    forced = read_yaml(config)
    assert "shop:extra" not in forced["config"] and forced["encryptionsalt"] == SALT


# -- several environments ------------------------------------------------------------


def test_two_environments_into_one_folder(tmp_path: Path, prod: Blueprint, dev: Blueprint) -> None:
    generate_project(prod, tmp_path)
    shared = {rel: (tmp_path / rel).read_bytes() for rel in SHARED}

    written = generate_project(dev, tmp_path)

    assert {str(p.relative_to(tmp_path)) for p in written} == {"Pulumi.dev.yaml", f"{BLUEPRINTS_DIR}/dev.json"}
    assert {rel: (tmp_path / rel).read_bytes() for rel in SHARED} == shared
    assert read_yaml(tmp_path / "Pulumi.prod.yaml")["config"]["aws:region"] == "eu-west-1"
    assert read_yaml(tmp_path / "Pulumi.dev.yaml")["config"]["aws:region"] == "us-east-1"
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert set(manifest["environments"]) == {"dev", "prod"}
    assert {"Pulumi.dev.yaml", "Pulumi.prod.yaml", f"{BLUEPRINTS_DIR}/dev.json",
            f"{BLUEPRINTS_DIR}/prod.json"} <= set(manifest["files"])
    assert generate_project(prod, tmp_path) == [] and generate_project(dev, tmp_path) == []


def test_environments_with_different_backends_refused(tmp_path: Path, prod: Blueprint, dev: Blueprint) -> None:
    generate_project(prod.model_copy(update={"backend": "s3://a"}), tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match=r"one Pulumi\.yaml has one backend"):
        generate_project(dev.model_copy(update={"backend": "s3://b"}), tmp_path)
    assert snapshot(tmp_path) == before


def test_another_project_refused(tmp_path: Path, dev: Blueprint) -> None:
    generate_project(dev, tmp_path)
    other = dev.model_copy(update={"project": "billing", "environment": "prod"})
    with pytest.raises(UsageError, match="holds project 'shop'"):
        generate_project(other, tmp_path)


# -- the command ----------------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["generate", "-f", str(SHOP), *args])


def test_command_writes_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "infra"
    result = invoke("-e", "prod", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "generated 'prod' (shop)" in result.stdout and "6 files written" in result.stdout
    assert (out / "Pulumi.prod.yaml").exists()

    again = invoke("-e", "prod", "--out", str(out))
    assert again.exit_code == 0 and "up to date" in again.stdout


def test_command_refuses_with_exit_2_and_force_overwrites(tmp_path: Path) -> None:
    assert invoke("-e", "dev", "--out", str(tmp_path)).exit_code == 0
    (tmp_path / "requirements.txt").write_text("pulumi\n")
    before = snapshot(tmp_path)

    refused = invoke("-e", "prod", "--out", str(tmp_path))
    assert refused.exit_code == 2
    assert "requirements.txt (edited since generated)" in refused.stderr
    assert "--force" in refused.stderr
    assert snapshot(tmp_path) == before

    forced = invoke("-e", "prod", "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "Pulumi.prod.yaml").exists()
    assert "scaffold-iac==" in (tmp_path / "requirements.txt").read_text()


def test_command_usage_errors(tmp_path: Path) -> None:
    assert invoke("-e", "nope", "--out", str(tmp_path)).exit_code == 2
    assert invoke("-e", "dev").exit_code == 2  # --out is required
    assert list(tmp_path.iterdir()) == []


def test_command_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["generate", "--help"])
    assert result.exit_code == 0
    assert "scaffold generate -e prod --out" in result.stdout
