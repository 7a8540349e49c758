"""From a blueprint to each component's settings, without ``pulumi``.

The stack program (:mod:`stacks.program`) builds every component from these
settings, and ``scaffold validate`` constructs the same settings to run the
components' own checks (:mod:`blueprints.constraints`), so a rule is written
once. Blueprint durations are seconds; settings name their unit (``*_days``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blueprints.api.settings import ApiSettings, ScalingSettings
from blueprints.cache.settings import CacheSettings
from blueprints.database.settings import DatabaseSettings, ServerlessCapacity
from blueprints.network.settings import NetworkSettings
from blueprints.notifications.settings import NotificationsSettings, Subscriber
from blueprints.queue.settings import QueueSettings

if TYPE_CHECKING:
    from scaffold.spec.blueprint import (
        ApiBlueprint,
        Blueprint,
        CacheBlueprint,
        DatabaseBlueprint,
        NotificationsBlueprint,
        QueueBlueprint,
    )

DAY = 86400  # seconds


def network_settings(bp: Blueprint) -> NetworkSettings:
    """The network settings of a blueprint."""
    n = bp.network
    return NetworkSettings(azs=n.azs, nat=n.nat, cidr=n.cidr, flow_logs=n.flow_logs)


def database_settings(c: DatabaseBlueprint, alarms: bool) -> DatabaseSettings:
    """The settings of a database component; retentions in days."""
    return DatabaseSettings(
        engine=c.engine, version=c.version, instance=c.instance,
        serverless=ServerlessCapacity(min=c.serverless.min, max=c.serverless.max) if c.serverless else None,
        replicas=c.replicas, database=c.database, backup_retention_days=c.backup_retention // DAY,
        deletion_protection=c.deletion_protection, final_snapshot=c.final_snapshot, alarms=alarms,
    )


def cache_settings(c: CacheBlueprint, alarms: bool) -> CacheSettings:
    """The settings of a cache component; retentions in days."""
    return CacheSettings(engine=c.engine, version=c.version, node=c.node, replicas=c.replicas,
                         snapshot_retention_days=c.snapshot_retention // DAY, alarms=alarms)


def queue_settings(c: QueueBlueprint, alarms: bool) -> QueueSettings:
    """The settings of a queue component; durations in seconds."""
    return QueueSettings(fifo=c.fifo, content_based_deduplication=c.content_based_deduplication,
                         visibility_timeout=c.visibility_timeout, retention=c.retention,
                         max_receives=c.max_receives, alarms=alarms)


def notifications_settings(c: NotificationsBlueprint) -> NotificationsSettings:
    """The settings of a notifications component (a ``queue`` subscriber is SNS protocol ``sqs``)."""
    return NotificationsSettings(subscribers=tuple(
        Subscriber(protocol="sqs" if s.protocol == "queue" else s.protocol, endpoint=s.endpoint)
        for s in c.subscribers))


def api_settings(c: ApiBlueprint, alarms: bool) -> ApiSettings:
    """The settings of an API component; retentions in days."""
    s = c.scaling
    return ApiSettings(
        image=c.image, port=c.port, cpu=c.cpu, memory=c.memory, health_check=c.health_check,
        health_check_grace_period=c.health_check_grace_period, public=c.public, domain=c.domain,
        scaling=ScalingSettings(min=s.min, max=s.max, cpu=s.cpu, memory=s.memory, requests=s.requests),
        environment=dict(c.environment), secrets=dict(c.secrets),
        log_retention_days=c.log_retention // DAY, access_logs=c.access_logs,
        deletion_protection=c.deletion_protection, alarms=alarms,
    )
