"""A real round trip through the Automation API: deploy one SQS queue, read outputs, destroy.

Skipped unless the ``pulumi`` CLI is on PATH and AWS is reachable: credentials in
the environment (``AWS_ACCESS_KEY_ID``, ``AWS_PROFILE``, web identity) or an
emulator endpoint (``AWS_ENDPOINT_URL``, e.g. LocalStack). How to run it:
docs/_parts/deploy-integration.md. State goes to a file backend under tmp_path
and secrets use a throwaway passphrase, so nothing outside AWS is touched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

CREDENTIAL_VARS = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                   "AWS_ENDPOINT_URL")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("pulumi") is None, reason="needs the `pulumi` CLI on PATH"),
    pytest.mark.skipif(not any(os.environ.get(v) for v in CREDENTIAL_VARS),
                       reason="needs AWS credentials or AWS_ENDPOINT_URL"),
]

# For an emulator: skip the calls LocalStack-like endpoints do not answer faithfully.
EMULATOR_CONFIG = {"aws:skipCredentialsValidation": "true",
                   "aws:skipRequestingAccountId": "true",
                   "aws:skipMetadataApiCheck": "true"}


def one_queue() -> None:
    import pulumi
    import pulumi_aws as aws

    queue = aws.sqs.Queue("jobs", message_retention_seconds=3600)
    pulumi.export("queue_url", queue.url)


def test_deploy_outputs_destroy_one_queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pulumi.automation import ConfigValue

    from stacks import deploy
    from stacks.deploy import StackRunner, StackTarget

    if os.environ.get("AWS_ENDPOINT_URL"):
        base = deploy.stack_config
        monkeypatch.setattr(deploy, "stack_config", lambda target: {
            **base(target), **{k: ConfigValue(v) for k, v in EMULATOR_CONFIG.items()}})

    run_id = uuid.uuid4().hex[:8]
    blueprint = SimpleNamespace(
        project="scaffold-it", environment=f"it{run_id}", profile="dev",
        region=os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1")),
        backend=(tmp_path / "state").as_uri(), secrets_provider=None,
        tags={"scaffold:test": run_id},
    )
    (tmp_path / "state").mkdir()
    spec = tmp_path / "scaffold.yaml"
    environ = {**os.environ, "PULUMI_CONFIG_PASSPHRASE": "integration-only"}
    target = StackTarget.from_blueprint(blueprint, spec, environ=environ)
    steps: list[Any] = []
    runner = StackRunner(target, one_queue, on_step=steps.append)
    try:
        assert runner.preview().changes.get("create", 0) >= 1
        deployed = runner.up()
        assert deployed.changes.get("create", 0) >= 1
        assert "queue_url" in deployed.outputs
        assert any(s.type == "aws:sqs/queue:Queue" and s.status == "done" for s in steps)
        url, secret = runner.outputs()["queue_url"]
        assert url == deployed.outputs["queue_url"] and not secret
    finally:
        destroyed = runner.destroy()
    assert destroyed.changes.get("delete", 0) >= 1
