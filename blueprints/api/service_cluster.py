"""The ECS cluster every API service in a stack runs in.

Becomes one ``aws.ecs.Cluster`` with CloudWatch Container Insights, which the
API's ``RunningTaskCount`` alarm reads:
https://www.pulumi.com/registry/packages/aws/api-docs/ecs/cluster/
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi

from blueprints import aws
from blueprints.base import Component, StackContext

#: Container Insights mode: ``"enabled"`` (standard) or ``"enhanced"`` (adds task and container metrics).
DEFAULT_CONTAINER_INSIGHTS = "enabled"


@dataclass(frozen=True, kw_only=True)
class ServiceClusterSettings:
    """Settings of the shared ECS cluster.

    Attributes:
        container_insights: ``"enabled"`` or ``"enhanced"``; never off, because the
            API alarms read Container Insights metrics.
    """

    container_insights: Literal["enabled", "enhanced"] = DEFAULT_CONTAINER_INSIGHTS

    def __post_init__(self) -> None:
        if self.container_insights not in ("enabled", "enhanced"):
            raise ValueError(
                f"container_insights must be 'enabled' or 'enhanced', not {self.container_insights!r}"
            )


class ServiceCluster(Component):
    """One ECS cluster, shared by every :class:`blueprints.api.Api` in a stack.

    Args:
        name: The component name, e.g. ``"services"``.
        settings: Cluster settings; ``None`` means the defaults.
        context: The project and environment.
        opts: Passed through to the component resource.

    Attributes:
        cluster: The ``aws.ecs.Cluster``.
        name: The cluster name (``Output[str]``), e.g. ``shop-prod-services``.
        arn: The cluster ARN (``Output[str]``).
    """

    KIND = "ServiceCluster"

    def __init__(
        self,
        name: str,
        settings: ServiceClusterSettings | None = None,
        *,
        context: StackContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, context=context, opts=opts)
        settings = settings or ServiceClusterSettings()
        self.settings = settings
        self.cluster = aws.ecs.Cluster(
            self.logical_name("cluster"),
            name=self.physical_name(max_len=255),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights",
                                                 value=settings.container_insights)],
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.name: pulumi.Output[str] = self.cluster.name
        self.arn: pulumi.Output[str] = self.cluster.arn
        self.register_outputs({"name": self.name, "arn": self.arn})
