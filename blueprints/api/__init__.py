"""API services: ECS Fargate behind an Application Load Balancer, and how links reach them.

Public names:

* :class:`ServiceCluster` / :class:`ServiceClusterSettings`: the ECS cluster every API
  in a stack shares (:mod:`blueprints.api.service_cluster`).
* :class:`Api` / :class:`ApiSettings` / :class:`ScalingSettings`: one HTTP service
  (:mod:`blueprints.api.component`, :mod:`blueprints.api.settings`).

The rest of the package builds the parts of an API, one module each: links,
security groups, task, load balancer, DNS (Route 53 and ACM), WAF, autoscaling,
monitoring.

The names load lazily (PEP 562), so that :mod:`blueprints.api.settings`, which
holds the rules ``scaffold validate`` shares with the component, imports
without ``pulumi``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Api": "blueprints.api.component",
    "ServiceCluster": "blueprints.api.service_cluster",
    "ServiceClusterSettings": "blueprints.api.service_cluster",
    "ApiSettings": "blueprints.api.settings",
    "ScalingSettings": "blueprints.api.settings",
    "check_fargate_pair": "blueprints.api.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
