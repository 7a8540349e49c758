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
