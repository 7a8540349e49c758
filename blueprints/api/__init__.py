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

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "component": [
        "Api",
    ],
    "service_cluster": [
        "ServiceCluster",
        "ServiceClusterSettings",
    ],
    "settings": [
        "ApiSettings",
        "ScalingSettings",
        "check_fargate_pair",
    ],
})
