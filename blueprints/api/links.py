"""Link mechanics: how the components an API ``uses`` reach its task.

A :class:`blueprints.base.Link` carries four things, and each goes exactly one place:

* ``environment`` -> plain container environment variables;
* ``secrets`` -> ECS ``secrets`` (``valueFrom`` a Secrets Manager ARN, or an SSM
  parameter ARN for the API's own ``secrets``), which the *execution role*
  resolves at task start, so no value is ever in the task definition or the
  Pulumi state;
* ``secret_arns`` -> ``secretsmanager:GetSecretValue`` on the execution role, on
  exactly those ARNs (the API's own SSM parameter ARNs get ``ssm:GetParameters``);
* ``iam_statements`` -> the inline policy of the *task role* (what the code may do);
* ``security_group_id`` + ``port`` -> one ingress rule on the linked component's
  security group from the API's service security group (built in
  :mod:`blueprints.api.security_groups`).

:func:`merge_links` joins the API's own settings with its links and refuses a
variable name defined twice, so no link silently overrides another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints.api.settings import ContainerSettings, secrets_manager_arns, ssm_parameter_arns
from blueprints.base import Link


@dataclass(frozen=True)
class LinkedConfig:
    """What the task gets from its settings and links, merged.

    Attributes:
        environment: Plain variables, sorted by name.
        secrets: Secret variables (name -> ``valueFrom``), sorted by name.
        secret_arns: Secrets Manager ARNs (no JSON-key suffix) the execution role may read.
        iam_statements: Statements for the task role, in link order.
        parameter_arns: SSM Parameter Store ARNs the execution role may read
            (``ssm:GetParameters``), from the API's own ``secrets``.
    """

    environment: Mapping[str, pulumi.Input[str]]
    secrets: Mapping[str, pulumi.Input[str]]
    secret_arns: Sequence[pulumi.Input[str]]
    iam_statements: Sequence[Mapping[str, Any]]
    parameter_arns: Sequence[str] = ()


def merge_links(settings: ContainerSettings, links: Sequence[Link]) -> LinkedConfig:
    """Merge the API's own variables, secrets and permissions with those of its links.

    Raises:
        ValueError: Two links name the same component, or one variable name is
            defined twice (by the settings and a link, by two links, or as both a
            plain variable and a secret).
    """
    seen_components: set[str] = set()
    origin: dict[str, str] = {name: "environment" for name in settings.environment}
    origin.update({name: "secrets" for name in settings.secrets})
    environment: dict[str, pulumi.Input[str]] = dict(settings.environment)
    secrets: dict[str, pulumi.Input[str]] = dict(settings.secrets)
    arns: list[pulumi.Input[str]] = list(secrets_manager_arns(settings.secrets.values()))
    statements: list[Mapping[str, Any]] = []
    for link in links:
        if link.component in seen_components:
            raise ValueError(f"component {link.component!r} is linked twice")
        seen_components.add(link.component)
        for target, source in ((environment, link.environment), (secrets, link.secrets)):
            for name, value in source.items():
                if name in origin:
                    raise ValueError(
                        f"variable {name} comes from {origin[name]} and from the link to "
                        f"{link.component!r}; rename one of them"
                    )
                origin[name] = f"the link to {link.component!r}"
                target[name] = value
        arns.extend(link.secret_arns)
        statements.extend(link.iam_statements)
    return LinkedConfig(
        environment=dict(sorted(environment.items())),
        secrets=dict(sorted(secrets.items())),
        secret_arns=tuple(arns),
        parameter_arns=ssm_parameter_arns(settings.secrets.values()),
        iam_statements=tuple(statements),
    )
