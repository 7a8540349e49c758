"""An S3 general purpose bucket: private, encrypted, TLS-only, with a lifecycle, kept in production.

:class:`Bucket` builds, as children of one component resource:

* with ``encryption="kms"``, an ``aws.kms.Key`` of the bucket's own, rotated yearly, with the
  default key policy (the account's IAM policies decide who may use it:
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
* the bucket (``aws.s3.Bucket``) named by :func:`blueprints.bucket.settings.bucket_name`
  (``<project>-<env>-<component>-<account id>-<region>``), never ``force_destroy``;
* ``aws.s3.BucketOwnershipControls`` ``BucketOwnerEnforced``: ACLs are disabled and the
  bucket's account owns every object, whoever wrote it;
* ``aws.s3.BucketPublicAccessBlock`` with all four flags on;
* ``aws.s3.BucketPolicy`` that denies every request made without TLS
  (``aws:SecureTransport`` false) on the bucket and its objects (:func:`bucket_policy`);
* ``aws.s3.BucketServerSideEncryptionConfiguration``: SSE-S3 (``AES256``), or SSE-KMS with the
  key and the S3 Bucket Key on (fewer KMS requests, lower cost);
* with ``versioning``, ``aws.s3.BucketVersioning`` ``Enabled`` (turning it off later deletes
  the resource, which suspends versioning: versions already kept stay);
* ``aws.s3.BucketLifecycleConfiguration`` (:func:`lifecycle_rules`): unfinished multipart
  uploads are aborted after ``abort_incomplete_multipart_days``; with ``expire_after_days``,
  current versions expire after that many days and, in a versioned bucket, noncurrent
  versions that many days after they became noncurrent (S3 then also removes the delete
  markers left with no version behind them). A versioned bucket without
  ``expire_after_days`` keeps noncurrent versions until someone deletes them.

The bucket-level configurations are applied one after another (each ``depends_on`` the
previous): S3 answers concurrent changes to one bucket's configuration with ``409
OperationAborted`` (pulumi/pulumi-aws#1570, hashicorp/terraform-provider-aws#7628 and #33552).

**Retain.** With ``settings.retain`` (production), the bucket and the key have
``retain_on_delete``: destroying the stack or removing the component leaves them in AWS and only
drops them from the Pulumi state (deploying the component again then needs ``pulumi import`` of
the bucket, whose name is taken). Without it (dev), destroy deletes the bucket, and S3 deletes a
bucket only when it is empty: the bucket is never ``force_destroy``, so a destroy fails while
objects remain, rather than deleting data. The bucket waits for the key (``depends_on``), so a
destroy deletes the key only after the bucket is gone.

The protective configurations (ownership, public access block, policy, encryption, lifecycle)
always have ``retain_on_delete``: deleting them would only strip a bucket that stays (retained,
or not empty) of its protection, or, on a replacement, remove the configuration the new resource
just wrote; S3 deletes them with the bucket. Versioning is the exception: deleting it suspends
versioning, which is what turning ``versioning`` off means.

Pulumi registry: https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucket/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketpolicy/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketlifecycleconfiguration/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/kms/key/
"""

from __future__ import annotations

import json
from typing import Any

import pulumi

from blueprints import aws
from blueprints.base import Component, Link, StackContext
from blueprints.bucket.settings import (
    KEY_DELETION_WINDOW,
    LINK_BUCKET_ACTIONS,
    LINK_KMS_ACTIONS,
    LINK_OBJECT_ACTIONS,
    PLACEHOLDER_ACCOUNT,
    SSE_ALGORITHMS,
    BucketSettings,
    bucket_name,
    link_variables,
)
from blueprints.naming import checked_name

#: Object ownership that disables ACLs: the bucket owner owns every object.
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html;
#: terraform-provider-aws internal/service/s3/bucket_ownership_controls.go (``object_ownership``:
#: enum ``types.ObjectOwnership``: BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter).
OBJECT_OWNERSHIP = "BucketOwnerEnforced"


class Bucket(Component):
    """A private S3 bucket, encrypted, TLS-only, with a lifecycle; kept on destroy with ``retain``.

    Args:
        name: The component's name, e.g. ``"uploads"``.
        settings: The bucket's behaviour.
        context: The project and environment.
        alarm_topic_arn: Accepted for a uniform component signature; the bucket has no alarms.
        opts: Passed to the component resource; children inherit them.

    Raises:
        ValueError: S3 would refuse the bucket's name (a project or environment that makes it
            start with a reserved prefix such as ``sthree-``); see
            :func:`blueprints.bucket.settings.bucket_name_problems`.

    Attributes:
        key: The SSE-KMS ``aws.kms.Key``, or ``None`` with ``encryption="s3"``.
        bucket: The ``aws.s3.Bucket``.
        ownership_controls, public_access_block, policy, encryption, lifecycle: The
            ``aws.s3.BucketOwnershipControls``, ``BucketPublicAccessBlock``, ``BucketPolicy``,
            ``BucketServerSideEncryptionConfiguration`` and ``BucketLifecycleConfiguration``.
        versioning: The ``aws.s3.BucketVersioning``, or ``None`` without ``versioning``.
        bucket_name: ``Output[str]``, the bucket's name (the ``name`` export).
        arn: ``Output[str]``, ``arn:<partition>:s3:::<name>`` (the ``arn`` export).
    """

    KIND = "Bucket"

    def __init__(
        self,
        name: str,
        settings: BucketSettings,
        *,
        context: StackContext,
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Fail before registering anything: the account id and region only change digits and
        # the region at the end of the name, which never decide whether S3 accepts it.
        checked_name("s3_bucket", bucket_name(context.project, context.environment, name,
                                              account=PLACEHOLDER_ACCOUNT, region="us-east-1"))
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        retain: dict[str, Any] = {"retain_on_delete": True} if settings.retain else {}
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region
        dns_suffix = aws.get_partition_output(opts=invoke).dns_suffix

        self.key: aws.kms.Key | None = None
        if settings.encryption == "kms":
            self.key = aws.kms.Key(
                self.logical_name("key"),
                description=f"Encrypts the objects of the {self.physical_name()} S3 bucket",
                enable_key_rotation=True,
                deletion_window_in_days=KEY_DELETION_WINDOW,
                tags=self.tags(),
                opts=self.child_opts(**retain),
            )

        self.bucket = aws.s3.Bucket(
            self.logical_name("bucket"),
            bucket=pulumi.Output.all(account, region).apply(lambda a: checked_name(
                "s3_bucket", bucket_name(context.project, context.environment, name,
                                         account=a[0], region=a[1]))),
            # Never delete objects to delete the bucket: S3 refuses to delete a non-empty bucket.
            force_destroy=False,
            tags=self.tags(),
            # The key outlives the bucket: a destroy that fails on a non-empty bucket keeps it.
            opts=self.child_opts(depends_on=[self.key] if self.key else [], **retain),
        )
        self.bucket_name: pulumi.Output[str] = self.bucket.bucket
        self.arn: pulumi.Output[str] = self.bucket.arn

        def after(previous: pulumi.Resource | None, *, keep: bool = True) -> pulumi.ResourceOptions:
            return self.child_opts(depends_on=[previous] if previous else [], retain_on_delete=keep or None)

        self.ownership_controls = aws.s3.BucketOwnershipControls(
            self.logical_name("ownership"),
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=OBJECT_OWNERSHIP),
            opts=after(None),
        )
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            self.logical_name("public-access"),
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=after(self.ownership_controls),
        )
        self.policy = aws.s3.BucketPolicy(
            self.logical_name("policy"),
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(bucket_policy),
            opts=after(self.public_access_block),
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            self.logical_name("encryption"),
            bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm=SSE_ALGORITHMS[settings.encryption],
                    kms_master_key_id=self.key.arn if self.key else None,
                ),
                # The S3 Bucket Key applies to SSE-KMS only:
                # https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html
                bucket_key_enabled=True if self.key else None,
            )],
            opts=after(self.policy),
        )
        last: pulumi.Resource = self.encryption
        self.versioning: aws.s3.BucketVersioning | None = None
        if settings.versioning:
            # https://docs.aws.amazon.com/AmazonS3/latest/API/API_VersioningConfiguration.html (Status)
            self.versioning = aws.s3.BucketVersioning(
                self.logical_name("versioning"),
                bucket=self.bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=after(last, keep=False),
            )
            last = self.versioning
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            self.logical_name("lifecycle"),
            bucket=self.bucket.id,
            rules=lifecycle_rules(settings),
            opts=after(last),
        )
        self._kms_via_s3 = pulumi.Output.all(region, dns_suffix).apply(lambda a: f"s3.{a[0]}.{a[1]}")

        self.register_outputs({"name": self.bucket.bucket, "arn": self.bucket.arn})

    def link(self) -> Link:
        """``<PREFIX>_BUCKET_NAME`` and object read/write/delete plus listing on this bucket only.

        Statements: ``s3:GetObject``, ``s3:PutObject``, ``s3:DeleteObject`` on ``<arn>/*``;
        ``s3:ListBucket`` on ``<arn>``; with SSE-KMS, ``kms:Decrypt`` and ``kms:GenerateDataKey``
        on the bucket's key, only through S3 (``kms:ViaService`` ``s3.<region>.<dns suffix>``).
        The variable names are :func:`blueprints.bucket.settings.link_variables`'s, which
        ``scaffold validate`` checks for collisions.
        """
        (name_variable,) = link_variables(self.component_name, self.settings)
        statements: list[dict[str, Any]] = [
            {"Effect": "Allow", "Action": list(LINK_OBJECT_ACTIONS),
             "Resource": self.bucket.arn.apply(lambda arn: f"{arn}/*")},
            {"Effect": "Allow", "Action": list(LINK_BUCKET_ACTIONS), "Resource": self.bucket.arn},
        ]
        if self.key is not None:
            # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
            statements.append({"Effect": "Allow", "Action": list(LINK_KMS_ACTIONS), "Resource": self.key.arn,
                               "Condition": {"StringEquals": {"kms:ViaService": self._kms_via_s3}}})
        return Link(
            component=self.component_name,
            environment={name_variable: self.bucket.bucket},
            iam_statements=statements,
        )


def bucket_policy(bucket_arn: str) -> str:
    """The bucket's policy JSON: deny every request without TLS, on the bucket and its objects.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
    (enforce encryption of data in transit, ``aws:SecureTransport``).
    """
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]})


def lifecycle_rules(settings: BucketSettings) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    """The bucket's lifecycle rules, each on every object (``prefix=""``).

    * ``abort-incomplete-multipart-uploads``: ``AbortIncompleteMultipartUpload``
      ``DaysAfterInitiation = abort_incomplete_multipart_days``;
    * with ``expire_after_days``, ``expire-objects``: ``Expiration.Days`` and, when versioned,
      ``NoncurrentVersionExpiration.NoncurrentDays``, both ``expire_after_days``.

    https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
    """
    every_object = aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")
    rules = [aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="abort-incomplete-multipart-uploads", status="Enabled", filter=every_object,
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=settings.abort_incomplete_multipart_days),
    )]
    days = settings.expire_after_days
    if days is not None:
        rules.append(aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-objects", status="Enabled", filter=every_object,
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
            noncurrent_version_expiration=(
                aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=days)
                if settings.versioning else None),
        ))
    return rules
