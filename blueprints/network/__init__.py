"""A VPC with public and private subnets across availability zones.

The component is in :mod:`blueprints.network.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.network.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "DEFAULT_AZS",
        "MIN_AZS",
        "MAX_AZS",
        "DEFAULT_NAT",
        "DEFAULT_CIDR",
        "DEFAULT_FLOW_LOG_RETENTION_DAYS",
        "SUBNET_SLOTS",
        "SUBNET_EXTRA_BITS",
        "AWS_MIN_VPC_PREFIX",
        "AWS_MAX_SUBNET_PREFIX",
        "FLOW_LOG_AGGREGATION_INTERVAL",
        "LOG_RETENTION_DAYS",
        "NatMode",
        "NetworkSettings",
        "subnet_cidrs",
    ],
    "component": [
        "Network",
    ],
})
