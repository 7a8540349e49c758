"""Bucket: S3 bucket name, retain, Block Public Access, ownership, TLS-only policy, SSE, versioning,
lifecycle, link; dev against production side by side."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pulumi
import pytest

from blueprints.base import StackContext
from blueprints.bucket import Bucket, BucketSettings
from blueprints.bucket.settings import bucket_name, bucket_name_problems, link_variables
from blueprints.constraints import SettingsError

DEV = BucketSettings()
PROD = BucketSettings(versioning=True, encryption="kms", expire_after_days=365,
                      abort_incomplete_multipart_days=3, retain=True)
ACCOUNT = "123456789012"  # stacks.mocks.FABRICATED_ACCOUNT_ID
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"


def build(offline: Any, settings: BucketSettings, *, name: str = "uploads", stack: str = "dev",
          region: str = "us-east-1", **kwargs: Any) -> tuple[Any, Bucket]:
    built: list[Bucket] = []

    def program() -> None:
        bucket = Bucket(name, settings, context=StackContext(project="shop", environment=stack), **kwargs)
        link = bucket.link()
        pulumi.export("env", dict(link.environment))
        pulumi.export("statements", list(link.iam_statements))
        built.append(bucket)

    return offline(program, stack=stack, region=region), built[0]


def one(run: Any, type_token: str) -> Any:
    (resource,) = run.of_type(f"aws:s3/{type_token}")
    return resource


def test_bucket_name_carries_account_and_region_and_is_never_force_destroyed(offline: Any) -> None:
    dev, _ = build(offline, DEV)
    prod, _ = build(offline, PROD, stack="prod", region="eu-west-1")
    (dev_bucket,), (prod_bucket,) = dev.of_type(BUCKET), prod.of_type(BUCKET)
    assert dev_bucket.inputs["bucket"] == f"shop-dev-uploads-{ACCOUNT}-us-east-1"
    assert prod_bucket.inputs["bucket"] == f"shop-prod-uploads-{ACCOUNT}-eu-west-1"
    assert prod_bucket.outputs["arn"] == f"arn:aws:s3:::shop-prod-uploads-{ACCOUNT}-eu-west-1"
    assert dev_bucket.inputs["forceDestroy"] is False
    assert prod_bucket.inputs["forceDestroy"] is False


def test_production_retains_bucket_and_key_and_dev_deletes_them(offline: Any) -> None:
    dev, _ = build(offline, DEV)
    prod, bucket = build(offline, PROD, stack="prod")
    kept = {"dev": {r.name for r in dev.resources if r.custom and r.retain_on_delete},
            "prod": {r.name for r in prod.resources if r.custom and r.retain_on_delete}}
    deleted = {"dev": {r.name for r in dev.resources if r.custom and not r.retain_on_delete},
               "prod": {r.name for r in prod.resources if r.custom and not r.retain_on_delete}}
    configurations = {"uploads-ownership", "uploads-public-access", "uploads-policy", "uploads-encryption",
                      "uploads-lifecycle"}
    # the protective configurations are never deleted on their own: S3 deletes them with the bucket
    assert kept == {"dev": configurations, "prod": configurations | {"uploads-bucket", "uploads-key"}}
    # deleting the versioning resource suspends versioning: that is what turning it off means
    assert deleted == {"dev": {"uploads-bucket"}, "prod": {"uploads-versioning"}}
    assert bucket.key is not None


def test_the_key_outlives_the_bucket(offline: Any) -> None:
    prod, _ = build(offline, PROD, stack="prod")
    assert prod.named("uploads-key").urn in prod.named("uploads-bucket").depends_on


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_all_four_public_access_flags_and_acls_disabled(offline: Any, settings: BucketSettings) -> None:
    run, _ = build(offline, settings)
    (bucket,) = run.of_type(BUCKET)
    block = one(run, "bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs == {"bucket": bucket.id, "blockPublicAcls": True, "blockPublicPolicy": True,
                            "ignorePublicAcls": True, "restrictPublicBuckets": True}
    ownership = one(run, "bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs == {"bucket": bucket.id, "rule": {"objectOwnership": "BucketOwnerEnforced"}}


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_policy_denies_every_request_without_tls(offline: Any, settings: BucketSettings) -> None:
    run, _ = build(offline, settings)
    (bucket,) = run.of_type(BUCKET)
    policy = one(run, "bucketPolicy:BucketPolicy")
    arn = bucket.outputs["arn"]
    assert policy.inputs["bucket"] == bucket.id
    assert json.loads(policy.inputs["policy"]) == {"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]}


def test_sse_s3_in_dev_and_sse_kms_with_its_own_rotated_key_in_production(offline: Any) -> None:
    dev, _ = build(offline, DEV)
    assert dev.of_type(KEY) == []
    assert one(dev, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs[
        "rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]

    prod, _ = build(offline, PROD, stack="prod")
    (key,) = prod.of_type(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert "policy" not in key.inputs  # the default key policy: IAM policies decide
    assert one(prod, "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs[
        "rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                              "kmsMasterKeyId": key.outputs["arn"]},
                      "bucketKeyEnabled": True}]


def test_versioning_only_when_asked(offline: Any) -> None:
    dev, bucket = build(offline, DEV)
    assert dev.of_type("aws:s3/bucketVersioning:BucketVersioning") == [] and bucket.versioning is None
    prod, _ = build(offline, PROD, stack="prod")
    (prod_bucket,) = prod.of_type(BUCKET)
    assert one(prod, "bucketVersioning:BucketVersioning").inputs == {
        "bucket": prod_bucket.id, "versioningConfiguration": {"status": "Enabled"}}


def test_lifecycle_rules_side_by_side(offline: Any) -> None:
    every = {"prefix": ""}
    dev, _ = build(offline, DEV)
    assert one(dev, "bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"] == [
        {"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": every,
         "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7}},
    ]
    prod, _ = build(offline, PROD, stack="prod")
    assert one(prod, "bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"] == [
        {"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": every,
         "abortIncompleteMultipartUpload": {"daysAfterInitiation": 3}},
        {"id": "expire-objects", "status": "Enabled", "filter": every,
         "expiration": {"days": 365}, "noncurrentVersionExpiration": {"noncurrentDays": 365}},
    ]


def test_unversioned_expiry_has_no_noncurrent_rule(offline: Any) -> None:
    run, _ = build(offline, BucketSettings(expire_after_days=30))
    rules = one(run, "bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rules[1] == {"id": "expire-objects", "status": "Enabled", "filter": {"prefix": ""},
                        "expiration": {"days": 30}}


def test_bucket_configurations_are_applied_one_after_another(offline: Any) -> None:
    """S3 answers concurrent configuration changes of one bucket with 409 OperationAborted."""
    prod, _ = build(offline, PROD, stack="prod")
    urn = {r.name: r.urn for r in prod.resources}
    order = ["uploads-ownership", "uploads-public-access", "uploads-policy", "uploads-encryption",
             "uploads-versioning", "uploads-lifecycle"]
    for previous, current in itertools.pairwise(order):
        assert urn[previous] in prod.named(current).depends_on, current
    dev, _ = build(offline, DEV)
    assert {r.urn for r in dev.resources if r.name == "uploads-encryption"} <= set(
        dev.named("uploads-lifecycle").depends_on)


def test_link_gives_the_name_and_exactly_the_object_and_list_actions(offline: Any) -> None:
    run, bucket = build(offline, DEV, name="user-uploads")
    (resource,) = run.of_type(BUCKET)
    arn, name = resource.outputs["arn"], resource.outputs["bucket"]
    assert run.outputs["env"] == {"USER_UPLOADS_BUCKET_NAME": name}
    assert run.outputs["statements"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": f"{arn}/*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": arn},
    ]
    link = bucket.link()
    assert link.security_group_id is None and link.port is None
    assert not link.secrets and not link.secret_arns
    assert link_variables("user-uploads", DEV) == {v: "environment" for v in run.outputs["env"]}


def test_kms_link_adds_decrypt_and_generate_data_key_on_the_key_through_s3(offline: Any) -> None:
    run, _ = build(offline, PROD, stack="prod", region="eu-west-1")
    (resource,), (key,) = run.of_type(BUCKET), run.of_type(KEY)
    arn = resource.outputs["arn"]
    assert run.outputs["statements"] == [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": f"{arn}/*"},
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": arn},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key.outputs["arn"],
         "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}},
    ]


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_every_taggable_resource_is_tagged_and_parented(offline: Any, settings: BucketSettings) -> None:
    run, _ = build(offline, settings, stack="prod")
    (component,) = run.of_type("scaffold:blueprints:Bucket")
    assert all(r.parent == component.urn for r in run.resources if r.custom)
    for r in run.resources:
        if r.type in (BUCKET, KEY):
            assert r.inputs["tags"] == {"scaffold:project": "shop", "scaffold:environment": "prod",
                                        "scaffold:component": "uploads"}, r.name


def test_component_outputs_and_attributes(offline: Any) -> None:
    run, bucket = build(offline, DEV)
    assert isinstance(bucket.bucket_name, pulumi.Output) and isinstance(bucket.arn, pulumi.Output)
    (resource,) = run.of_type(BUCKET)
    assert resource.outputs["bucket"] == f"shop-dev-uploads-{ACCOUNT}-us-east-1"


def test_long_names_keep_account_and_region_within_63_characters(offline: Any) -> None:
    run, _ = build(offline, DEV, name="customer-uploads-" + "x" * 70, region="ap-southeast-3")
    (resource,) = run.of_type(BUCKET)
    name = resource.inputs["bucket"]
    assert len(name) == 63
    assert name.endswith(f"-{ACCOUNT}-ap-southeast-3")
    assert bucket_name_problems("shop", "dev", "customer-uploads-" + "x" * 70, region="ap-southeast-3") == []


def test_a_name_s3_refuses_fails_before_anything_is_registered(offline: Any) -> None:
    assert bucket_name("sthree", "dev", "uploads", account=ACCOUNT, region="us-east-1").startswith("sthree-")
    assert bucket_name_problems("sthree", "dev", "uploads", region="us-east-1") == ['must not start with "sthree-"']
    assert bucket_name_problems("amzn-s3-demo", "dev", "x", region="us-east-1") == [
        'must not start with "amzn-s3-demo-"']

    def program() -> None:
        Bucket("uploads", DEV, context=StackContext(project="sthree", environment="dev"))

    with pytest.raises(Exception, match="sthree-"):
        offline(program)


def test_names_ending_in_the_account_regional_suffix_are_refused() -> None:
    from blueprints.naming import name_problems

    assert name_problems("s3_bucket", "shop-dev-uploads-an") == ['must not end with "-an"']


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"encryption": "aws:kms"}, "encryption"),
    ({"expire_after_days": 0}, "expire_after_days"),
    ({"expire_after_days": 2 ** 31}, "expire_after_days"),
    ({"expire_after_days": True}, "expire_after_days"),
    ({"abort_incomplete_multipart_days": 0}, "abort_incomplete_multipart_days"),
    ({"abort_incomplete_multipart_days": -1}, "abort_incomplete_multipart_days"),
])
def test_every_problem_names_its_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(SettingsError) as caught:
        BucketSettings(**kwargs)
    assert [p.field for p in caught.value.problems] == [field]
    assert all(p.source.startswith("https://docs.aws.amazon.com/") for p in caught.value.problems)


def test_largest_day_counts_are_accepted() -> None:
    settings = BucketSettings(expire_after_days=2 ** 31 - 1, abort_incomplete_multipart_days=1)
    assert settings.expire_after_days == 2147483647


def test_settings_import_no_pulumi() -> None:
    import subprocess
    import sys

    code = ("import sys, blueprints.bucket.settings, blueprints.bucket; blueprints.bucket.BucketSettings; "
            "sys.exit('pulumi' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
