"""Queue: SQS queue + DLQ, redrive, encryption, TLS-only policy, FIFO naming, alarms, link."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.base import Link, StackContext
from blueprints.queue import Queue, QueueSettings

DEV = QueueSettings()
PROD = QueueSettings(fifo=True, visibility_timeout=120, retention=1209600, max_receives=3,
                     alarms=True, oldest_message_age_threshold=600)
QUEUE = "aws:sqs/queue:Queue"
POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:shop-dev-alerts"
ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms"


def build(offline: Any, settings: QueueSettings, *, name: str = "jobs", stack: str = "dev",
          **kwargs: Any) -> tuple[Any, Queue]:
    built: list[Queue] = []

    def program() -> None:
        queue = Queue(name, settings, context=StackContext(project="shop", environment=stack),
                      **kwargs)
        link = queue.link()
        pulumi.export("env", dict(link.environment))
        pulumi.export("statements", list(link.iam_statements))
        built.append(queue)

    return offline(program, stack=stack), built[0]


def taggable(type_token: str) -> bool:
    """Whether the pulumi-aws resource class behind a type token accepts ``tags``."""
    module, _, cls = type_token.split(":", 1)[1].partition("/")
    resource = getattr(getattr(pulumi_aws, module), cls.split(":")[1])
    return "tags" in inspect.signature(resource._internal_init).parameters


def queues(run: Any) -> tuple[Any, Any]:
    """(main queue, dead-letter queue)."""
    by_name = {r.name: r for r in run.of_type(QUEUE)}
    assert len(by_name) == 2
    return by_name["jobs-queue"], by_name["jobs-dlq"]


def policy_of(run: Any, queue: Any) -> dict[str, Any]:
    (policy,) = [p for p in run.of_type(POLICY) if p.inputs["queueUrl"] == queue.outputs["url"]]
    return json.loads(policy.inputs["policy"])


@pytest.mark.parametrize(("settings", "receives"), [(DEV, 5), (PROD, 3)], ids=["dev", "prod"])
def test_redrive_policy_names_the_dlq_with_an_int_count(offline: Any, settings: QueueSettings,
                                                        receives: int) -> None:
    run, _ = build(offline, settings)
    main, dlq = queues(run)
    redrive = json.loads(main.inputs["redrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq.outputs["arn"]
    assert dlq.outputs["arn"].startswith("arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs-dlq")
    assert redrive["maxReceiveCount"] == receives
    assert type(redrive["maxReceiveCount"]) is int


def test_settings_reach_the_queue_and_dlq_keeps_14_days(offline: Any) -> None:
    run, _ = build(offline, PROD)
    main, dlq = queues(run)
    assert main.inputs["visibilityTimeoutSeconds"] == 120
    assert main.inputs["messageRetentionSeconds"] == 1209600
    assert dlq.inputs["messageRetentionSeconds"] == 1209600
    dev, _ = build(offline, DEV)
    main, dlq = queues(dev)
    assert main.inputs["visibilityTimeoutSeconds"] == 30
    assert main.inputs["messageRetentionSeconds"] == 345600
    assert dlq.inputs["messageRetentionSeconds"] == 1209600


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_both_queues_are_encrypted(offline: Any, settings: QueueSettings) -> None:
    run, _ = build(offline, settings)
    assert [q.inputs["sqsManagedSseEnabled"] for q in queues(run)] == [True, True]


def test_only_the_main_queue_may_redrive_into_the_dlq(offline: Any) -> None:
    run, _ = build(offline, DEV)
    main, dlq = queues(run)
    (allow,) = run.of_type("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
    assert allow.inputs["queueUrl"] == dlq.outputs["url"]
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue", "sourceQueueArns": [main.outputs["arn"]]}


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_one_policy_per_queue_denies_insecure_transport(offline: Any, settings: QueueSettings) -> None:
    run, _ = build(offline, settings)
    assert len(run.of_type(POLICY)) == 2
    for queue in queues(run):
        (deny,) = [s for s in policy_of(run, queue)["Statement"] if s["Effect"] == "Deny"]
        assert deny["Principal"] == "*"
        assert deny["Action"] == "sqs:*"
        assert deny["Resource"] == queue.outputs["arn"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_allowed_sns_topics_join_the_single_queue_policy(offline: Any) -> None:
    other = "arn:aws:sns:us-east-1:123456789012:shop-dev-other"
    run, _ = build(offline, DEV, allowed_sns_topic_arns=[TOPIC_ARN, pulumi.Output.from_input(other)])
    main, dlq = queues(run)
    assert len(run.of_type(POLICY)) == 2  # still one per queue
    statements = policy_of(run, main)["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "sns.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    assert allow["Resource"] == main.outputs["arn"]
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": sorted([TOPIC_ARN, other])}}
    # the DLQ is not a subscription target, and without topics the main queue allows nothing
    assert all(s["Effect"] == "Deny" for s in policy_of(run, dlq)["Statement"])
    plain, _ = build(offline, DEV)
    assert all(s["Effect"] == "Deny" for s in policy_of(plain, queues(plain)[0])["Statement"])


def test_fifo_names_dedup_and_fifo_dlq(offline: Any) -> None:
    run, _ = build(offline, PROD)
    main, dlq = queues(run)
    assert main.inputs["name"] == "shop-dev-jobs.fifo"
    assert dlq.inputs["name"] == "shop-dev-jobs-dlq.fifo"
    assert main.inputs["fifoQueue"] is True and dlq.inputs["fifoQueue"] is True
    assert main.inputs["contentBasedDeduplication"] is True


def test_standard_queue_has_no_fifo_attributes(offline: Any) -> None:
    run, _ = build(offline, DEV)
    main, dlq = queues(run)
    assert main.inputs["name"] == "shop-dev-jobs"
    assert not main.inputs["name"].endswith(".fifo")
    for q in (main, dlq):
        assert "fifoQueue" not in q.inputs
        assert "contentBasedDeduplication" not in q.inputs


def test_fifo_without_content_dedup(offline: Any) -> None:
    run, _ = build(offline, QueueSettings(fifo=True, content_based_deduplication=False))
    main, _ = queues(run)
    assert main.inputs["contentBasedDeduplication"] is False


@pytest.mark.parametrize("fifo", [False, True])
def test_long_names_fit_in_80_characters(offline: Any, fifo: bool) -> None:
    name = "order-events-" + "x" * 80

    def program() -> None:
        Queue(name, QueueSettings(fifo=fifo), context=StackContext(project="shop", environment="dev"))

    run = offline(program)
    names = [q.inputs["name"] for q in run.of_type(QUEUE)]
    assert len(set(names)) == 2
    assert all(len(n) <= 80 for n in names)
    assert all(n.endswith(".fifo") == fifo for n in names)


def test_link_env_var_and_exact_actions(offline: Any) -> None:
    run, queue = build(offline, DEV, name="order-events")
    assert isinstance(queue.link(), Link)
    (main,) = [q for q in run.of_type(QUEUE) if q.name == "order-events-queue"]
    assert run.outputs["env"] == {"ORDER_EVENTS_QUEUE_URL": main.outputs["url"]}
    assert run.outputs["statements"] == [{
        "Effect": "Allow",
        "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                   "sqs:GetQueueAttributes"],
        "Resource": main.outputs["arn"],
    }]
    link = queue.link()
    assert link.security_group_id is None and link.port is None
    assert not link.secrets and not link.secret_arns


def test_alarms_only_when_asked(offline: Any) -> None:
    dev, queue = build(offline, DEV, alarm_topic_arn=ALARM_TOPIC)
    assert dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") == []
    assert queue.alarms == []

    run, queue = build(offline, PROD, stack="prod", alarm_topic_arn=ALARM_TOPIC)
    main, dlq = queues(run)
    alarms = {a.inputs["metricName"]: a.inputs
              for a in run.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert len(alarms) == 2 and len(queue.alarms) == 2
    age = alarms["ApproximateAgeOfOldestMessage"]
    assert age["threshold"] == 600
    assert age["comparisonOperator"] == "GreaterThanThreshold"
    assert age["dimensions"] == {"QueueName": main.outputs["name"]}
    visible = alarms["ApproximateNumberOfMessagesVisible"]
    assert visible["threshold"] == 0
    assert visible["comparisonOperator"] == "GreaterThanThreshold"
    assert visible["dimensions"] == {"QueueName": dlq.outputs["name"]}
    for alarm in alarms.values():
        assert alarm["namespace"] == "AWS/SQS"
        assert alarm["alarmActions"] == [ALARM_TOPIC]


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_every_taggable_resource_is_tagged(offline: Any, settings: QueueSettings) -> None:
    run, _ = build(offline, settings, stack="prod")
    tagged = [r for r in run.resources if r.custom and taggable(r.type)]
    assert len(tagged) >= 2
    for r in tagged:
        assert r.inputs["tags"]["scaffold:project"] == "shop", r.name
        assert r.inputs["tags"]["scaffold:environment"] == "prod", r.name
        assert r.inputs["tags"]["scaffold:component"] == "jobs", r.name


def test_children_are_parented_and_inherit_opts(offline: Any) -> None:
    run, queue = build(offline, PROD, opts=pulumi.ResourceOptions(protect=True))
    (component,) = run.of_type("scaffold:blueprints:Queue")
    assert all(r.parent == component.urn for r in run.resources if r.custom)
    children = [queue.queue, queue.dead_letter_queue, queue.queue_policy,
                queue.dead_letter_queue_policy, queue.redrive_allow_policy, *queue.alarms]
    assert all(child._protect is True for child in children)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"visibility_timeout": 43201}, "visibility_timeout"),
    ({"visibility_timeout": -1}, "visibility_timeout"),
    ({"retention": 59}, "retention"),
    ({"retention": 1209601}, "retention"),
    ({"max_receives": 0}, "max_receives"),
    ({"max_receives": 1001}, "max_receives"),
    ({"oldest_message_age_threshold": 0}, "oldest_message_age_threshold"),
])
def test_invalid_settings_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        QueueSettings(**kwargs)


def test_link_sets_exactly_the_variables_validate_checks(offline: Any) -> None:
    """``link_variables`` is what ``scaffold validate`` checks for collisions: it must match the link."""
    from blueprints.queue.settings import link_variables

    run, _ = build(offline, DEV, name="order-events")
    assert link_variables("order-events", DEV) == {name: "environment" for name in run.outputs["env"]}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"visibility_timeout": 43201}, "visibility_timeout"),
    ({"retention": 59}, "retention"),
    ({"retention": 10 ** 30}, "retention"),
    ({"max_receives": 0}, "max_receives"),
])
def test_every_problem_names_its_field(kwargs: dict[str, int], field: str) -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        QueueSettings(**kwargs)
    assert [p.field for p in caught.value.problems] == [field]
