"""An encrypted SNS topic that alarms and APIs publish to, with its subscribers.

:class:`Notifications` builds, as children of one component resource:

* an ``aws.kms.Key`` (rotated yearly) and its ``aws.kms.Alias``, and the
  ``aws.sns.Topic`` encrypted with it. The key is customer-managed on purpose:
  CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed
  ``alias/aws/sns`` key, whose key policy cannot be changed to let
  ``cloudwatch.amazonaws.com`` use it
  (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). The key
  policy keeps the account in control (``kms:*`` for the account root, i.e.
  IAM policies decide), lets CloudWatch encrypt, and, like the AWS-managed key,
  lets principals of this account use the key through SNS only
  (``kms:ViaService`` = ``sns.<region>.amazonaws.com``), so a publisher needs
  nothing beyond ``sns:Publish``;
* an ``aws.sns.TopicPolicy`` that denies ``sns:Publish`` without TLS
  (``aws:SecureTransport`` false) and allows CloudWatch alarms of this account
  and region to publish;
* one ``aws.sns.TopicSubscription`` per subscriber: ``email``, ``sms`` and
  ``https`` as given (email and https subscriptions stay pending until the
  recipient confirms), and ``sqs`` with raw message delivery, to the queue ARN
  passed in ``queue_subscriptions``.

Subscribing queues without a dependency cycle
---------------------------------------------
An SQS subscription needs two things: the subscription (which needs the queue's
ARN) and a statement in the queue's policy letting this topic send (which needs
the topic's ARN). A queue has exactly one queue policy, built in its constructor
from ``allowed_sns_topic_arns``, so the topic's ARN must be known before the
queue is built, and the queue's ARN before this component is built. The topic's
ARN is fully determined by partition, region, account and the topic's name, so
the program computes it up front:

.. code-block:: python

    alerts_arn = Notifications.expected_topic_arn("alerts", context)
    jobs = Queue("jobs", QueueSettings(), context=context,
                 allowed_sns_topic_arns=[alerts_arn], alarm_topic_arn=alerts_arn)
    alerts = Notifications(
        "alerts",
        NotificationsSettings(subscribers=(Subscriber("sqs", "jobs"),)),
        context=context,
        queue_subscriptions={"jobs": jobs.arn},
    )

:meth:`Notifications.expected_topic_arn` also serves as every component's
``alarm_topic_arn`` when the notifications component is created after them.

Pulumi registry: https://www.pulumi.com/registry/packages/aws/api-docs/sns/topic/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/sns/topicpolicy/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/sns/topicsubscription/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/kms/key/
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pulumi

from blueprints import aws
from blueprints.base import Component, Link, StackContext, aws_name
from blueprints.notifications.settings import (
    KEY_DELETION_WINDOW,
    MAX_ALIAS_NAME,
    MAX_TOPIC_NAME,
    NotificationsSettings,
    Subscriber,
    link_variables,
    topic_arn,
)


class Notifications(Component):
    """An encrypted SNS topic with a TLS-only policy that CloudWatch alarms may publish to.

    Args:
        name: The component's name, e.g. ``"alerts"``.
        settings: The subscribers.
        context: The project and environment.
        queue_subscriptions: Queue component name -> queue ARN. Each gets an ``sqs``
            subscription with raw message delivery, whether or not it is also listed
            as an ``sqs`` subscriber. The queue must allow this topic (its
            ``allowed_sns_topic_arns``, see :meth:`expected_topic_arn`).
        alarm_topic_arn: Accepted for a uniform component signature; the topic has
            no alarms of its own (they would report to the topic that fails).
        opts: Passed to the component resource; children inherit them.

    Raises:
        ValueError: An ``sqs`` subscriber names a queue missing from ``queue_subscriptions``.

    Attributes:
        key: The topic's ``aws.kms.Key``; key_alias: its ``aws.kms.Alias``.
        topic: The ``aws.sns.Topic``.
        topic_policy: The ``aws.sns.TopicPolicy``.
        subscriptions: ``aws.sns.TopicSubscription`` s by logical name.
        topic_arn: The topic's ARN.
    """

    KIND = "Notifications"

    def __init__(
        self,
        name: str,
        settings: NotificationsSettings,
        *,
        context: StackContext,
        queue_subscriptions: Mapping[str, pulumi.Input[str]] | None = None,
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        queue_arns = dict(queue_subscriptions or {})
        missing = sorted(s.endpoint for s in settings.subscribers
                         if s.protocol == "sqs" and s.endpoint not in queue_arns)
        if missing:
            raise ValueError(
                f"{name}: sqs subscribers {', '.join(missing)} have no queue ARN in "
                "queue_subscriptions")
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition_info = aws.get_partition_output(opts=invoke)
        partition, dns_suffix = partition_info.partition, partition_info.dns_suffix
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        self.key = aws.kms.Key(
            self.logical_name("key"),
            description=f"Encrypts the {self.physical_name()} SNS topic",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW,
            policy=pulumi.Output.all(partition, dns_suffix, region, account).apply(
                lambda a: key_policy(*a)),
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.key_alias = aws.kms.Alias(
            self.logical_name("key"),
            name="alias/" + self.physical_name(max_len=MAX_ALIAS_NAME - len("alias/")),
            target_key_id=self.key.key_id,
            opts=self.child_opts(),
        )
        self.topic = aws.sns.Topic(
            self.logical_name("topic"),
            name=self.topic_name(name, context),
            kms_master_key_id=self.key.arn,
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.topic_arn: pulumi.Output[str] = self.topic.arn
        self.topic_policy = aws.sns.TopicPolicy(
            self.logical_name("policy"),
            arn=self.topic.arn,
            policy=pulumi.Output.all(self.topic.arn, partition, region, account).apply(
                lambda a: topic_policy(*a)),
            opts=self.child_opts(),
        )

        self.subscriptions: dict[str, aws.sns.TopicSubscription] = {}
        for subscriber in settings.subscribers:
            if subscriber.protocol != "sqs":
                self._subscribe(_subscription_suffix(subscriber), subscriber.protocol,
                                subscriber.endpoint)
        for queue_name, queue_arn in queue_arns.items():
            self._subscribe(f"sqs-{queue_name}", "sqs", queue_arn, raw_message_delivery=True)

        self.register_outputs({"topicArn": self.topic.arn})

    @staticmethod
    def topic_name(name: str, context: StackContext) -> str:
        """The topic's AWS name for component ``name``: ``<project>-<environment>-<name>``."""
        return aws_name(context.project, context.environment, name, max_len=MAX_TOPIC_NAME)

    @staticmethod
    def expected_topic_arn(
        name: str,
        context: StackContext,
        opts: pulumi.InvokeOutputOptions | None = None,
    ) -> pulumi.Output[str]:
        """The ARN component ``name`` 's topic will have, before the topic exists.

        Built from ``get_partition``, ``get_region`` and ``get_caller_identity``
        (pass ``opts`` with a provider to use another account or region). It is
        what :attr:`topic_arn` resolves to, and lets queues allow the topic and
        other components alarm to it without waiting for the topic.
        """
        partition = aws.get_partition_output(opts=opts).partition
        region = aws.get_region_output(opts=opts).region
        account = aws.get_caller_identity_output(opts=opts).account_id
        topic = Notifications.topic_name(name, context)
        return pulumi.Output.all(partition, region, account).apply(
            lambda a: topic_arn(a[0], a[1], a[2], topic))

    def link(self) -> Link:
        """``<PREFIX>_TOPIC_ARN`` and ``sns:Publish`` on this topic only.

        The variable names are :func:`blueprints.notifications.settings.link_variables`'s,
        which ``scaffold validate`` checks for collisions.
        """
        (arn_variable,) = link_variables(self.component_name, self.settings)
        return Link(
            component=self.component_name,
            environment={arn_variable: self.topic.arn},
            iam_statements=[{"Effect": "Allow", "Action": ["sns:Publish"],
                             "Resource": self.topic.arn}],
        )

    def _subscribe(self, suffix: str, protocol: str, endpoint: pulumi.Input[str],
                   **kwargs: Any) -> None:
        logical = self.logical_name(f"sub-{suffix}")
        self.subscriptions[logical] = aws.sns.TopicSubscription(
            logical,
            topic=self.topic.arn,
            protocol=protocol,
            endpoint=endpoint,
            opts=self.child_opts(),
            **kwargs,
        )


def _subscription_suffix(subscriber: Subscriber) -> str:
    """A stable, address-free logical-name suffix: ``email-<8 hex of the endpoint>``."""
    digest = hashlib.sha256(subscriber.endpoint.encode()).hexdigest()[:8]
    return f"{subscriber.protocol}-{digest}"


def topic_policy(arn: str, partition: str, region: str, account: str) -> str:
    """The topic policy JSON: TLS-only publishing; CloudWatch alarms of this account may publish."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowCloudWatchAlarms",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"},
                },
            },
        ],
    })


def key_policy(partition: str, dns_suffix: str, region: str, account: str) -> str:
    """The topic key's policy JSON (see the module docstring)."""
    use = ["kms:GenerateDataKey*", "kms:Decrypt"]
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AccountPublishesThroughSns",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": use,
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": account,
                                               "kms:ViaService": f"sns.{region}.{dns_suffix}"}},
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": use,
                "Resource": "*",
            },
        ],
    })
