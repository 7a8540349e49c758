"""Link mechanics: what an API gets from the components it uses, and from nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from blueprints.api import Api, ApiSettings, ServiceCluster
from blueprints.api.links import merge_links
from blueprints.base import Link, StackContext, env_prefix
from stacks.mocks import is_secret
from tests.blueprints.fakes import fake_network

IMAGE = "ghcr.io/shop/orders:1.4.2"
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-1a2b3c4d-AbCdEf"
CACHE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-prod-sessions-auth-XyZ123"
STRIPE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-QwErTy"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:shop-prod-jobs"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:shop-prod-events"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def database_link() -> Link:
    """Shaped like ``Database.link()``: endpoints as outputs, credentials as JSON-key secrets."""
    prefix = env_prefix("orders-db")
    return Link(
        component="orders-db",
        environment={
            f"{prefix}_HOST": pulumi.Output.from_input("orders.cluster-abc.us-east-1.rds.amazonaws.com"),
            f"{prefix}_READER_HOST": "orders.cluster-ro-abc.us-east-1.rds.amazonaws.com",
            f"{prefix}_PORT": "5432",
            f"{prefix}_NAME": "app",
        },
        secrets={
            f"{prefix}_USERNAME": pulumi.Output.concat(DB_SECRET, ":username::"),
            f"{prefix}_PASSWORD": pulumi.Output.concat(DB_SECRET, ":password::"),
        },
        secret_arns=[pulumi.Output.from_input(DB_SECRET)],
        security_group_id=pulumi.Output.from_input("sg-0db"),
        port=5432,
    )


def cache_link() -> Link:
    return Link(
        component="sessions",
        environment={"SESSIONS_HOST": "master.sessions.cache.amazonaws.com", "SESSIONS_PORT": "6379"},
        secrets={"SESSIONS_AUTH_TOKEN": CACHE_SECRET},
        secret_arns=[CACHE_SECRET],
        security_group_id="sg-0cache",
        port=6379,
    )


def queue_link() -> Link:
    return Link(
        component="jobs",
        environment={"JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/shop-prod-jobs"},
        iam_statements=[{
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                       "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
            "Resource": pulumi.Output.from_input(QUEUE_ARN),
        }],
    )


def topic_link() -> Link:
    return Link(
        component="events",
        environment={"EVENTS_TOPIC_ARN": TOPIC_ARN},
        iam_statements=[{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": TOPIC_ARN}],
    )


SETTINGS = ApiSettings(
    image=IMAGE, environment={"LOG_LEVEL": "info"},
    secrets={"STRIPE_KEY": f"{STRIPE_SECRET}:api_key::"},
)


def build(offline: Callable[..., Any], links: Callable[[], list[Link]],
          settings: ApiSettings = SETTINGS) -> Any:
    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        network = fake_network(2)
        cluster = ServiceCluster("services", context=context)
        Api("orders-api", settings, context=context, network=network, cluster=cluster,
            links=links())
    return offline(program, stack="prod")


def container(run: Any) -> dict[str, Any]:
    [definition] = json.loads(run.named("orders-api-task").inputs["containerDefinitions"])
    return definition


@pytest.fixture(scope="module")
def linked() -> Any:
    from stacks.mocks import run_offline
    return build(lambda program, stack: run_offline(program, project="shop", stack=stack),
                 lambda: [database_link(), cache_link(), queue_link(), topic_link()])


def test_link_variables_are_injected_sorted(linked: Any) -> None:
    definition = container(linked)
    assert [e["name"] for e in definition["environment"]] == [
        "EVENTS_TOPIC_ARN", "JOBS_QUEUE_URL", "LOG_LEVEL", "ORDERS_DB_HOST", "ORDERS_DB_NAME",
        "ORDERS_DB_PORT", "ORDERS_DB_READER_HOST", "SESSIONS_HOST", "SESSIONS_PORT",
    ]
    env = {e["name"]: e["value"] for e in definition["environment"]}
    assert env["ORDERS_DB_HOST"] == "orders.cluster-abc.us-east-1.rds.amazonaws.com"
    assert env["JOBS_QUEUE_URL"].endswith("/shop-prod-jobs")
    assert definition["secrets"] == [
        {"name": "ORDERS_DB_PASSWORD", "valueFrom": f"{DB_SECRET}:password::"},
        {"name": "ORDERS_DB_USERNAME", "valueFrom": f"{DB_SECRET}:username::"},
        {"name": "SESSIONS_AUTH_TOKEN", "valueFrom": CACHE_SECRET},
        {"name": "STRIPE_KEY", "valueFrom": f"{STRIPE_SECRET}:api_key::"},
    ]


def test_links_with_a_security_group_open_it_to_the_service_on_their_port(linked: Any) -> None:
    service_sg = linked.named("orders-api-service-sg").outputs["id"]
    rules = {r.inputs["securityGroupId"]: r.inputs for r in linked.of_type(INGRESS)
             if r.name.startswith("orders-api-to-")}
    assert set(rules) == {"sg-0db", "sg-0cache"}  # the queue and topic links have none
    for sg, port in (("sg-0db", 5432), ("sg-0cache", 6379)):
        rule = rules[sg]
        assert rule["referencedSecurityGroupId"] == service_sg
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", port, port)
        assert "cidrIpv4" not in rule
    assert linked.named("orders-api-to-orders-db").inputs["securityGroupId"] == "sg-0db"


def test_task_role_gets_exactly_the_links_statements(linked: Any) -> None:
    policy = json.loads(linked.named("orders-api-task-policy").inputs["policy"])
    assert policy["Statement"] == [
        {"Effect": "Allow",
         "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
         "Resource": QUEUE_ARN},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": TOPIC_ARN},
    ]
    task_role = linked.named("orders-api-task-role")
    assert linked.named("orders-api-task-policy").inputs["role"] == task_role.outputs["id"]
    trust = json.loads(task_role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_execution_role_reads_exactly_the_secret_arns(linked: Any) -> None:
    policy = json.loads(linked.named("orders-api-execution-policy").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["ReadSecrets"] == {
        "Sid": "ReadSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
        "Resource": sorted([DB_SECRET, CACHE_SECRET, STRIPE_SECRET]),  # no ":password::" suffixes
    }
    assert "PullImage" not in statements  # a ghcr.io image needs no ECR permissions
    all_actions = {a for s in policy["Statement"] for a in
                   ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert not any(a.startswith(("sqs:", "sns:")) for a in all_actions)  # those are the task's


def test_no_links_no_task_policy(offline: Callable[..., Any]) -> None:
    run = build(offline, lambda: [], ApiSettings(image=IMAGE))
    assert [r.name for r in run.of_type(ROLE_POLICY)] == ["orders-api-execution-policy"]
    assert not [r for r in run.of_type(INGRESS) if r.name.startswith("orders-api-to-")]
    policy = json.loads(run.named("orders-api-execution-policy").inputs["policy"])
    assert "ReadSecrets" not in {s["Sid"] for s in policy["Statement"]}
    definition = container(run)
    assert (definition["environment"], definition["secrets"]) == ([], [])


def test_real_cache_link_keeps_the_token_out_of_the_task(offline: Callable[..., Any]) -> None:
    """With the real Cache component: its generated token never reaches any API input."""
    from blueprints.cache import Cache, CacheSettings

    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        network = fake_network(2)
        cache = Cache("sessions", CacheSettings(), context=context, network=network)
        cluster = ServiceCluster("services", context=context)
        Api("orders-api", ApiSettings(image=IMAGE), context=context, network=network,
            cluster=cluster, links=[cache.link()])

    run = offline(program, stack="prod")
    [password] = run.of_type("random:index/randomPassword:RandomPassword")
    token = password.outputs["result"]
    token = token["value"] if is_secret(token) else token
    assert token
    api = run.named("orders-api").urn
    for resource in run.resources:
        if resource.parent == api:
            assert token not in json.dumps(resource.inputs, default=str), resource.name
    definition = container(run)
    assert [s["name"] for s in definition["secrets"]] == ["SESSIONS_AUTH_TOKEN"]
    assert definition["secrets"][0]["valueFrom"].startswith("arn:aws:secretsmanager:")
    rule = run.named("orders-api-to-sessions").inputs
    assert rule["referencedSecurityGroupId"] == run.named("orders-api-service-sg").outputs["id"]


def test_real_database_link_wires_names_secrets_and_port(offline: Callable[..., Any]) -> None:
    """With the real Database component: the documented variable names, key-suffixed secrets,
    the execution role on the bare secret ARN and the rule on the database's group."""
    from blueprints.database import Database, DatabaseSettings
    from blueprints.database.settings import link_variables

    settings = DatabaseSettings()

    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        network = fake_network(2)
        db = Database("orders-db", settings, context=context, network=network)
        cluster = ServiceCluster("services", context=context)
        Api("orders-api", ApiSettings(image=IMAGE), context=context, network=network,
            cluster=cluster, links=[db.link()])

    run = offline(program, stack="prod")
    definition = container(run)
    # Exactly the names validate checks for collisions (link_variables), each where it says.
    expected = link_variables("orders-db", settings)
    assert {e["name"] for e in definition["environment"]} == {
        n for n, where in expected.items() if where == "environment"}
    assert {s["name"] for s in definition["secrets"]} == {
        n for n, where in expected.items() if where == "secret"}
    assert {"ORDERS_DB_HOST", "ORDERS_DB_PORT", "ORDERS_DB_NAME"} <= set(expected)
    [secret] = run.of_type("aws:rds/cluster:Cluster")[0].outputs["masterUserSecrets"]
    arn = secret["secretArn"]
    for s in definition["secrets"]:  # JSON-key references into the RDS-managed secret
        assert s["valueFrom"] in (f"{arn}:password::", f"{arn}:username::")
    policy = json.loads(run.named("orders-api-execution-policy").inputs["policy"])
    [read] = [s for s in policy["Statement"] if s["Sid"] == "ReadSecrets"]
    assert read["Resource"] == [arn]
    rule = run.named("orders-api-to-orders-db").inputs
    db_sg = [r for r in run.of_type("aws:ec2/securityGroup:SecurityGroup")
             if r.name.startswith("orders-db")]
    assert rule["securityGroupId"] == db_sg[0].outputs["id"]
    assert (rule["fromPort"], rule["toPort"]) == (5432, 5432)


def test_a_variable_defined_twice_is_refused() -> None:
    clash = Link(component="other-db", environment={"LOG_LEVEL": "debug"})
    with pytest.raises(ValueError, match="LOG_LEVEL comes from environment and from the link to 'other-db'"):
        merge_links(SETTINGS, [clash])
    secret_clash = Link(component="x", secrets={"STRIPE_KEY": STRIPE_SECRET})
    with pytest.raises(ValueError, match="STRIPE_KEY comes from secrets"):
        merge_links(SETTINGS, [secret_clash])
    a = Link(component="a", environment={"SHARED": "1"})
    b = Link(component="b", secrets={"SHARED": STRIPE_SECRET})
    with pytest.raises(ValueError, match="SHARED comes from the link to 'a' and from the link to 'b'"):
        merge_links(ApiSettings(image=IMAGE), [a, b])
    with pytest.raises(ValueError, match="linked twice"):
        merge_links(ApiSettings(image=IMAGE), [Link(component="a"), Link(component="a")])


@pytest.mark.parametrize("component,prefix", [
    ("orders-db", "ORDERS_DB"), ("sessions", "SESSIONS"), ("jobs.v2", "JOBS_V2"),
    ("-edge-", "EDGE"), ("Mixed Case", "MIXED_CASE"),
])
def test_env_prefix_naming(component: str, prefix: str) -> None:
    assert env_prefix(component) == prefix


PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/shop/prod/stripe-key"


def test_ssm_parameter_secrets_get_get_parameters_and_secrets_manager_gets_its_own(
        offline: Callable[..., Any]) -> None:
    """ECS: valueFrom is the full ARN as given; the execution role reads Secrets Manager ARNs
    (JSON key removed) with GetSecretValue and parameter ARNs with ssm:GetParameters."""
    settings = ApiSettings(image=IMAGE, secrets={"STRIPE_KEY": PARAMETER,
                                                 "WEBHOOK": f"{STRIPE_SECRET}:webhook:AWSCURRENT:"})
    run = build(offline, lambda: [], settings)
    assert container(run)["secrets"] == [
        {"name": "STRIPE_KEY", "valueFrom": PARAMETER},
        {"name": "WEBHOOK", "valueFrom": f"{STRIPE_SECRET}:webhook:AWSCURRENT:"},
    ]
    statements = {s["Sid"]: s for s in
                  json.loads(run.named("orders-api-execution-policy").inputs["policy"])["Statement"]}
    assert statements["ReadParameters"] == {"Sid": "ReadParameters", "Effect": "Allow",
                                            "Action": "ssm:GetParameters", "Resource": [PARAMETER]}
    assert statements["ReadSecrets"]["Resource"] == [STRIPE_SECRET]


@pytest.mark.parametrize("value", [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe",  # partial: no -AbCdEf suffix
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf:key",  # key without stage/id
    "arn:aws:ssm:us-east-1:123456789012:parameter",
    "arn:aws:s3:::bucket/stripe",
    "stripe",
    "sk_live_123",
])
def test_anything_but_a_full_secret_or_parameter_arn_is_refused(value: str) -> None:
    with pytest.raises(ValueError) as caught:
        ApiSettings(image=IMAGE, secrets={"STRIPE_KEY": value})
    [problem] = caught.value.problems  # type: ignore[attr-defined]
    assert problem.field == "secrets.STRIPE_KEY"
    assert "describe-secret" in problem.hint and "secret:shop/stripe-AbCdEf" in problem.hint


@pytest.mark.parametrize("value", [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf",
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf:api_key::",
    "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:s-AbCdEf::AWSPREVIOUS:",
    "arn:aws:ssm:us-east-1:123456789012:parameter/shop/prod/stripe-key",
    "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/key",
])
def test_full_secret_and_parameter_arns_are_accepted(value: str) -> None:
    assert ApiSettings(image=IMAGE, secrets={"STRIPE_KEY": value}).secrets["STRIPE_KEY"] == value


@pytest.mark.parametrize(("image", "arn"), [
    ("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/shop/api:1",
     "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/shop/api"),
    ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api:1",
     "arn:aws-cn:ecr:cn-north-1:123456789012:repository/shop/api"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api@sha256:abc",
     "arn:aws:ecr:eu-west-1:123456789012:repository/shop/api"),
])
def test_image_pull_is_granted_on_the_repository_in_the_regions_partition(image: str, arn: str) -> None:
    from blueprints.api.task import ecr_repository_arn

    assert ecr_repository_arn(image) == arn


def test_many_queues_share_one_statement_and_stay_within_iams_policy_size() -> None:
    from blueprints.api.task import MAX_ROLE_INLINE_POLICY_CHARS, task_policy_document

    actions = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    arns = [f"arn:aws:sqs:us-east-1:123456789012:shop-production-queue-number-{i:03d}" for i in range(60)]
    statements = [{"Effect": "Allow", "Action": list(actions), "Resource": arn} for arn in arns]
    statements.append({"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:us-east-1:1:t"})
    document = task_policy_document(statements)
    policy = json.loads(document)
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": actions, "Resource": sorted(arns)},
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:us-east-1:1:t"},
    ]
    # One statement per queue (the old shape) would be over the limit.
    assert len(json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))) \
        > MAX_ROLE_INLINE_POLICY_CHARS >= len(document)
