"""An SQS queue with a dead-letter queue, encryption, TLS-only access and alarms.

:class:`Queue` builds, as children of one component resource:

* the queue (``aws.sqs.Queue``) with SQS-managed server-side encryption, the
  settings' visibility timeout and retention, and a redrive policy that moves a
  message to the dead-letter queue after ``max_receives`` receives;
* the dead-letter queue (``aws.sqs.Queue``), also encrypted, keeping messages
  :data:`DLQ_RETENTION` (14 days, SQS's maximum);
* ``aws.sqs.RedriveAllowPolicy`` on the DLQ: only this queue may use it as its
  dead-letter queue (a separate resource, because the DLQ cannot name the main
  queue's ARN before the main queue, which names the DLQ, exists);
* one ``aws.sqs.QueuePolicy`` per queue (two on the same queue would overwrite
  each other in AWS). Each denies every request made without TLS
  (``aws:SecureTransport`` false). The main queue's policy also lets each SNS topic
  in ``allowed_sns_topic_arns`` send messages (``sqs:SendMessage`` from
  ``sns.amazonaws.com`` with ``aws:SourceArn`` equal to the topic);
* with :attr:`QueueSettings.alarms`, two ``aws.cloudwatch.MetricAlarm`` s:
  the oldest message older than ``oldest_message_age_threshold`` seconds, and any
  visible message in the DLQ.

FIFO queues (``fifo=True``) get the ``.fifo`` suffix (the name is at most 80
characters including it), content-based deduplication when asked, and a FIFO
DLQ (SQS requires a FIFO queue's DLQ to be FIFO too).

Subscribing to a notifications topic: the topic's ARN must be in this queue's
policy, and the policy is built once, in the constructor. Pass the ARNs as
``allowed_sns_topic_arns``; :meth:`blueprints.notifications.Notifications.expected_topic_arn`
gives a topic's ARN before the topic exists, which avoids a dependency cycle
(the topic's subscription needs this queue's ARN).

Pulumi registry: https://www.pulumi.com/registry/packages/aws/api-docs/sqs/queue/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/sqs/queuepolicy/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/sqs/redriveallowpolicy/
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi

from blueprints import aws
from blueprints.alarms import metric_alarm
from blueprints.base import Component, Link, StackContext
from blueprints.queue.settings import (
    CONSUMER_ACTIONS,
    DLQ_RETENTION,
    FIFO_SUFFIX,
    LINK_ACTIONS,
    MAX_QUEUE_NAME,
    QueueSettings,
    consumer_link_variables,
    link_variables,
)


class Queue(Component):
    """An SQS queue with its dead-letter queue.

    Args:
        name: The component's name, e.g. ``"jobs"``.
        settings: The queue's behaviour.
        context: The project and environment.
        allowed_sns_topic_arns: SNS topics that may send to the queue (subscriptions).
            Known up front, because the queue has exactly one queue policy.
        alarm_topic_arn: SNS topic ARN the alarms notify, or ``None``.
        opts: Passed to the component resource; children inherit them.

    Attributes:
        queue: The main ``aws.sqs.Queue``.
        dead_letter_queue: The DLQ ``aws.sqs.Queue``.
        redrive_allow_policy: The DLQ's ``aws.sqs.RedriveAllowPolicy``.
        queue_policy: The main queue's ``aws.sqs.QueuePolicy``.
        dead_letter_queue_policy: The DLQ's ``aws.sqs.QueuePolicy``.
        alarms: The ``aws.cloudwatch.MetricAlarm`` s (empty unless ``settings.alarms``).
        arn: The queue's ARN.
        url: The queue's URL.
    """

    KIND = "Queue"

    def __init__(
        self,
        name: str,
        settings: QueueSettings,
        *,
        context: StackContext,
        allowed_sns_topic_arns: Sequence[pulumi.Input[str]] = (),
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        fifo = settings.fifo
        fifo_args: dict[str, Any] = {"fifo_queue": True} if fifo else {}

        self.dead_letter_queue = aws.sqs.Queue(
            self.logical_name("dlq"),
            name=self.queue_name("dlq"),
            message_retention_seconds=DLQ_RETENTION,
            sqs_managed_sse_enabled=True,
            tags=self.tags(),
            opts=self.child_opts(),
            **fifo_args,
        )
        self.queue = aws.sqs.Queue(
            self.logical_name("queue"),
            name=self.queue_name(),
            visibility_timeout_seconds=settings.visibility_timeout,
            message_retention_seconds=settings.retention,
            sqs_managed_sse_enabled=True,
            content_based_deduplication=settings.content_based_deduplication if fifo else None,
            redrive_policy=self.dead_letter_queue.arn.apply(
                lambda dlq_arn: json.dumps({"deadLetterTargetArn": dlq_arn,
                                            "maxReceiveCount": int(settings.max_receives)})),
            tags=self.tags(),
            opts=self.child_opts(),
            **fifo_args,
        )
        self.arn: pulumi.Output[str] = self.queue.arn
        self.url: pulumi.Output[str] = self.queue.url

        self.redrive_allow_policy = aws.sqs.RedriveAllowPolicy(
            self.logical_name("dlq-redrive-allow"),
            queue_url=self.dead_letter_queue.url,
            redrive_allow_policy=self.queue.arn.apply(
                lambda arn: json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn]})),
            opts=self.child_opts(),
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            self.logical_name("policy"),
            queue_url=self.queue.url,
            policy=pulumi.Output.all(self.queue.arn, *allowed_sns_topic_arns).apply(
                lambda a: queue_policy(a[0], a[1:])),
            opts=self.child_opts(),
        )
        self.dead_letter_queue_policy = aws.sqs.QueuePolicy(
            self.logical_name("dlq-policy"),
            queue_url=self.dead_letter_queue.url,
            policy=self.dead_letter_queue.arn.apply(lambda arn: queue_policy(arn, ())),
            opts=self.child_opts(),
        )

        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        if settings.alarms:
            self._alarms(alarm_topic_arn)

        self.register_outputs({
            "arn": self.queue.arn,
            "url": self.queue.url,
            "deadLetterQueueArn": self.dead_letter_queue.arn,
        })

    def queue_name(self, suffix: str = "") -> str:
        """The AWS name of the queue (``suffix=""``) or DLQ, ``.fifo`` included, at most 80 characters."""
        if self.settings.fifo:
            return self.physical_name(suffix, max_len=MAX_QUEUE_NAME - len(FIFO_SUFFIX)) + FIFO_SUFFIX
        return self.physical_name(suffix, max_len=MAX_QUEUE_NAME)

    def link(self) -> Link:
        """``<PREFIX>_QUEUE_URL`` and send/receive/delete/get-attributes on this queue only.

        The variable names are :func:`blueprints.queue.settings.link_variables`'s, which
        ``scaffold validate`` checks for collisions.
        """
        (url_variable,) = link_variables(self.component_name, self.settings)
        return self._link(url_variable, LINK_ACTIONS)

    def consumer_link(self) -> Link:
        """What a worker that ``consumes`` this queue gets: ``<PREFIX>_QUEUE_URL`` and exactly
        ``sqs:ReceiveMessage``, ``sqs:DeleteMessage``, ``sqs:ChangeMessageVisibility`` and
        ``sqs:GetQueueAttributes`` on this queue only (:data:`CONSUMER_ACTIONS`; no ``SendMessage``).

        The variable names are :func:`blueprints.queue.settings.consumer_link_variables`'s.
        """
        (url_variable,) = consumer_link_variables(self.component_name, self.settings)
        return self._link(url_variable, CONSUMER_ACTIONS)

    def _link(self, url_variable: str, actions: Sequence[str]) -> Link:
        return Link(
            component=self.component_name,
            environment={url_variable: self.queue.url},
            iam_statements=[{
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": self.queue.arn,
            }],
        )

    def _alarms(self, alarm_topic_arn: pulumi.Input[str] | None) -> None:
        threshold = self.settings.oldest_message_age_threshold
        self.alarms.append(metric_alarm(
            self, "oldest-message-age",
            description=(f"The oldest message in {self.component_name} has waited more than "
                         f"{threshold} seconds: consumers are down or too slow."),
            namespace="AWS/SQS",
            metric_name="ApproximateAgeOfOldestMessage",
            dimensions={"QueueName": self.queue.name},
            threshold=threshold,
            statistic="Maximum",
            alarm_topic_arn=alarm_topic_arn,
        ))
        self.alarms.append(metric_alarm(
            self, "dlq-not-empty",
            description=(f"Messages of {self.component_name} failed {self.settings.max_receives} "
                         "times and are in its dead-letter queue: inspect and redrive them."),
            namespace="AWS/SQS",
            metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": self.dead_letter_queue.name},
            threshold=0,
            statistic="Maximum",
            evaluation_periods=1,
            alarm_topic_arn=alarm_topic_arn,
        ))


def queue_policy(queue_arn: str, sns_topic_arns: Sequence[str]) -> str:
    """The queue's policy JSON: deny non-TLS requests; let ``sns_topic_arns`` send.

    Args:
        queue_arn: The queue the policy is attached to.
        sns_topic_arns: SNS topics allowed to ``sqs:SendMessage``; may be empty.
    """
    statements: list[dict[str, Any]] = [{
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": queue_arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]
    if sns_topic_arns:
        statements.append({
            "Sid": "AllowSnsTopics",
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sorted(set(sns_topic_arns))}},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
