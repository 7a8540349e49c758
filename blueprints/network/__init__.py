"""A VPC with public and private subnets across availability zones.

The component is in :mod:`blueprints.network.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.network.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_AZS": "blueprints.network.settings",
    "MIN_AZS": "blueprints.network.settings",
    "MAX_AZS": "blueprints.network.settings",
    "DEFAULT_NAT": "blueprints.network.settings",
    "DEFAULT_CIDR": "blueprints.network.settings",
    "DEFAULT_FLOW_LOG_RETENTION_DAYS": "blueprints.network.settings",
    "SUBNET_SLOTS": "blueprints.network.settings",
    "SUBNET_EXTRA_BITS": "blueprints.network.settings",
    "AWS_MIN_VPC_PREFIX": "blueprints.network.settings",
    "AWS_MAX_SUBNET_PREFIX": "blueprints.network.settings",
    "FLOW_LOG_AGGREGATION_INTERVAL": "blueprints.network.settings",
    "LOG_RETENTION_DAYS": "blueprints.network.settings",
    "NatMode": "blueprints.network.settings",
    "NetworkSettings": "blueprints.network.settings",
    "subnet_cidrs": "blueprints.network.settings",
    "Network": "blueprints.network.component",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
