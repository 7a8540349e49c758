"""An S3 bucket: private, encrypted (SSE-S3 or SSE-KMS), TLS-only, with a lifecycle, kept in production.

The component is in :mod:`blueprints.bucket.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.bucket.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "ENCRYPTIONS",
        "SSE_ALGORITHMS",
        "DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS",
        "MAX_LIFECYCLE_DAYS",
        "KEY_DELETION_WINDOW",
        "LINK_OBJECT_ACTIONS",
        "LINK_BUCKET_ACTIONS",
        "LINK_KMS_ACTIONS",
        "MAX_BUCKET_NAME",
        "PLACEHOLDER_ACCOUNT",
        "BucketSettings",
        "bucket_problems",
        "bucket_name",
        "bucket_name_problems",
        "link_variables",
    ],
    "component": [
        "OBJECT_OWNERSHIP",
        "Bucket",
        "bucket_policy",
        "lifecycle_rules",
    ],
})
