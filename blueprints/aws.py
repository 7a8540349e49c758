"""The ``pulumi_aws`` names the blueprints use, each imported from its own module, on first use.

``import pulumi_aws.rds`` (or the first ``pulumi_aws.rds.X``) runs the service's ``__init__``,
which imports every module of the service: ``ec2`` alone takes 0.4 s, most of it for classes
no blueprint creates. This module offers the same spelling, ``aws.rds.Cluster``,
``aws.get_region_output``, ``aws.ecs.ServiceNetworkConfigurationArgs``, but resolves each name
from the one module that defines it (``pulumi_aws.rds.cluster``, the service's ``_inputs`` for
``*Args`` classes, ``pulumi_aws.get_region`` for a function), the first time it is used::

    from blueprints import aws

    aws.rds.Cluster(...)  # imports pulumi_aws.rds.cluster (and what it imports), not all of rds

The objects are the ones ``pulumi_aws.rds.Cluster`` names (``tests/blueprints/test_aws_imports.py``
checks each one, so a ``pulumi_aws`` upgrade that moves a class fails there). The names are
data: :data:`SERVICES` and :data:`TOP_LEVEL`; a blueprint that needs a new class adds it there
(the error for a missing name says so). ``__all__`` and ``dir()`` list them, so
``from blueprints.aws import *`` and completion work.

How the narrow import works: ``import pulumi_aws`` registers every service package in
``sys.modules`` as a Pulumi lazy module (``pulumi._utils.lazy_import``), which runs the
package's ``__init__`` on the first attribute access. Importing ``pulumi_aws.rds.cluster``
only reads the package's ``__path__`` (which does not trigger the load), but the module's own
``from . import outputs`` asks the package for an attribute, which does. So while one module is
imported, the lazy package is shown as a plain module, and lazy again right after: the
submodules then sit in ``sys.modules`` and on the package, and a later full load of the service
(``pulumi_aws.rds.Instance`` anywhere) reuses them, so every class exists once. When the
package is not a lazy module of a known kind (already loaded, or a Pulumi version that loads
differently), the name is read from the package, loaded whole: slower, never different. The
swap happens under a lock, in the thread that uses the name; another thread that read
``pulumi_aws.rds.X`` during it would not find ``X`` (Pulumi runs a program's resource
constructors on one thread, and nothing else reads service packages).

Nothing is cached: once a service package is loaded whole (anything used
``pulumi_aws.ecs.X``, or a test patched ``pulumi_aws.ecs.Service``), ``aws.ecs.Service`` reads
the package's attribute, so the two spellings always give the same object.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors: the real packages, with their types
    from pulumi_aws import GetAvailabilityZonesFilterArgs as GetAvailabilityZonesFilterArgs
    from pulumi_aws import acm as acm
    from pulumi_aws import appautoscaling as appautoscaling
    from pulumi_aws import cloudwatch as cloudwatch
    from pulumi_aws import ec2 as ec2
    from pulumi_aws import ecs as ecs
    from pulumi_aws import elasticache as elasticache
    from pulumi_aws import get_availability_zones_output as get_availability_zones_output
    from pulumi_aws import get_caller_identity_output as get_caller_identity_output
    from pulumi_aws import get_partition_output as get_partition_output
    from pulumi_aws import get_region_output as get_region_output
    from pulumi_aws import iam as iam
    from pulumi_aws import kms as kms
    from pulumi_aws import lb as lb
    from pulumi_aws import rds as rds
    from pulumi_aws import route53 as route53
    from pulumi_aws import s3 as s3
    from pulumi_aws import scheduler as scheduler
    from pulumi_aws import secretsmanager as secretsmanager
    from pulumi_aws import sfn as sfn
    from pulumi_aws import sns as sns
    from pulumi_aws import sqs as sqs
    from pulumi_aws import vpc as vpc
    from pulumi_aws import wafv2 as wafv2


PACKAGE = "pulumi_aws"

#: Service package -> the module of ``pulumi_aws.<service>`` that defines them -> the names
#: blueprints use from it: ``aws.<service>.<name>``.
SERVICES: dict[str, dict[str, tuple[str, ...]]] = {
    "acm": {
        "certificate": ("Certificate",),
        "certificate_validation": ("CertificateValidation",),
    },
    "appautoscaling": {
        "policy": ("Policy",),
        "target": ("Target",),
        "_inputs": (
            "PolicyTargetTrackingScalingPolicyConfigurationArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs",
            "PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs",
        ),
    },
    "cloudwatch": {
        "log_group": ("LogGroup",),
        "metric_alarm": ("MetricAlarm",),
        "_inputs": (
            "MetricAlarmMetricQueryArgs",
            "MetricAlarmMetricQueryMetricArgs",
        ),
    },
    "ec2": {
        "default_security_group": ("DefaultSecurityGroup",),
        "eip": ("Eip",),
        "flow_log": ("FlowLog",),
        "internet_gateway": ("InternetGateway",),
        "nat_gateway": ("NatGateway",),
        "route": ("Route",),
        "route_table": ("RouteTable",),
        "route_table_association": ("RouteTableAssociation",),
        "security_group": ("SecurityGroup",),
        "subnet": ("Subnet",),
        "vpc": ("Vpc",),
        "vpc_endpoint": ("VpcEndpoint",),
    },
    "ecs": {
        "cluster": ("Cluster",),
        "service": ("Service",),
        "task_definition": ("TaskDefinition",),
        "_inputs": (
            "ClusterSettingArgs",
            "ServiceDeploymentCircuitBreakerArgs",
            "ServiceLoadBalancerArgs",
            "ServiceNetworkConfigurationArgs",
        ),
    },
    "elasticache": {
        "replication_group": ("ReplicationGroup",),
        "subnet_group": ("SubnetGroup",),
    },
    "iam": {
        "role": ("Role",),
        "role_policy": ("RolePolicy",),
        "role_policy_attachment": ("RolePolicyAttachment",),
    },
    "kms": {
        "alias": ("Alias",),
        "key": ("Key",),
    },
    "lb": {
        "listener": ("Listener",),
        "load_balancer": ("LoadBalancer",),
        "target_group": ("TargetGroup",),
        "_inputs": (
            "ListenerDefaultActionArgs",
            "ListenerDefaultActionRedirectArgs",
            "LoadBalancerAccessLogsArgs",
            "TargetGroupHealthCheckArgs",
        ),
    },
    "rds": {
        "cluster": ("Cluster",),
        "cluster_instance": ("ClusterInstance",),
        "cluster_parameter_group": ("ClusterParameterGroup",),
        "proxy": ("Proxy",),
        "proxy_default_target_group": ("ProxyDefaultTargetGroup",),
        "proxy_endpoint": ("ProxyEndpoint",),
        "proxy_target": ("ProxyTarget",),
        "subnet_group": ("SubnetGroup",),
        "_inputs": (
            "ClusterParameterGroupParameterArgs",
            "ClusterServerlessv2ScalingConfigurationArgs",
            "ProxyAuthArgs",
        ),
    },
    "route53": {
        "get_zone": ("get_zone_output",),
        "record": ("Record",),
        "_inputs": ("RecordAliasArgs",),
    },
    "s3": {
        "bucket": ("Bucket",),
        "bucket_lifecycle_configuration": ("BucketLifecycleConfiguration",),
        "bucket_ownership_controls": ("BucketOwnershipControls",),
        "bucket_policy": ("BucketPolicy",),
        "bucket_public_access_block": ("BucketPublicAccessBlock",),
        "bucket_server_side_encryption_configuration": ("BucketServerSideEncryptionConfiguration",),
        "bucket_versioning": ("BucketVersioning",),
        "_inputs": (
            "BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs",
            "BucketLifecycleConfigurationRuleArgs",
            "BucketLifecycleConfigurationRuleExpirationArgs",
            "BucketLifecycleConfigurationRuleFilterArgs",
            "BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs",
            "BucketOwnershipControlsRuleArgs",
            "BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs",
            "BucketServerSideEncryptionConfigurationRuleArgs",
            "BucketVersioningVersioningConfigurationArgs",
        ),
    },
    "scheduler": {
        "schedule": ("Schedule",),
        "_inputs": (
            "ScheduleFlexibleTimeWindowArgs",
            "ScheduleTargetArgs",
            "ScheduleTargetRetryPolicyArgs",
        ),
    },
    "secretsmanager": {
        "secret": ("Secret",),
        "secret_version": ("SecretVersion",),
    },
    "sfn": {
        "state_machine": ("StateMachine",),
    },
    "sns": {
        "topic": ("Topic",),
        "topic_policy": ("TopicPolicy",),
        "topic_subscription": ("TopicSubscription",),
    },
    "sqs": {
        "queue": ("Queue",),
        "queue_policy": ("QueuePolicy",),
        "redrive_allow_policy": ("RedriveAllowPolicy",),
    },
    "vpc": {
        "security_group_egress_rule": ("SecurityGroupEgressRule",),
        "security_group_ingress_rule": ("SecurityGroupIngressRule",),
    },
    "wafv2": {
        "web_acl": ("WebAcl",),
        "web_acl_association": ("WebAclAssociation",),
        "_inputs": (
            "WebAclDefaultActionAllowArgs",
            "WebAclDefaultActionArgs",
            "WebAclRuleActionArgs",
            "WebAclRuleActionBlockArgs",
            "WebAclRuleArgs",
            "WebAclRuleOverrideActionArgs",
            "WebAclRuleOverrideActionNoneArgs",
            "WebAclRuleStatementArgs",
            "WebAclRuleStatementManagedRuleGroupStatementArgs",
            "WebAclRuleStatementRateBasedStatementArgs",
            "WebAclRuleVisibilityConfigArgs",
            "WebAclVisibilityConfigArgs",
        ),
    },
}

#: Top-level ``pulumi_aws`` module -> the names blueprints use from it: ``aws.<name>``.
TOP_LEVEL: dict[str, tuple[str, ...]] = {
    "get_availability_zones": ("get_availability_zones_output",),
    "get_caller_identity": ("get_caller_identity_output",),
    "get_partition": ("get_partition_output",),
    "get_region": ("get_region_output",),
    "_inputs": ("GetAvailabilityZonesFilterArgs",),
}


class Service(types.ModuleType):
    """``aws.<service>``: the names of :data:`SERVICES` for one service (see :func:`resolve`)."""

    def __init__(self, service: str, modules: dict[str, tuple[str, ...]]) -> None:
        super().__init__(f"{__name__}.{service}", f"pulumi_aws.{service}, imported name by name")
        self._package = f"{PACKAGE}.{service}"
        self._where = {name: module for module, names in modules.items() for name in names}
        self.__all__ = sorted(self._where)

    def __getattr__(self, name: str) -> Any:
        where = self.__dict__.get("_where", {})
        if name not in where:
            package = self.__dict__.get("_package")
            raise AttributeError(
                f"blueprints.aws.{self.__name__.rpartition('.')[2]} has no {name!r}: add it to "
                f"blueprints.aws.SERVICES, under the module of {package} that defines it "
                f"({package}.{name}.__module__)"
            )
        return resolve(self._package, where[name], name)

    def __dir__(self) -> list[str]:
        return list(self.__all__)

    def __repr__(self) -> str:
        return f"<blueprints.aws view of {self._package}>"


_lock = threading.RLock()
_lazy_types: tuple[type, ...] | None = None


def _lazy_module_types() -> tuple[type, ...]:
    """The lazy module classes whose package ``__init__`` :func:`narrow_import` may skip:
    Pulumi's (``pulumi._utils._LazyModule``, what ``pulumi_aws`` uses) and the standard
    library's (``importlib.util._LazyModule``, which Pulumi copied)."""
    global _lazy_types
    if _lazy_types is None:
        import importlib.util

        import pulumi._utils

        found = (getattr(pulumi._utils, "_LazyModule", None), getattr(importlib.util, "_LazyModule", None))
        _lazy_types = tuple(t for t in found if isinstance(t, type) and issubclass(t, types.ModuleType))
    return _lazy_types


def is_lazy(module: types.ModuleType | None) -> bool:
    """Whether ``module`` is a lazy module whose ``__init__`` has not run yet."""
    return module is not None and isinstance(module, _lazy_module_types())


def resolve(package: str, module: str, name: str) -> Any:
    """``<package>.<name>``, read from ``<package>.<module>`` while the package is lazy.

    Once the package is loaded whole (something used ``pulumi_aws.ecs.X``, or a test patched
    ``pulumi_aws.ecs.Service``), the name is read from the package, so the two never differ;
    nothing is cached here. ``pulumi_aws`` itself is always loaded whole (its ``__init__``
    registers the provider and the resource types), so :data:`TOP_LEVEL` names come from it.
    """
    loaded = sys.modules.get(package)
    if loaded is None:
        importlib.import_module(PACKAGE)  # registers the service packages as lazy modules
        loaded = sys.modules.get(package)
    if loaded is not None and is_lazy(loaded):
        return getattr(narrow_import(package, module), name)
    # Loaded, or not a lazy module this code knows: use the package as it is. (Importing a
    # submodule of a lazy package without the class swap below would run the package's
    # ``__init__`` half-way through the submodule, and lose the submodule's names.)
    return getattr(loaded if loaded is not None else importlib.import_module(package), name)


def narrow_import(package_name: str, module: str) -> types.ModuleType:
    """Import ``<package_name>.<module>`` without running the lazy package's ``__init__``; the
    package stays lazy. See the module docstring for why this is safe."""
    fullname = f"{package_name}.{module}"
    done = sys.modules.get(fullname)
    if done is not None:
        return done
    with _lock:
        package = sys.modules[package_name]
        if not is_lazy(package):  # loaded meanwhile
            return importlib.import_module(fullname)
        lazy_type = type(package)
        package.__class__ = types.ModuleType  # a plain module while its submodule imports
        try:
            return importlib.import_module(fullname)
        finally:
            package.__class__ = lazy_type


_services = {service: Service(service, modules) for service, modules in SERVICES.items()}
globals().update(_services)
_top_level = {name: module for module, names in TOP_LEVEL.items() for name in names}

__all__ = sorted([*_services, *_top_level])


def __getattr__(name: str) -> Any:
    module = _top_level.get(name)
    if module is None:
        raise AttributeError(
            f"module 'blueprints.aws' has no attribute {name!r}: add it to blueprints.aws.SERVICES "
            "(a service's class or function) or TOP_LEVEL (one of pulumi_aws itself)"
        )
    return resolve(PACKAGE, module, name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
