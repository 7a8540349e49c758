"""The offline engine: fabricated values, duplicate detection and invokes."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from stacks.mocks import DuplicateResourceError, run_offline


def test_duplicate_type_and_name_is_rejected_like_the_real_engine() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs")
        aws.sqs.Queue("jobs")

    with pytest.raises(DuplicateResourceError, match="type 'aws:sqs/queue:Queue' name 'jobs'"):
        run_offline(program, project="p", stack="s")


def test_same_name_of_another_type_is_fine() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs")
        aws.sns.Topic("jobs")

    assert len(run_offline(program, project="p", stack="s").resources) == 2


def test_fabricated_values_are_deterministic_and_follow_the_region() -> None:
    def program() -> None:
        queue = aws.sqs.Queue("jobs", name="shop-dev-jobs")
        pulumi.export("url", queue.url)
        pulumi.export("azs", aws.get_availability_zones_output(state="available").names)
        pulumi.export("account", aws.get_caller_identity_output().account_id)

    first = run_offline(program, project="p", stack="s", region="eu-west-1")
    second = run_offline(program, project="p", stack="s", region="eu-west-1")
    assert first.outputs == second.outputs
    assert first.outputs["url"] == "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-dev-jobs"
    assert first.outputs["azs"][:3] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert first.outputs["account"] == "123456789012"


def test_each_run_starts_clean() -> None:
    def program() -> None:
        aws.sqs.Queue("jobs")

    run_offline(program, project="p", stack="s")
    assert len(run_offline(program, project="p", stack="s").resources) == 1  # no leftover registry


@pytest.mark.parametrize(("region", "partition", "suffix"), [
    ("eu-west-1", "aws", "amazonaws.com"), ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
    ("us-gov-west-1", "aws-us-gov", "amazonaws.com")])
def test_get_partition_follows_the_region(region: str, partition: str, suffix: str) -> None:
    def program() -> None:
        info = aws.get_partition_output()
        pulumi.export("partition", info.partition)
        pulumi.export("suffix", info.dns_suffix)
        pulumi.export("queue", aws.sqs.Queue("jobs", name="shop-dev-jobs").arn)

    run = run_offline(program, project="p", stack="s", region=region)
    assert (run.outputs["partition"], run.outputs["suffix"]) == (partition, suffix)
    assert run.outputs["queue"] == f"arn:{partition}:sqs:{region}:123456789012:shop-dev-jobs"


def test_ids_have_the_shape_the_provider_gives_them() -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("logs", bucket="shop-dev-logs")
        aws.s3.BucketPolicy("logs-policy", bucket=bucket.id, policy="{}")
        secret = aws.secretsmanager.Secret("token", name="shop-dev-token")
        aws.secretsmanager.SecretVersion("token", secret_id=secret.id, secret_string="x")
        key = aws.kms.Key("key")
        aws.kms.Alias("key", name="alias/shop-dev", target_key_id=key.key_id)

    run = run_offline(program, project="p", stack="s", region="eu-west-1")
    assert run.named("logs").id == "shop-dev-logs"
    assert run.named("logs-policy").inputs["bucket"] == "shop-dev-logs"
    secret = run.of_type("aws:secretsmanager/secret:Secret")[0]
    assert secret.id == secret.outputs["arn"]
    assert secret.id.startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop-dev-token-")
    assert run.of_type("aws:secretsmanager/secretVersion:SecretVersion")[0].inputs["secretId"] == secret.id
    key = run.of_type("aws:kms/key:Key")[0]
    alias = run.of_type("aws:kms/alias:Alias")[0]
    assert alias.inputs["targetKeyId"] == key.id == key.outputs["keyId"]
    assert alias.outputs["arn"] == "arn:aws:kms:eu-west-1:123456789012:alias/shop-dev"


def test_a_resource_without_a_name_is_auto_named_not_called_by_its_logical_name() -> None:
    def program() -> None:
        aws.iam.Role("exec", assume_role_policy="{}")

    (role,) = run_offline(program, project="p", stack="s").resources
    assert role.id != "exec" and role.id.startswith("exec-") and len(role.id) == len("exec-") + 7


def test_an_offline_run_closes_the_previous_runs_event_loop() -> None:
    """Each plan made an event loop and left it open (a selector and a self-pipe, 3 descriptors,
    until the garbage collector came by): the test suite ran out of select()-able descriptors.
    Only the latest run's loop stays open, so that its outputs can still be read."""
    import asyncio

    from stacks.mocks import run_offline

    def program() -> None:
        from blueprints.base import StackContext
        from blueprints.queue import Queue, QueueSettings

        Queue("jobs", QueueSettings(), context=StackContext(project="p", environment="s"))

    run_offline(program, project="p", stack="s")
    first = asyncio.get_event_loop_policy().get_event_loop()
    assert not first.is_closed()  # the latest run's outputs stay readable
    run_offline(program, project="p", stack="s")
    assert first.is_closed()
