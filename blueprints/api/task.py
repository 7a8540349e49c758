"""What runs: the log group, the two IAM roles and the Fargate task definition.

* ``aws.cloudwatch.LogGroup`` ``/ecs/<project>-<env>-<api>`` with retention.
* Execution role (used by ECS to start the task): an inline, least-privilege
  equivalent of ``AmazonECSTaskExecutionRolePolicy`` — write to this log group
  only, pull from the image's own ECR repository only (nothing when the image is
  not in ECR) — plus ``secretsmanager:GetSecretValue`` on exactly the secret
  ARNs of the settings and links (JSON-key suffix removed), and
  ``ssm:GetParameters`` on exactly the SSM parameter ARNs of the settings.
  ECS reads ``secrets`` with these at task start:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html,
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
  (a secret or SecureString encrypted with a customer managed KMS key also needs
  ``kms:Decrypt`` on that key, which scaffold cannot know: grant it in the key policy).
* Task role (used by the application code): an inline policy that is the union
  of the links' IAM statements, and no policy at all when there are none.
* ``aws.ecs.TaskDefinition``: FARGATE, ``awsvpc``, one essential container.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/ecs/taskdefinition/,
https://www.pulumi.com/registry/packages/aws/api-docs/iam/role/
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from blueprints import aws
from blueprints.api.links import LinkedConfig
from blueprints.api.settings import ContainerSettings, ecr_repository_arn
from blueprints.base import Component

#: IAM policy language version.
POLICY_VERSION = "2012-10-17"
#: Prefix of the container log streams: ``<prefix>/<container>/<task id>``.
LOG_STREAM_PREFIX = "ecs"

@dataclass(frozen=True)
class TaskResources:
    """The resources :func:`build_task` created."""

    log_group: aws.cloudwatch.LogGroup
    execution_role: aws.iam.Role
    execution_policy: aws.iam.RolePolicy
    task_role: aws.iam.Role
    task_policy: aws.iam.RolePolicy | None
    task_definition: aws.ecs.TaskDefinition
    container_name: str

    def expose_on(self, owner: Component) -> None:
        """Set ``log_group``, ``execution_role``, ``task_role``, ``task_policy``,
        ``task_definition`` and ``container_name`` on ``owner`` (an API, worker or job),
        the attributes each documents."""
        for attribute in ("log_group", "execution_role", "task_role", "task_policy", "task_definition",
                          "container_name"):
            setattr(owner, attribute, getattr(self, attribute))


def container_name(component: str) -> str:
    """The container's name: the component name in the characters ECS accepts."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", component)[:255]


def _trust_policy(condition: Mapping[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": POLICY_VERSION, "Statement": [statement]})


def _execution_policy(log_group_arn: str, image: str, secret_arns: Sequence[str],
                      parameter_arns: Sequence[str] = ()) -> str:
    statements: list[dict[str, Any]] = [{
        "Sid": "WriteContainerLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"{log_group_arn}:log-stream:*",
    }]
    repository = ecr_repository_arn(image)
    if repository is not None:
        statements += [
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken",
             "Resource": "*"},  # this action has no resource-level permissions
            {"Sid": "PullImage", "Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                        "ecr:BatchGetImage"],
             "Resource": repository},
        ]
    unique = sorted(set(secret_arns))
    if unique:
        statements.append({"Sid": "ReadSecrets", "Effect": "Allow",
                           "Action": "secretsmanager:GetSecretValue", "Resource": unique})
    parameters = sorted(set(parameter_arns))
    if parameters:
        # ECS's valueFrom for Parameter Store: the parameter's full ARN; the execution role
        # needs ssm:GetParameters on it (secrets-envvar-ssm-paramstore.html above).
        statements.append({"Sid": "ReadParameters", "Effect": "Allow",
                           "Action": "ssm:GetParameters", "Resource": parameters})
    return json.dumps({"Version": POLICY_VERSION, "Statement": statements})


#: Most characters IAM accepts in all inline policies of one role together (white space
#: not counted). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
MAX_ROLE_INLINE_POLICY_CHARS = 10_240


def task_policy_document(statements: Sequence[Mapping[str, Any]]) -> str:
    """The task role's policy: the links' statements, those with the same effect and actions merged.

    An API that uses many queues would otherwise repeat the same four SQS actions once per
    queue and pass IAM's 10,240-character limit on a role's inline policies
    (:data:`MAX_ROLE_INLINE_POLICY_CHARS`) at a few dozen queues; merged, each further
    queue adds only its ARN. Statements and actions keep the order of their first use;
    resources are sorted.
    Serialised without insignificant white space, as IAM counts it.
    """
    merged: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    plain: list[Mapping[str, Any]] = []
    for statement in statements:
        if set(statement) != {"Effect", "Action", "Resource"}:
            plain.append(statement)  # conditions or principals: keep as written
            continue
        actions = statement["Action"]
        key = (statement["Effect"], tuple(sorted([actions] if isinstance(actions, str) else actions)))
        resources = statement["Resource"]
        into = merged.setdefault(key, {"Effect": key[0], "Action": actions, "Resource": []})
        into["Resource"].extend([resources] if isinstance(resources, str) else resources)
    out: list[Mapping[str, Any]] = []
    for into in merged.values():
        unique = sorted(set(into["Resource"]))
        out.append({**into, "Resource": unique[0] if len(unique) == 1 else unique})
    return json.dumps({"Version": POLICY_VERSION, "Statement": [*out, *plain]}, separators=(",", ":"))


def _container_definitions(
    *, name: str, settings: ContainerSettings, log_group: str, region: str,
    environment: Mapping[str, str], secrets: Mapping[str, str],
) -> str:
    container: dict[str, Any] = {"name": name, "image": settings.image, "essential": True}
    if settings.command is not None:
        container["command"] = list(settings.command)
    if settings.port is not None:
        container["portMappings"] = [{"containerPort": settings.port, "hostPort": settings.port,
                                      "protocol": "tcp"}]
    return json.dumps([{
        **container,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": log_group,
            "awslogs-region": region,
            "awslogs-stream-prefix": LOG_STREAM_PREFIX,
        }},
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())],
    }])


def build_task(owner: Component, settings: ContainerSettings, linked: LinkedConfig) -> TaskResources:
    """Create the log group, roles and task definition of an API, worker or job as children of ``owner``.

    The container maps ``settings.port`` when it has one (an API) and runs ``settings.command``
    instead of the image's ``CMD`` when given.
    """
    invoke = pulumi.InvokeOutputOptions(parent=owner)
    region = aws.get_region_output(opts=invoke).region
    account = aws.get_caller_identity_output(opts=invoke).account_id

    log_group = aws.cloudwatch.LogGroup(
        owner.logical_name("logs"),
        name=f"/ecs/{owner.physical_name(max_len=500)}",
        retention_in_days=settings.log_retention_days,
        tags=owner.tags(),
        opts=owner.child_opts(),
    )

    execution_role = aws.iam.Role(
        owner.logical_name("execution-role"),
        name=owner.physical_name("exec", max_len=64),
        description="ECS starts the task with this role: pulls the image, writes logs, reads secrets.",
        assume_role_policy=_trust_policy(),
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    execution_policy = aws.iam.RolePolicy(
        owner.logical_name("execution-policy"),
        role=execution_role.id,
        policy=pulumi.Output.all(log_group.arn, pulumi.Output.all(*linked.secret_arns)).apply(
            lambda args: _execution_policy(args[0], settings.image, args[1], linked.parameter_arns)
        ),
        opts=owner.child_opts(),
    )

    task_role = aws.iam.Role(
        owner.logical_name("task-role"),
        name=owner.physical_name("task", max_len=64),
        description="The application code runs with this role: what its links allow, nothing else.",
        assume_role_policy=account.apply(lambda a: _trust_policy({
            "StringEquals": {"aws:SourceAccount": a},
        })),
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    task_policy = None
    if linked.iam_statements:
        task_policy = aws.iam.RolePolicy(
            owner.logical_name("task-policy"),
            role=task_role.id,
            policy=pulumi.Output.from_input(list(linked.iam_statements)).apply(task_policy_document),
            opts=owner.child_opts(),
        )

    name = container_name(owner.component_name)
    definitions = pulumi.Output.all(
        log_group.name, region,
        pulumi.Output.from_input(dict(linked.environment)),
        pulumi.Output.from_input(dict(linked.secrets)),
    ).apply(lambda args: _container_definitions(
        name=name, settings=settings, log_group=args[0], region=args[1],
        environment=args[2], secrets=args[3],
    ))
    task_definition = aws.ecs.TaskDefinition(
        owner.logical_name("task"),
        family=owner.physical_name(max_len=255),
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(settings.cpu),
        memory=str(settings.memory),
        execution_role_arn=execution_role.arn,
        task_role_arn=task_role.arn,
        container_definitions=definitions,
        tags=owner.tags(),
        # The execution role must be able to read the secrets before a task starts.
        opts=owner.child_opts(depends_on=[execution_policy]),
    )
    return TaskResources(
        log_group=log_group, execution_role=execution_role, execution_policy=execution_policy,
        task_role=task_role, task_policy=task_policy, task_definition=task_definition,
        container_name=name,
    )
