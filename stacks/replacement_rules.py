"""Which stateful resources scaffold creates, and which of their inputs force a new resource.

Data, each entry with its source: the AWS provider that Pulumi's ``aws`` package bridges
(``pulumi-aws`` is generated from terraform-provider-aws, so its replace decisions are the
provider's), schema attribute by attribute. An input the provider marks ``ForceNew: true``
cannot change in place: Pulumi creates a new resource and deletes the old one, and the
data of the old one is gone. ``scaffold diff`` (:mod:`stacks.diff`) classifies every change
of a stateful resource with these rules; ``scaffold.spec.replacement`` predicts the same
replacements from two specs (its ``_field_changes`` covers the spec fields that map to
``engine``, ``databaseName`` and the cache engine downgrades below).

Keys are plan-JSON wire names (camelCase, as in ``scaffold plan --json``); each rule also
names the provider's snake_case attribute so that it can be checked against the source.
Verified against hashicorp/terraform-provider-aws (main branch, 2026) for every entry.
Imports no ``pulumi``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from blueprints.cache.settings import version_key

#: Where the rules come from.
PROVIDER = "hashicorp/terraform-provider-aws"


@dataclass(frozen=True)
class ForceNew:
    """One input whose change replaces the resource.

    Attributes:
        input: The wire name in the plan's ``inputs`` (a top-level key), e.g. ``databaseName``.
        attribute: The provider's schema attribute, e.g. ``database_name``.
        source: The provider file that declares it, e.g. ``internal/service/rds/cluster.go``.
        note: How the provider says it (``ForceNew: true``, or the CustomizeDiff function).
        applies: For a conditional rule, whether this old -> new change forces a new
            resource; ``None`` for an unconditional ``ForceNew``.
    """

    input: str
    attribute: str
    source: str
    note: str = "ForceNew: true"
    applies: Callable[[Any, Any], bool] | None = None

    def forces(self, old: Any, new: Any) -> bool:
        """Whether changing this input from ``old`` to ``new`` replaces the resource."""
        if old == new:
            return False
        return True if self.applies is None else self.applies(old, new)

    def cite(self) -> str:
        """``terraform-provider-aws internal/service/rds/cluster.go: database_name ForceNew: true``."""
        return f"terraform-provider-aws {self.source}: {self.attribute} {self.note}"


@dataclass(frozen=True)
class StatefulType:
    """A resource type that holds state, and its replace rules.

    Attributes:
        type: Pulumi type token, e.g. ``aws:rds/cluster:Cluster``.
        what: What it is, in a few words, e.g. ``Aurora cluster``.
        holds_data: Whether replacing or deleting it loses data (an Aurora cluster
            instance does not: the data lives in the cluster's storage volume).
        force_new: The inputs that force a new resource.
    """

    type: str
    what: str
    holds_data: bool
    force_new: tuple[ForceNew, ...]

    def rule(self, name: str) -> ForceNew | None:
        """The rule of top-level input ``name``, if it forces a new resource."""
        return next((r for r in self.force_new if r.input == name), None)


def _engine_downgrade(old: Any, new: Any) -> bool:
    # customizeDiffEngineForceNewOnDowngrade: valkey -> redis cannot be done in place.
    return str(old).lower() == "valkey" and str(new).lower() == "redis"


def _version_downgrade(old: Any, new: Any) -> bool:
    # customizeDiffEngineVersionForceNewOnDowngrade: a lower engine_version forces a new group.
    return old is not None and new is not None and version_key(str(new)) < version_key(str(old))


_RDS_CLUSTER = "internal/service/rds/cluster.go"
_RDS_INSTANCE = "internal/service/rds/cluster_instance.go"
_ELASTICACHE = "internal/service/elasticache/replication_group.go"
_S3 = "internal/service/s3/bucket.go"
_SQS = "internal/service/sqs/queue.go"
_SECRETS = "internal/service/secretsmanager/secret.go"
_KMS = "internal/service/kms/key.go"


def _rules(source: str, pairs: Mapping[str, str]) -> tuple[ForceNew, ...]:
    return tuple(ForceNew(wire, attribute, source) for wire, attribute in pairs.items())


#: Every stateful type scaffold creates, by type token.
STATEFUL_TYPES: dict[str, StatefulType] = {t.type: t for t in (
    StatefulType("aws:rds/cluster:Cluster", "Aurora cluster", True, _rules(_RDS_CLUSTER, {
        "availabilityZones": "availability_zones",
        "clusterIdentifier": "cluster_identifier",
        "clusterIdentifierPrefix": "cluster_identifier_prefix",
        "clusterScalabilityType": "cluster_scalability_type",
        "databaseName": "database_name",
        "dbSubnetGroupName": "db_subnet_group_name",
        "dbSystemId": "db_system_id",
        "engine": "engine",
        "engineMode": "engine_mode",
        "kmsKeyId": "kms_key_id",
        "masterUsername": "master_username",
        "restoreToPointInTime": "restore_to_point_in_time",
        "snapshotIdentifier": "snapshot_identifier",
        "sourceRegion": "source_region",
        "storageEncrypted": "storage_encrypted",
    })),
    StatefulType("aws:rds/clusterInstance:ClusterInstance", "Aurora cluster instance", False,
                 _rules(_RDS_INSTANCE, {
                     "availabilityZone": "availability_zone",
                     "clusterIdentifier": "cluster_identifier",
                     "customIamInstanceProfile": "custom_iam_instance_profile",
                     "dbSubnetGroupName": "db_subnet_group_name",
                     "engine": "engine",
                     "identifier": "identifier",
                     "identifierPrefix": "identifier_prefix",
                 })),
    StatefulType("aws:elasticache/replicationGroup:ReplicationGroup", "ElastiCache replication group", True, (
        *_rules(_ELASTICACHE, {
            "atRestEncryptionEnabled": "at_rest_encryption_enabled",
            "dataTieringEnabled": "data_tiering_enabled",
            "globalReplicationGroupId": "global_replication_group_id",
            "kmsKeyId": "kms_key_id",
            "networkType": "network_type",
            "port": "port",
            "replicationGroupId": "replication_group_id",
            "securityGroupNames": "security_group_names",
            "snapshotArns": "snapshot_arns",
            "snapshotName": "snapshot_name",
            "subnetGroupName": "subnet_group_name",
        }),
        ForceNew("engine", "engine", _ELASTICACHE, "ForceNew on valkey -> redis "
                 "(customizeDiffEngineForceNewOnDowngrade)", _engine_downgrade),
        ForceNew("engineVersion", "engine_version", _ELASTICACHE, "ForceNew on a downgrade "
                 "(customizeDiffEngineVersionForceNewOnDowngrade)", _version_downgrade),
    )),
    StatefulType("aws:s3/bucket:Bucket", "S3 bucket", True, _rules(_S3, {
        "bucket": "bucket",
        "bucketPrefix": "bucket_prefix",
        "objectLockEnabled": "object_lock_enabled",
    })),
    StatefulType("aws:sqs/queue:Queue", "SQS queue", True, _rules(_SQS, {
        "fifoQueue": "fifo_queue",
        "name": "name",
        "namePrefix": "name_prefix",
    })),
    StatefulType("aws:secretsmanager/secret:Secret", "Secrets Manager secret", True, _rules(_SECRETS, {
        "name": "name",
        "namePrefix": "name_prefix",
    })),
    StatefulType("aws:kms/key:Key", "KMS key", True, _rules(_KMS, {
        "customKeyStoreId": "custom_key_store_id",
        "customerMasterKeySpec": "customer_master_key_spec",
        "keyUsage": "key_usage",
        "multiRegion": "multi_region",
        "xksKeyId": "xks_key_id",
    })),
)}


def forcing_rules(resource_type: str, old_inputs: Mapping[str, Any],
                  new_inputs: Mapping[str, Any]) -> list[ForceNew]:
    """The rules that the change from ``old_inputs`` to ``new_inputs`` triggers (none: in place)."""
    stateful = STATEFUL_TYPES.get(resource_type)
    if stateful is None:
        return []
    return [r for r in stateful.force_new if r.forces(old_inputs.get(r.input), new_inputs.get(r.input))]
