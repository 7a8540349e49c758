"""The ``bucket`` kind: a private S3 bucket, encrypted, TLS-only, with a lifecycle.

Component: :class:`blueprints.bucket.Bucket`; wiring: :mod:`stacks.kinds.bucket`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from blueprints.bucket.settings import MAX_LIFECYCLE_DAYS
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, Duration


class BucketSpec(SpecModel):
    """A private S3 bucket: encrypted, TLS-only, public access blocked, ACLs disabled."""

    kind: Literal["bucket"] = Field(description="`bucket`: an S3 bucket.")
    versioning: bool | None = Field(None, description="Keep every version of every object (S3 Versioning), so an "
                                    "overwrite or a delete can be undone.")
    encryption: Literal["s3", "kms"] | None = Field(
        None, description="Default encryption: `s3` (SSE-S3, keys managed by S3) or `kms` (SSE-KMS with a KMS key "
                          "of the bucket's own; services that use the bucket may use the key through S3).")
    expire_after: Duration | None = Field(
        None, le=MAX_LIFECYCLE_DAYS * DAY,
        description="Delete objects this long after they were written: whole days, at least 1d. In a versioned "
                    "bucket the replaced versions are deleted as long after they were replaced.")
    retain: bool | None = Field(None, description="Keep the bucket (and its key) in AWS when the environment is "
                                "destroyed or the component removed. Without it, destroy deletes the bucket if it "
                                "is empty and fails if it is not.")


class BucketBlueprint(Resolved):
    kind: Literal["bucket"]
    versioning: bool
    encryption: Literal["s3", "kms"]
    expire_after: Duration | None = Field(ge=0)
    retain: bool


_DEV = {"versioning": False, "encryption": "s3", "expire_after": None, "retain": False}
PROFILES = {
    "dev": dict(_DEV),
    "staging": {**_DEV, "versioning": True},
    "production": {**_DEV, "versioning": True, "retain": True},
}


KIND = Kind(
    name="bucket",
    spec_model=BucketSpec,
    blueprint_model=BucketBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: bucket)", BucketSpec),),
    duration_fields=frozenset({"expire_after"}),
    usable=True,
    summary="a private S3 bucket, encrypted and TLS-only, with versioning and a lifecycle",
)
