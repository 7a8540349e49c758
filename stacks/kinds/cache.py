"""Wiring of the ``cache`` kind: an ElastiCache replication group, built first, linked to the services that use it.

Spec: :mod:`scaffold.spec.kinds.cache`; component: :mod:`blueprints.cache`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.cache.settings import CacheSettings, link_variables
from stacks.kinds import ALARM, SECURITY_GROUP, STORAGE, StackBuild, Wiring
from stacks.settings import DAY

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint, CacheBlueprint


def cache_settings(c: CacheBlueprint, bp: Blueprint) -> CacheSettings:
    """The settings of a cache component; retentions in days.

    Raises:
        SettingsError: Every problem, by settings field (``version``, ``replicas`` …).
    """
    return CacheSettings(engine=c.engine, version=c.version, node=c.node, replicas=c.replicas,
                         snapshot_retention_days=c.snapshot_retention // DAY, alarms=bp.alarms.enabled)


def build(name: str, c: CacheBlueprint, settings: CacheSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.cache.Cache` in the private subnets."""
    from blueprints.cache import Cache

    return Cache(name, settings, context=stack.context, network=stack.network,
                 alarm_topic_arn=stack.alarm_topic_arn)


def exports(cache: Any) -> dict[str, Any]:
    """Hosts, port and the AUTH token secret's ARN."""
    return {"host": cache.host, "reader_host": cache.reader_host, "port": cache.port,
            "auth_secret_arn": cache.auth_secret.arn}


def physical_names(n: Any, c: CacheBlueprint) -> None:
    """Each AWS name the cache sets (:mod:`scaffold.spec.names`)."""
    s = cache_settings(c, n.bp)
    n.add("aws:elasticache/subnetGroup:SubnetGroup", "name", n.stem("subnets", max_len=255),
          "elasticache_subnet_group")
    n.linked_security_group()
    n.add("aws:secretsmanager/secret:Secret", "namePrefix", n.stem("auth-token", max_len=400) + "-", "secret",
          random=True)
    n.add("aws:elasticache/replicationGroup:ReplicationGroup", "replicationGroupId", n.stem(max_len=40),
          "elasticache_replication_group")
    if s.alarms:
        nodes = [f"{i:03d}" for i in range(1, s.replicas + 2)]
        n.alarms([f"{metric}-{node}" for node in nodes for metric in ("cpu", "memory", "evictions")])


#: The cache's children: logical-name suffix -> resource types (a superset of any configuration).
CHILDREN: dict[str, tuple[str, ...]] = {
    "subnets": ("aws:elasticache/subnetGroup:SubnetGroup",), "sg": (SECURITY_GROUP,),
    "auth-token": ("aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretVersion:SecretVersion",
                   "random:index/randomPassword:RandomPassword"),
    "group": ("aws:elasticache/replicationGroup:ReplicationGroup",),
}


def children(c: CacheBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN` and the alarms of each node."""
    nodes = [f"{i:03d}" for i in range(1, c.replicas + 2)]
    return {**CHILDREN, **{f"alarm-{m}-{n}": (ALARM,) for n in nodes for m in ("cpu", "memory", "evictions")}}


WIRING = Wiring(kind="cache", phase=STORAGE, settings=cache_settings, build=build, exports=exports,
                spec_fields={"snapshot_retention_days": "snapshot_retention"}, day_fields=("snapshot_retention",),
                link_variables=link_variables, physical_names=physical_names, children=children)
