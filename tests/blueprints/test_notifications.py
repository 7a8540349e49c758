"""Notifications: KMS-encrypted SNS topic, TLS-only policy open to alarms, subscriptions, link."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.base import Link, StackContext
from blueprints.notifications import (
    Notifications,
    NotificationsSettings,
    Subscriber,
    topic_arn,
)
from blueprints.queue import Queue, QueueSettings

DEV = NotificationsSettings()
PROD = NotificationsSettings(subscribers=(
    Subscriber("email", "oncall@example.com"),
    Subscriber("sms", "+15555550100"),
    Subscriber("https", "https://hooks.example.com/alerts"),
    Subscriber("sqs", "jobs"),
))
JOBS_ARN = "arn:aws:sqs:us-east-1:123456789012:shop-prod-jobs"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def build(offline: Any, settings: NotificationsSettings, *, stack: str = "dev",
          **kwargs: Any) -> tuple[Any, Notifications]:
    built: list[Notifications] = []

    def program() -> None:
        notifications = Notifications(
            "alerts", settings, context=StackContext(project="shop", environment=stack), **kwargs)
        link = notifications.link()
        pulumi.export("env", dict(link.environment))
        pulumi.export("statements", list(link.iam_statements))
        built.append(notifications)

    return offline(program, stack=stack), built[0]


def taggable(type_token: str) -> bool:
    """Whether the pulumi-aws resource class behind a type token accepts ``tags``."""
    module, _, cls = type_token.split(":", 1)[1].partition("/")
    resource = getattr(getattr(pulumi_aws, module), cls.split(":")[1])
    return "tags" in inspect.signature(resource._internal_init).parameters


def the(run: Any, type_token: str) -> Any:
    (resource,) = run.of_type(type_token)
    return resource


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_topic_is_encrypted_with_its_own_kms_key(offline: Any, settings: NotificationsSettings) -> None:
    run, _ = build(offline, settings, queue_subscriptions={"jobs": JOBS_ARN})
    topic = the(run, "aws:sns/topic:Topic")
    key = the(run, "aws:kms/key:Key")
    assert topic.inputs["name"] == "shop-dev-alerts"
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    alias = the(run, "aws:kms/alias:Alias")
    assert alias.inputs["name"] == "alias/shop-dev-alerts"
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]


def test_key_lets_cloudwatch_and_sns_callers_of_this_account_encrypt(offline: Any) -> None:
    run, _ = build(offline, DEV)
    statements = {s["Sid"]: s for s in
                  json.loads(the(run, "aws:kms/key:Key").inputs["policy"])["Statement"]}
    assert statements["AccountAdministers"]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    cloudwatch = statements["CloudWatchAlarmsPublish"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(cloudwatch["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    via_sns = statements["AccountPublishesThroughSns"]
    assert via_sns["Condition"]["StringEquals"] == {
        "kms:CallerAccount": "123456789012", "kms:ViaService": "sns.us-east-1.amazonaws.com"}


def test_topic_policy_denies_plain_http_and_admits_alarms(offline: Any) -> None:
    run, _ = build(offline, DEV)
    topic = the(run, "aws:sns/topic:Topic")
    policy = the(run, "aws:sns/topicPolicy:TopicPolicy")
    assert policy.inputs["arn"] == topic.outputs["arn"]
    statements = json.loads(policy.inputs["policy"])["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*"
    assert deny["Action"] == "sns:Publish"
    assert deny["Resource"] == topic.outputs["arn"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Resource"] == topic.outputs["arn"]
    assert allow["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}


def test_subscriptions_per_protocol(offline: Any) -> None:
    run, notifications = build(offline, PROD, stack="prod", queue_subscriptions={"jobs": JOBS_ARN})
    topic = the(run, "aws:sns/topic:Topic")
    subs = {s.inputs["protocol"]: s.inputs for s in run.of_type(SUBSCRIPTION)}
    assert sorted(subs) == ["email", "https", "sms", "sqs"]
    assert all(s["topic"] == topic.outputs["arn"] for s in subs.values())
    assert subs["email"]["endpoint"] == "oncall@example.com"
    assert subs["sms"]["endpoint"] == "+15555550100"
    assert subs["https"]["endpoint"] == "https://hooks.example.com/alerts"
    assert subs["sqs"]["endpoint"] == JOBS_ARN
    assert subs["sqs"]["rawMessageDelivery"] is True
    assert not subs["email"].get("rawMessageDelivery")
    assert len(notifications.subscriptions) == 4
    # logical names carry no address
    assert not any("@" in s.name or "example" in s.name for s in run.of_type(SUBSCRIPTION))

    dev, _ = build(offline, DEV)
    assert dev.of_type(SUBSCRIPTION) == []


def test_queue_subscriptions_without_an_sqs_subscriber_still_subscribe(offline: Any) -> None:
    run, _ = build(offline, DEV, queue_subscriptions={"jobs": JOBS_ARN, "mail": JOBS_ARN + "-mail"})
    assert sorted(s.inputs["endpoint"] for s in run.of_type(SUBSCRIPTION)) == [
        JOBS_ARN, JOBS_ARN + "-mail"]


def test_sqs_subscriber_without_queue_arn_raises() -> None:
    with pytest.raises(ValueError, match="jobs have no queue ARN"):
        Notifications("alerts", PROD, context=StackContext(project="shop", environment="dev"))


def test_link_env_var_and_publish_only(offline: Any) -> None:
    run, notifications = build(offline, DEV)
    arn = the(run, "aws:sns/topic:Topic").outputs["arn"]
    assert isinstance(notifications.link(), Link)
    assert run.outputs["env"] == {"ALERTS_TOPIC_ARN": arn}
    assert run.outputs["statements"] == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": arn}]
    assert notifications.link().security_group_id is None


def test_expected_topic_arn_matches_the_topic(offline: Any) -> None:
    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        pulumi.export("expected", Notifications.expected_topic_arn("alerts", context))
        notifications = Notifications("alerts", DEV, context=context)
        pulumi.export("actual", notifications.topic_arn)

    run = offline(program, stack="prod", region="eu-west-1")
    assert run.outputs["expected"] == run.outputs["actual"]
    assert run.outputs["actual"] == topic_arn("aws", "eu-west-1", "123456789012", "shop-prod-alerts")


def test_queue_subscription_without_a_cycle(offline: Any) -> None:
    """The documented wiring: expected ARN -> Queue -> Notifications with the queue's ARN."""
    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        alerts_arn = Notifications.expected_topic_arn("alerts", context)
        jobs = Queue("jobs", QueueSettings(alarms=True), context=context,
                     allowed_sns_topic_arns=[alerts_arn], alarm_topic_arn=alerts_arn)
        Notifications("alerts", PROD, context=context, queue_subscriptions={"jobs": jobs.arn})

    run = offline(program, stack="prod")
    topic = the(run, "aws:sns/topic:Topic")
    (queue,) = [q for q in run.of_type("aws:sqs/queue:Queue") if q.name == "jobs-queue"]
    (sub,) = [s for s in run.of_type(SUBSCRIPTION) if s.inputs["protocol"] == "sqs"]
    assert sub.inputs["endpoint"] == queue.outputs["arn"]
    (policy,) = [p for p in run.of_type("aws:sqs/queuePolicy:QueuePolicy")
                 if p.inputs["queueUrl"] == queue.outputs["url"]]
    (allow,) = [s for s in json.loads(policy.inputs["policy"])["Statement"] if s["Effect"] == "Allow"]
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"] == [topic.outputs["arn"]]
    alarms = run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarms and all(a.inputs["alarmActions"] == [topic.outputs["arn"]] for a in alarms)


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_every_taggable_resource_is_tagged(offline: Any, settings: NotificationsSettings) -> None:
    run, _ = build(offline, settings, stack="prod", queue_subscriptions={"jobs": JOBS_ARN})
    tagged = [r for r in run.resources if r.custom and taggable(r.type)]
    assert {r.type for r in tagged} == {"aws:sns/topic:Topic", "aws:kms/key:Key"}
    for r in tagged:
        assert r.inputs["tags"]["scaffold:project"] == "shop", r.name
        assert r.inputs["tags"]["scaffold:environment"] == "prod", r.name
        assert r.inputs["tags"]["scaffold:component"] == "alerts", r.name


def test_children_are_parented_and_inherit_opts(offline: Any) -> None:
    run, notifications = build(offline, PROD, queue_subscriptions={"jobs": JOBS_ARN},
                               opts=pulumi.ResourceOptions(protect=True))
    (component,) = run.of_type("scaffold:blueprints:Notifications")
    assert all(r.parent == component.urn for r in run.resources if r.custom)
    children = [notifications.key, notifications.topic, notifications.topic_policy,
                *notifications.subscriptions.values()]
    assert all(child._protect is True for child in children)


@pytest.mark.parametrize(("protocol", "endpoint"), [
    ("email", "not-an-address"),
    ("sms", "5555550100"),
    ("https", "http://hooks.example.com"),
    ("sqs", ""),
    ("lambda", "arn:aws:lambda:us-east-1:123456789012:function:f"),
])
def test_invalid_subscribers_raise(protocol: str, endpoint: str) -> None:
    with pytest.raises(ValueError, match="subscriber"):
        Subscriber(protocol, endpoint)  # type: ignore[arg-type]


def test_duplicate_subscribers_raise() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        NotificationsSettings(subscribers=(Subscriber("email", "a@example.com"),) * 2)


def test_every_duplicate_subscriber_is_reported_at_its_own_index() -> None:
    """The problem is on the repeated entry (validate puts it on that line), naming the first."""
    from blueprints.constraints import SettingsError

    a, b = Subscriber("email", "a@example.com"), Subscriber("sqs", "jobs")
    with pytest.raises(SettingsError) as caught:
        NotificationsSettings(subscribers=(a, b, a, b))
    assert [(p.field, p.message.split("(")[1]) for p in caught.value.problems] == [
        ("subscribers.2", "also subscribers[0])"), ("subscribers.3", "also subscribers[1])")]


def test_link_sets_exactly_the_variables_validate_checks(offline: Any) -> None:
    from blueprints.notifications.settings import link_variables

    run, _ = build(offline, DEV)
    assert link_variables("alerts", DEV) == {name: "environment" for name in run.outputs["env"]}
