"""Wiring of the ``database`` kind: an Aurora cluster, built first, linked to the services that use it.

Spec: :mod:`scaffold.spec.kinds.database`; component: :mod:`blueprints.database`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.database.settings import DatabaseSettings, ServerlessCapacity, link_variables
from stacks.kinds import (
    ALARM,
    EGRESS,
    INGRESS,
    ROLE,
    ROLE_POLICY,
    SECURITY_GROUP,
    STORAGE,
    StackBuild,
    Wiring,
)
from stacks.settings import DAY, nested

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint, DatabaseBlueprint


def database_settings(c: DatabaseBlueprint, bp: Blueprint) -> DatabaseSettings:
    """The settings of a database component; retentions in days, the monitoring interval in seconds.

    ``allow_replacement`` is not a setting: :mod:`scaffold.spec.replacement` reads it.

    Raises:
        SettingsError: Every problem of the serverless capacity (``serverless.<field>``) and of the rest.
    """
    problems: list[SettingProblem] = []
    serverless = None
    if c.serverless:
        cap = c.serverless
        # A valid stand-in when the capacity is broken, so that the rest is still checked.
        serverless = nested(problems, "serverless.", lambda: ServerlessCapacity(
            min=cap.min, max=cap.max)) or ServerlessCapacity(min=1, max=1)
    settings = nested(problems, "", lambda: DatabaseSettings(
        engine=c.engine, version=c.version, instance=c.instance, serverless=serverless,
        replicas=c.replicas, database=c.database, backup_retention_days=c.backup_retention // DAY,
        deletion_protection=c.deletion_protection, final_snapshot=c.final_snapshot,
        proxy=c.proxy, performance_insights=c.performance_insights,
        monitoring_interval=c.monitoring_interval, alarms=bp.alarms.enabled,
    ))
    raise_problems(problems)
    assert settings is not None
    return settings


def build(name: str, c: DatabaseBlueprint, settings: DatabaseSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.database.Database` in the private subnets."""
    from blueprints.database import Database

    return Database(name, settings, context=stack.context, network=stack.network,
                    alarm_topic_arn=stack.alarm_topic_arn)


def exports(db: Any) -> dict[str, Any]:
    """Endpoints, hosts (the proxy's, with ``proxy``), port and the credentials secret's ARN."""
    return {"endpoint": db.endpoint, "reader_endpoint": db.reader_endpoint,
            "host": db.host, "reader_host": db.reader_host,  # the proxy's, with proxy
            "port": db.port, "secret_arn": db.secret_arn}


def physical_names(n: Any, c: DatabaseBlueprint) -> None:
    """Each AWS name the database sets (:mod:`scaffold.spec.names`)."""
    s = database_settings(c, n.bp)
    n.add("aws:rds/subnetGroup:SubnetGroup", "name", n.stem("subnets", max_len=255), "rds_subnet_group")
    n.linked_security_group()
    n.add("aws:rds/clusterParameterGroup:ClusterParameterGroup", "namePrefix",
          n.stem("tls", max_len=200) + "-", "rds_parameter_group", random=True)
    n.add("aws:rds/cluster:Cluster", "clusterIdentifier", n.stem(max_len=63), "rds_cluster")
    if s.final_snapshot:
        # 255 minus "-" and the RandomId's hex (blueprints.database.component.SNAPSHOT_SUFFIX_BYTES = 4).
        n.add("aws:rds/cluster:Cluster", "finalSnapshotIdentifier",
              n.stem("final", max_len=255 - 2 * 4 - 1) + "-", "rds_snapshot", random=True)
    for i in range(1 + s.replicas):
        n.add("aws:rds/clusterInstance:ClusterInstance", "identifier", n.stem(str(i + 1), max_len=63),
              "rds_instance")
    if s.monitoring_interval:
        n.add("aws:iam/role:Role", "name", n.stem("monitoring", max_len=64), "iam_role")
    if s.proxy:
        n.add("aws:ec2/securityGroup:SecurityGroup", "name", n.stem("proxy-sg", max_len=255), "security_group")
        n.add("aws:iam/role:Role", "name", n.stem("proxy", max_len=64), "iam_role")
        n.add("aws:rds/proxy:Proxy", "name", n.stem("proxy", max_len=63), "rds_proxy")
        if s.replicas >= 1:
            n.add("aws:rds/proxyEndpoint:ProxyEndpoint", "dbProxyEndpointName", n.stem("ro", max_len=63),
                  "rds_proxy")
    if s.alarms:
        n.alarms(["cpu", "freeable-memory"] + (["replica-lag"] if s.replicas else []))


#: The database's children: logical-name suffix -> resource types (a superset of any configuration).
CHILDREN: dict[str, tuple[str, ...]] = {
    "subnets": ("aws:rds/subnetGroup:SubnetGroup",), "sg": (SECURITY_GROUP,),
    "params": ("aws:rds/clusterParameterGroup:ClusterParameterGroup",),
    "final-snapshot": ("random:index/randomId:RandomId",), "cluster": ("aws:rds/cluster:Cluster",),
    "monitoring": (ROLE, "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    "proxy": (ROLE, "aws:rds/proxy:Proxy"), "proxy-read-only": ("aws:rds/proxyEndpoint:ProxyEndpoint",),
    "proxy-secret": (ROLE_POLICY,), "proxy-sg": (SECURITY_GROUP,), "proxy-target": ("aws:rds/proxyTarget:ProxyTarget",),
    "proxy-targets": ("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",),
    "proxy-to-cluster": (EGRESS,), "from-proxy": (INGRESS,),
    "alarm-cpu": (ALARM,), "alarm-freeable-memory": (ALARM,), "alarm-replica-lag": (ALARM,),
}


def children(c: DatabaseBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN` and one instance per writer and reader."""
    return {**CHILDREN,
            **{f"instance-{i + 1}": ("aws:rds/clusterInstance:ClusterInstance",) for i in range(1 + c.replicas)}}


WIRING = Wiring(kind="database", phase=STORAGE, settings=database_settings, build=build, exports=exports,
                spec_fields={"backup_retention_days": "backup_retention"}, day_fields=("backup_retention",),
                link_variables=link_variables, physical_names=physical_names, children=children)
