"""The ``bucket`` kind in the spec: profile defaults, validation through the CLI, the link's
variables, the predicted name, and a plan (``scaffold plan --json``) with its resources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.spec.loader import check_file
from scaffold.spec.names import physical_names

SPEC = """\
scaffold: 1
name: shop
region: us-east-1
environments:
  dev: {{profile: dev}}
  staging: {{profile: staging}}
  prod: {{profile: production, region: eu-west-1}}
components:
  uploads:
    kind: bucket
{fields}  api:
    kind: api
    image: ghcr.io/acme/api:1
    public: false
    uses: [uploads]
"""
ACCOUNT = "123456789012"  # the fabricated and the placeholder account id


def _write(tmp_path: Path, fields: str = "") -> Path:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(fields=fields))
    return spec


def _plan(spec: Path, env: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["plan", "-f", str(spec), "-e", env, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _of(plan: dict[str, Any], type_token: str, component: str | None = "uploads") -> list[dict[str, Any]]:
    """The resources of one type (of one component; the production API has an access-log bucket)."""
    return [r for r in plan["resources"] if r["type"] == type_token and component in (None, r["component"])]


def test_profiles_side_by_side(tmp_path: Path) -> None:
    checked = check_file(_write(tmp_path))
    got = {env: bp.components["uploads"].model_dump() for env, bp in checked.blueprints.items()}
    assert got == {
        "dev": {"kind": "bucket", "versioning": False, "encryption": "s3", "expire_after": None, "retain": False},
        "staging": {"kind": "bucket", "versioning": True, "encryption": "s3", "expire_after": None, "retain": False},
        "prod": {"kind": "bucket", "versioning": True, "encryption": "s3", "expire_after": None, "retain": True},
    }


def test_spec_fields_override_the_profile(tmp_path: Path) -> None:
    checked = check_file(_write(tmp_path, "    versioning: false\n    encryption: kms\n"
                                          "    expire_after: 2w\n    retain: false\n"))
    prod = checked.blueprints["prod"].components["uploads"]
    assert (prod.versioning, prod.encryption, prod.expire_after, prod.retain) == (False, "kms", 14 * 86400, False)


def test_valid_spec_exits_0_and_a_part_day_expiry_exits_2_at_its_line(tmp_path: Path) -> None:
    ok = CliRunner().invoke(app, ["validate", "-f", str(_write(tmp_path, "    expire_after: 30d\n"))])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(app, ["validate", "-f", str(_write(tmp_path, "    expire_after: 36h\n"))])
    assert bad.exit_code == 2
    assert "scaffold.yaml:11:19: error: components.uploads.expire_after: must be whole days, got 129600 seconds" \
        in bad.output
    assert "Traceback" not in bad.output


def test_link_variables_and_predicted_name(tmp_path: Path) -> None:
    from stacks.kinds import WIRING
    from stacks.settings import link_variables

    bp = check_file(_write(tmp_path)).blueprints["prod"]
    settings = WIRING["bucket"].settings(bp.components["uploads"], bp)
    assert link_variables("bucket", "uploads", settings) == {"UPLOADS_BUCKET_NAME": "environment"}
    names = [p for p in physical_names(bp) if p.component == "uploads"]
    assert [(p.type, p.field, p.name, p.rule) for p in names] == [
        ("aws:s3/bucket:Bucket", "bucket", f"shop-prod-uploads-{ACCOUNT}-eu-west-1", "s3_bucket")]


def test_plan_dev_and_production(tmp_path: Path) -> None:
    spec = _write(tmp_path, "    encryption: kms\n    expire_after: 90d\n")
    dev, prod = _plan(spec, "dev"), _plan(spec, "prod")
    for plan, region in ((dev, "us-east-1"), (prod, "eu-west-1")):
        name = f"shop-{plan['stack']}-uploads-{ACCOUNT}-{region}"
        (bucket,) = _of(plan, "aws:s3/bucket:Bucket")
        assert bucket["inputs"]["bucket"] == name and bucket["inputs"]["forceDestroy"] is False
        assert plan["outputs"]["uploads"] == {"name": name, "arn": f"arn:aws:s3:::{name}"}
        (key,) = _of(plan, "aws:kms/key:Key")
        (task,) = _of(plan, "aws:ecs/taskDefinition:TaskDefinition", "api")
        (container,) = json.loads(task["inputs"]["containerDefinitions"])
        assert {"name": "UPLOADS_BUCKET_NAME", "value": name} in container["environment"]
        (policy,) = [r for r in _of(plan, "aws:iam/rolePolicy:RolePolicy", "api") if r["name"] == "api-task-policy"]
        assert json.loads(policy["inputs"]["policy"])["Statement"] == [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": f"arn:aws:s3:::{name}/*"},
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": f"arn:aws:s3:::{name}"},
            {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key["arn"],
             "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}},
        ]
        (lifecycle,) = _of(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        assert lifecycle["inputs"]["rules"][1]["expiration"] == {"days": 90}
    # versioning: off in dev, on in production (so noncurrent versions expire too)
    assert _of(dev, "aws:s3/bucketVersioning:BucketVersioning") == []
    (versioning,) = _of(prod, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning["inputs"]["versioningConfiguration"] == {"status": "Enabled"}
    (lifecycle,) = _of(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle["inputs"]["rules"][1]["noncurrentVersionExpiration"] == {"noncurrentDays": 90}


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_plan_creates_every_protection(tmp_path: Path, env: str) -> None:
    plan = _plan(_write(tmp_path), env)
    (block,) = _of(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block["inputs"][flag] is True for flag in
               ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    (ownership,) = _of(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["inputs"]["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (policy,) = _of(plan, "aws:s3/bucketPolicy:BucketPolicy")
    (statement,) = json.loads(policy["inputs"]["policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (sse,) = _of(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse["inputs"]["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]
