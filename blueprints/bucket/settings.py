"""Settings of the Bucket component: constants with their units, the settings dataclass, the bucket name.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`) and predicts the same bucket name
(:func:`bucket_name`, :func:`bucket_name_problems`). The component is in
:mod:`blueprints.bucket.component`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import NAME_RULES, aws_name, env_prefix, name_problems

Encryption = Literal["s3", "kms"]
#: Default encryption choices: ``"s3"`` is SSE-S3 (``AES256``, keys managed by S3), ``"kms"``
#: SSE-KMS with a customer managed key of the bucket's own (``aws:kms``). Values of
#: ``ApplyServerSideEncryptionByDefault.SSEAlgorithm``:
#: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html,
#: terraform-provider-aws internal/service/s3/bucket_server_side_encryption_configuration.go
#: (``sse_algorithm``: enum ``types.ServerSideEncryption``).
ENCRYPTIONS: tuple[str, ...] = ("s3", "kms")
#: The ``sse_algorithm`` each :data:`ENCRYPTIONS` value becomes.
SSE_ALGORITHMS = {"s3": "AES256", "kms": "aws:kms"}

#: Days after which an unfinished multipart upload is aborted and its parts deleted (they are
#: billed as storage until then, and invisible in object listings).
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7  # days
#: Largest day count a lifecycle rule takes: the fields are 32-bit integers
#: (terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go: ``days``,
#: ``noncurrent_days`` and ``days_after_initiation`` are ``schema.Int32Attribute``).
MAX_LIFECYCLE_DAYS = 2_147_483_647  # days
#: Waiting period before a deleted KMS key is gone, in days: KMS allows 7 to 30
#: (terraform-provider-aws internal/service/kms/key.go, ``deletion_window_in_days``
#: IntBetween(7, 30)); the longest, to undo a mistaken deletion.
KEY_DELETION_WINDOW = 30  # days

#: What a service that uses the bucket may do with its objects (on ``<arn>/*``), and no more.
LINK_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
#: What it may do with the bucket itself (on ``<arn>``): list keys, and no more.
LINK_BUCKET_ACTIONS = ("s3:ListBucket",)
#: With SSE-KMS, what it may do with the bucket's key: read objects (``kms:Decrypt``) and write
#: them (``kms:GenerateDataKey``; multipart uploads need both), through S3 only.
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html (Permissions),
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
LINK_KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")

#: S3 bucket names: 3 to 63 characters (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html;
#: terraform-provider-aws internal/service/s3/bucket.go: ``bucket`` StringLenBetween(0, 63) and
#: ``validBucketName``). The whole rule is :data:`blueprints.naming.NAME_RULES` ``["s3_bucket"]``.
MAX_BUCKET_NAME = NAME_RULES["s3_bucket"].max_len
#: The account id ``scaffold validate`` predicts names with (the real one is known only at deploy
#: time; every account id has 12 digits, so the length and the rules checked are the same).
PLACEHOLDER_ACCOUNT = "000000000000"


@dataclass(frozen=True, kw_only=True)
class BucketSettings:
    """How a :class:`blueprints.bucket.Bucket` behaves.

    Attributes:
        versioning: Keep every version of every object (S3 Versioning): an overwrite or a
            delete leaves the previous version, recoverable, as a noncurrent version.
        encryption: Default encryption: ``"s3"`` (SSE-S3, ``AES256``) or ``"kms"`` (SSE-KMS
            with a key of the bucket's own, rotated yearly, and the S3 Bucket Key on).
        expire_after_days: ``None`` (keep objects) or days, ``>= 1``, after which an object's
            current version expires (deleted; in a versioned bucket it becomes noncurrent
            and is deleted that many days later).
        abort_incomplete_multipart_days: Days, ``>= 1``, after which an unfinished multipart
            upload is aborted and its parts deleted.
        retain: Keep the bucket and its key in AWS when the stack is destroyed or the
            component removed (Pulumi ``retain_on_delete``); without it a destroy deletes the
            bucket if it is empty, and fails if it is not.

    Raises:
        blueprints.constraints.SettingsError: An unknown encryption, or a day count outside
            ``1``..``2147483647`` (every problem at once; a ``ValueError``).
    """

    versioning: bool = False
    encryption: Encryption = "s3"
    expire_after_days: int | None = None
    abort_incomplete_multipart_days: int = DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS
    retain: bool = False

    def __post_init__(self) -> None:
        raise_problems(bucket_problems(self))


def bucket_problems(s: BucketSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`BucketSettings`, by settings field."""
    if s.encryption not in ENCRYPTIONS:
        yield SettingProblem("encryption", f"must be one of {', '.join(ENCRYPTIONS)}, got {s.encryption!r}",
                             "s3: SSE-S3 (AES256); kms: SSE-KMS with a key of the bucket's own",
                             "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html")
    # Expiration Days "must be a non-zero positive integer":
    # https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html (Days); the
    # same day count serves NoncurrentVersionExpiration.NoncurrentDays, which must be >= 1 too
    # (terraform-provider-aws internal/service/s3/bucket_lifecycle_configuration.go,
    # ``noncurrent_days`` int32validator.AtLeast(1)).
    if s.expire_after_days is not None:
        yield from _days("expire_after_days", s.expire_after_days,
                         "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html")
    # DaysAfterInitiation is an integer (AWS states no bound; 0 would abort every upload
    # at once, so scaffold asks for at least one day):
    # https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortIncompleteMultipartUpload.html
    yield from _days("abort_incomplete_multipart_days", s.abort_incomplete_multipart_days,
                     "https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortIncompleteMultipartUpload.html")


def _days(field_name: str, value: int, source: str) -> Iterator[SettingProblem]:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIFECYCLE_DAYS:
        yield SettingProblem(field_name, f"must be a whole number of days from 1 to {MAX_LIFECYCLE_DAYS}, "
                             f"got {value!r}", "S3 lifecycle rules count whole days", source)


def bucket_name(project: str, environment: str, component: str, *, account: str, region: str) -> str:
    """The bucket's AWS name: ``<project>-<environment>-<component>-<account id>-<region>``.

    Bucket names are unique across every account of the partition, so the account id and
    the region end the name: two accounts, or two regions of one account (a retained bucket
    stays behind when an environment moves region), never ask for the same name. The
    ``<project>-<environment>-<component>`` part is cut with a 6-character hash
    (:func:`blueprints.naming.aws_name`) so that the whole stays within 63 characters;
    the account id and region are never cut. The name ends in the region's digit, so it
    never ends in a reserved suffix (``-s3alias``, ``--ol-s3``, ``-an`` …).

    >>> bucket_name("shop", "prod", "uploads", account="123456789012", region="eu-west-1")
    'shop-prod-uploads-123456789012-eu-west-1'
    >>> len(bucket_name("shop", "production", "x" * 80, account="123456789012", region="ap-southeast-3"))
    63
    """
    suffix = f"-{account}-{region}"
    return aws_name(project, environment, component, max_len=MAX_BUCKET_NAME - len(suffix)) + suffix


def bucket_name_problems(project: str, environment: str, component: str, *, region: str,
                         account: str = PLACEHOLDER_ACCOUNT) -> list[str]:
    """Why S3 would refuse :func:`bucket_name` for this component; empty when it accepts it.

    Each problem is a phrase of :func:`blueprints.naming.name_problems` (rule
    ``"s3_bucket"``), e.g. ``'must not start with "sthree-"'`` for a project named ``sthree``.

    >>> bucket_name_problems("shop", "prod", "uploads", region="us-east-1")
    []
    >>> bucket_name_problems("sthree", "prod", "uploads", region="us-east-1")
    ['must not start with "sthree-"']
    """
    return name_problems("s3_bucket", bucket_name(project, environment, component, account=account, region=region))


def link_variables(component: str, settings: BucketSettings) -> dict[str, str]:
    """The variables a bucket's link sets on a service that uses it: name -> ``"environment"``.

    :meth:`blueprints.bucket.Bucket.link` sets exactly these, so ``scaffold validate`` can
    report a name that the service or another link also sets.

    >>> link_variables("uploads", BucketSettings())
    {'UPLOADS_BUCKET_NAME': 'environment'}
    """
    return {f"{env_prefix(component)}_BUCKET_NAME": "environment"}
