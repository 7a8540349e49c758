"""API services: ECS Fargate behind an Application Load Balancer, and how links reach them.

Public names:

* :class:`ServiceCluster` / :class:`ServiceClusterSettings`: the ECS cluster every API
  in a stack shares (:mod:`blueprints.api.service_cluster`).
* :class:`Api` / :class:`ApiSettings` / :class:`ScalingSettings`: one HTTP service
  (:mod:`blueprints.api.component`, :mod:`blueprints.api.settings`).

The rest of the package builds the parts of an API, one module each: links,
security groups, task, load balancer, autoscaling, monitoring.
"""

from blueprints.api.component import Api
from blueprints.api.service_cluster import ServiceCluster, ServiceClusterSettings
from blueprints.api.settings import ApiSettings, ScalingSettings, check_fargate_pair

__all__ = [
    "Api",
    "ApiSettings",
    "ScalingSettings",
    "ServiceCluster",
    "ServiceClusterSettings",
    "check_fargate_pair",
]
