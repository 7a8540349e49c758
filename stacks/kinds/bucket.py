"""Wiring of the ``bucket`` kind: a private S3 bucket, built with the other storage.

Spec: :mod:`scaffold.spec.kinds.bucket`; component: :mod:`blueprints.bucket`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.bucket.settings import BucketSettings, bucket_name, link_variables
from stacks.kinds import STORAGE, StackBuild, Wiring
from stacks.settings import DAY

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.kinds.bucket import BucketBlueprint


def bucket_settings(c: BucketBlueprint, bp: Blueprint) -> BucketSettings:
    """The settings of a bucket component; ``expire_after`` in whole days (validate refuses the rest)."""
    return BucketSettings(versioning=c.versioning, encryption=c.encryption, retain=c.retain,
                          expire_after_days=None if c.expire_after is None else c.expire_after // DAY)


def build(name: str, c: BucketBlueprint, settings: BucketSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.bucket.Bucket`."""
    from blueprints.bucket import Bucket

    return Bucket(name, settings, context=stack.context, alarm_topic_arn=stack.alarm_topic_arn)


def exports(bucket: Any) -> dict[str, Any]:
    """The bucket's name and ARN."""
    return {"name": bucket.bucket_name, "arn": bucket.arn}


def physical_names(n: Any, c: BucketBlueprint) -> None:
    """The bucket's name (:func:`blueprints.bucket.settings.bucket_name`), unique in the partition."""
    from scaffold.spec.names import PLACEHOLDER_ACCOUNT_ID

    n.add("aws:s3/bucket:Bucket", "bucket",
          bucket_name(n.bp.project, n.bp.environment, n.component, account=PLACEHOLDER_ACCOUNT_ID,
                      region=n.bp.region), "s3_bucket")


#: The bucket's children: logical-name suffix -> resource types.
CHILDREN: dict[str, tuple[str, ...]] = {
    "key": ("aws:kms/key:Key",),
    "bucket": ("aws:s3/bucket:Bucket",),
    "ownership": ("aws:s3/bucketOwnershipControls:BucketOwnershipControls",),
    "public-access": ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",),
    "policy": ("aws:s3/bucketPolicy:BucketPolicy",),
    "encryption": ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",),
    "versioning": ("aws:s3/bucketVersioning:BucketVersioning",),
    "lifecycle": ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",),
}


def children(c: BucketBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN`."""
    return dict(CHILDREN)


WIRING = Wiring(kind="bucket", phase=STORAGE, settings=bucket_settings, build=build, exports=exports,
                spec_fields={"expire_after_days": "expire_after"}, day_fields=("expire_after",),
                link_variables=link_variables, physical_names=physical_names, children=children)
