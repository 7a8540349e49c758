"""Physical names: the names AWS refuses, names that collide, and the prediction that validate relies on.

``scaffold.spec.names`` predicts every physical name without ``pulumi``; the
drift tests plan worst-case specs and check that every physical name in the
plans is one the prediction lists, so the two cannot drift apart.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from blueprints.naming import NAME_RULES, aws_name, checked_name, name_problems
from scaffold.cli import app
from scaffold.spec.loader import CheckedSpec, check_source
from scaffold.spec.names import (
    PLACEHOLDER_ACCOUNT_ID,
    collisions,
    logical_collisions,
    logical_names,
    physical_names,
)
from scaffold.spec.source import parse_yaml

runner = CliRunner()

ECR_WEST = "123456789012.dkr.ecr.us-west-2.amazonaws.com/shop-api:1.4.2"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf"
#: nat: none reaches Secrets Manager of its own region only (scaffold.spec.rules.nat_none_rules).
SECRET_WEST = "arn:aws:secretsmanager:us-west-2:123456789012:secret:stripe-AbCdEf"

#: Every kind, every profile, several regions, nat none, domain, mysql and valkey, the longest names.
WORST_CASE = f"""
scaffold: 1
name: a-project-name-that-is-39-characters-xx
region: us-east-1
alarms: {{notify: alerts-for-the-on-call-rotation}}
environments:
  dev: {{profile: dev}}
  staging-west-two: {{profile: staging, region: us-west-2, network: {{nat: none}},
                      components: {{api-with-a-rather-long-name-32ch: {{image: "{ECR_WEST}",
                                                                      domain: api.staging.example.com,
                                                                      secrets: {{STRIPE_KEY: "{SECRET_WEST}"}}}},
                                    internal-worker-api: {{image: "{ECR_WEST}"}}}}}}
  production-euwst: {{profile: production, region: eu-west-1,
                      components: {{api-with-a-rather-long-name-32ch: {{domain: api.production.example.com}}}}}}
components:
  orders-database-with-a-long-name: {{kind: database, engine: postgres, database: orders, replicas: 1,
                                      final_snapshot: true}}
  reporting-db: {{kind: database, engine: mysql, version: "8.0.mysql_aurora.3.08.0", database: reports,
                  serverless: {{min: 0.5, max: 4}}}}
  sessions-cache-with-long-name-xx: {{kind: cache, engine: valkey, replicas: 1}}
  rate-limits: {{kind: cache, engine: redis}}
  jobs-queue-with-a-long-name-32xx: {{kind: queue, fifo: true}}
  emails: {{kind: queue}}
  alerts-for-the-on-call-rotation:
    kind: notifications
    subscribers: [{{email: oncall@example.com}}, {{queue: emails}}]
  api-with-a-rather-long-name-32ch:
    kind: api
    image: ghcr.io/acme/shop-api:1.4.2
    port: 8080
    domain: api.example.com
    access_logs: true
    scaling: {{min: 1, max: 4, cpu: 60, memory: 70, requests: 1000}}
    secrets: {{STRIPE_KEY: "{SECRET}"}}
    uses: [orders-database-with-a-long-name, sessions-cache-with-long-name-xx, emails,
           alerts-for-the-on-call-rotation, reporting-db]
  internal-worker-api:
    kind: api
    image: ghcr.io/acme/worker:2.0.0
    public: false
    uses: [jobs-queue-with-a-long-name-32xx, rate-limits]
"""

#: The same shape with short names and the shortest environment names.
SHORT = """
scaffold: 1
name: ab
region: us-east-1
environments:
  d: {profile: dev}
  p: {profile: production, region: ap-southeast-2, components: {a: {domain: a.prod.example.com}}}
components:
  db: {kind: database, engine: mysql}
  c: {kind: cache}
  q: {kind: queue}
  n: {kind: notifications, subscribers: [{queue: q}]}
  a: {kind: api, image: nginx:1.27, domain: a.example.com, uses: [db, c, q, n]}
"""

#: Inputs that hold a physical name, by resource type; every other type's own name is ``name``.
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "aws:rds/cluster:Cluster": ("clusterIdentifier", "finalSnapshotIdentifier"),
    "aws:rds/clusterInstance:ClusterInstance": ("identifier",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("replicationGroupId",),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:s3/bucketV2:BucketV2": ("bucket",),
    "aws:ecs/taskDefinition:TaskDefinition": ("family",),
    "aws:rds/proxyEndpoint:ProxyEndpoint": ("dbProxyEndpointName",),
}
#: ``name`` inputs that are not the name of an AWS resource scaffold creates: a DNS record's
#: domain (from the spec), an RDS Proxy's default target group (fixed by AWS: ``default``).
NOT_PHYSICAL: set[str] = {"aws:route53/record:Record"}


def checked(text: str) -> CheckedSpec:
    return check_source(parse_yaml(textwrap.dedent(text), "scaffold.yaml"))


def planned_names(plan: Any) -> set[tuple[str, str, str]]:
    """(type, field, value) of every physical name in a plan."""
    found = set()
    for r in plan.aws_resources:
        if r.type in NOT_PHYSICAL:
            continue
        for field in NAME_FIELDS.get(r.type, ("name", "namePrefix")):
            value = r.inputs.get(field)
            if isinstance(value, str):
                found.add((r.type, field, value))
    return found


@pytest.fixture(scope="module", params=["worst-case", "short"])
def spec_and_plans(request: Any) -> tuple[CheckedSpec, dict[str, Any]]:
    from stacks.plan import plan

    spec = checked(WORST_CASE if request.param == "worst-case" else SHORT)
    return spec, {env: plan(bp) for env, bp in spec.blueprints.items()}


def test_every_physical_name_in_the_plan_is_predicted(spec_and_plans: Any) -> None:
    from stacks.mocks import FABRICATED_ACCOUNT_ID

    spec, plans = spec_and_plans
    for env, plan in plans.items():
        predicted = physical_names(spec.blueprints[env])
        exact = {(p.type, p.field, p.name.replace(PLACEHOLDER_ACCOUNT_ID, FABRICATED_ACCOUNT_ID))
                 for p in predicted if not p.random}
        prefixes = [(p.type, p.field, p.name) for p in predicted if p.random and p.stem]
        unpredicted = sorted(
            (t, f, v) for t, f, v in planned_names(plan)
            if (t, f, v) not in exact and not any(t == pt and f == pf and v.startswith(pv)
                                                  for pt, pf, pv in prefixes))
        assert not unpredicted, f"{env}: names the plan sets but scaffold.spec.names does not predict"


def test_every_predicted_name_is_in_the_plan(spec_and_plans: Any) -> None:
    spec, plans = spec_and_plans
    for env, plan in plans.items():
        planned = planned_names(plan)
        missing = [p for p in physical_names(spec.blueprints[env]) if p.stem and not any(
            t == p.type and f == p.field and (v == p.name or (p.random and v.startswith(p.name)))
            for t, f, v in planned)]
        assert not missing, f"{env}: predicted names the plan does not set: {missing}"


def test_names_of_the_shared_worst_case_specs_are_predicted() -> None:
    """The plan-lint's worst-case specs too (other partitions, near-reserved prefixes, nat: none)."""
    from tests.stacks.plan_lint import worst_case_plans

    for planned in worst_case_plans():
        predicted = physical_names(planned.blueprint)
        exact = {(p.type, p.field, p.name) for p in predicted if not p.random}
        prefixes = [(p.type, p.field, p.name) for p in predicted if p.random and p.stem]
        unpredicted = sorted(
            (t, f, v) for t, f, v in planned_names(planned.plan)
            if (t, f, v) not in exact and not any(t == pt and f == pf and v.startswith(pv)
                                                  for pt, pf, pv in prefixes))
        assert not unpredicted, f"{planned.label}: names the plan sets but scaffold.spec.names does not predict"
        for p in predicted:
            assert name_problems(p.rule, p.full_name) == [], (planned.label, p)


def _unlisted_children(blueprint: Any, plan: Any) -> list[str]:
    predicted = logical_names(blueprint)
    return sorted(f"{r.component}: {r.type} {r.name}" for r in plan.aws_resources
                  if r.component in predicted and (r.type, r.name) not in predicted[r.component])


def test_every_child_logical_name_is_predicted(spec_and_plans: Any) -> None:
    """Logical names drive the URN-collision rule; a child it does not know would slip through."""
    spec, plans = spec_and_plans
    for env, plan in plans.items():
        assert _unlisted_children(spec.blueprints[env], plan) == [], env


def test_every_child_logical_name_of_the_shared_worst_case_specs_is_predicted() -> None:
    from tests.stacks.plan_lint import worst_case_plans

    for planned in worst_case_plans():
        assert _unlisted_children(planned.blueprint, planned.plan) == [], planned.label


def test_autonamed_security_groups_have_no_name_input(spec_and_plans: Any) -> None:
    """The prediction treats the API's security groups as Pulumi auto-named (``<component>-alb-sg-…``)."""
    spec, plans = spec_and_plans
    for env, plan in plans.items():
        autonamed = {(p.component, p.name) for p in physical_names(spec.blueprints[env]) if not p.stem}
        for component, name in autonamed:
            logical = name.removeprefix(f"{component}-")
            (sg,) = [r for r in plan.aws_resources if r.name == f"{component}-{logical}"
                     and r.type == "aws:ec2/securityGroup:SecurityGroup"]
            assert "name" not in sg.inputs


def test_every_physical_name_in_the_plan_satisfies_its_aws_rule(spec_and_plans: Any) -> None:
    spec, plans = spec_and_plans
    for env in plans:
        for p in physical_names(spec.blueprints[env]):
            assert name_problems(p.rule, p.full_name) == [], p


# -- names AWS refuses --------------------------------------------------------------------------

BASE = """
scaffold: 1
name: {project}
region: us-east-1
environments:
  {env}: {{profile: dev}}
components:
  {component}: {{kind: api, image: nginx:1.27}}
  store: {{kind: cache}}
"""


def validate(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "scaffold.yaml"
    path.write_text(textwrap.dedent(text))
    return runner.invoke(app, ["validate", "-f", str(path)])


@pytest.mark.parametrize(("project", "env", "component", "line", "field", "fragment"), [
    ("internal", "dev", "api", 3, "name", "Application Load Balancer name 'internal-dev-api'"),
    ("internal-tools", "dev", "api", 3, "name", 'must not start with "internal-"'),
    ("sg", "dev", "api", 3, "name", "security group name 'sg-dev-store-sg'"),
    ("sthree", "dev", "api", 3, "name", "S3 bucket name 'sthree-dev-api-alb-logs-"),
    ("amzn", "s3", "demo", 8, "components.demo", 'must not start with "amzn-s3-demo-"'),
    ("shop", "dev", "sg", 8, "components.sg", "security group name 'sg-alb-sg…'"),
])
def test_validate_rejects_a_name_that_makes_a_refused_aws_name(
        tmp_path: Path, project: str, env: str, component: str, line: int, field: str, fragment: str) -> None:
    text = BASE.format(project=project, env=env, component=component)
    if project in ("sthree", "amzn"):
        text = text.replace("image: nginx:1.27", "image: nginx:1.27, access_logs: true")
    result = validate(tmp_path, text)
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert any(f"scaffold.yaml:{line}:" in e and f"error: {field}: " in e and fragment in e and "rename the" in e
               for e in errors), result.output


def test_environment_that_completes_a_reserved_prefix_is_blamed(tmp_path: Path) -> None:
    """``amzn`` + ``s3-demo`` makes a bucket ``amzn-s3-demo-…``: the environment completes the prefix."""
    text = BASE.format(project="amzn", env="s3-demo", component="api").replace(
        "image: nginx:1.27", "image: nginx:1.27, access_logs: true")
    result = validate(tmp_path, text)
    assert result.exit_code == 2
    assert "scaffold.yaml:6:3: error: environments.s3-demo: environment name 's3-demo' makes the S3 bucket name" \
        in result.output, result.output


def test_a_refused_project_name_is_reported_once_for_all_environments(tmp_path: Path) -> None:
    text = BASE.format(project="internal", env="dev", component="api") + "  extra: {kind: api, image: x:1}\n"
    text = text.replace("  dev: {profile: dev}", "  dev: {profile: dev}\n  qa: {profile: dev}")
    result = validate(tmp_path, text)
    assert result.output.count("'internal-") == 1, result.output


def test_checked_name_raises_with_the_rule_and_its_source() -> None:
    with pytest.raises(ValueError, match=r"security group name 'sg-x' must not start with \"sg-\".*API_CreateSecurityGroup"):
        checked_name("security_group", "sg-x")
    assert checked_name("alb", "shop-prod-api") == "shop-prod-api"


@pytest.mark.parametrize(("rule", "name", "problem"), [
    ("alb", "internal-a", 'must not start with "internal-"'),
    ("alb", "a" * 33, "must be 1 to 32 characters, not 33"),
    ("alb", "a-", "must start and end with a letter or digit"),
    ("target_group", "a_b", "must not contain '_'"),
    ("s3_bucket", "xn--abc", 'must not start with "xn--"'),
    ("s3_bucket", "abc-s3alias", 'must not end with "-s3alias"'),
    ("s3_bucket", "abc--ol-s3", 'must not end with "--ol-s3"'),
    ("s3_bucket", "192.168.5.4", "must not be an IP address"),
    ("s3_bucket", "Abc", "must not contain 'A'"),
    ("rds_cluster", "1abc", "must start with a letter"),
    ("rds_cluster", "a--b", 'must not contain "--"'),
    ("elasticache_replication_group", "a" * 41, "must be 1 to 40 characters, not 41"),
    ("iam_role", "a" * 65, "must be 1 to 64 characters, not 65"),
    ("kms_alias", "alias/aws/x", 'must not start with "alias/aws/"'),
    ("log_group", "aws/x", 'must not start with "aws/"'),
    ("kms_alias", "x", "must start with 'alias/'"),
    ("rds_subnet_group", "default", "must not be 'default'"),
    ("sqs_queue", "a" * 81, "must be 1 to 80 characters, not 81"),
])
def test_name_rules(rule: str, name: str, problem: str) -> None:
    assert problem in name_problems(rule, name)


def test_every_rule_cites_its_source() -> None:
    for key, rule in NAME_RULES.items():
        assert "docs.aws.amazon.com" in rule.source or "terraform-provider-aws" in rule.source, key


def test_the_program_refuses_a_refused_name_before_creating_anything() -> None:
    """A blueprint that bypassed validate still cannot hand AWS a refused name."""
    from scaffold.spec.models import Spec
    from scaffold.spec.resolve import resolve
    from stacks.plan import plan

    spec = Spec.model_validate({"scaffold": 1, "name": "internal", "region": "us-east-1",
                                "environments": {"dev": {"profile": "dev"}},
                                "components": {"api": {"kind": "api", "image": "nginx:1.27"}}})
    with pytest.raises(ValueError, match=r"internal-dev-api.*must not start with \"internal-\""):
        plan(resolve(spec, "dev"))


# -- names that collide -------------------------------------------------------------------------

def test_environment_and_component_names_that_join_the_same_collide(tmp_path: Path) -> None:
    result = validate(tmp_path, """
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
          dev-a: {profile: dev}
        components:
          a-x: {kind: queue}
          x: {kind: queue}
        """)
    assert result.exit_code == 2
    assert ("scaffold.yaml:7:3: error: environments.dev-a: component 'x' in environment 'dev-a' and component "
            "'a-x' in environment 'dev' both make the SQS queue name 'shop-dev-a-x', which must be unique "
            "in region us-east-1") in result.output, result.output


def test_the_same_names_in_different_regions_do_not_collide(tmp_path: Path) -> None:
    result = validate(tmp_path, """
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
          dev-a: {profile: dev, region: eu-west-1}
        components:
          a-x: {kind: queue}
          x: {kind: queue}
        """)
    assert result.exit_code == 0, result.output


def test_iam_role_names_collide_across_regions(tmp_path: Path) -> None:
    result = validate(tmp_path, """
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
          dev-a: {profile: dev, region: eu-west-1}
        components:
          a-x: {kind: api, image: nginx:1.27}
          x: {kind: api, image: nginx:1.27}
        """)
    assert result.exit_code == 2
    assert "both make the IAM role name 'shop-dev-a-x-exec', which must be unique in the account" in result.output


def test_a_component_named_like_another_components_dead_letter_queue_collides(tmp_path: Path) -> None:
    result = validate(tmp_path, """
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
          prod: {profile: production}
        components:
          jobs: {kind: queue}
          jobs-dlq: {kind: queue}
        """)
    assert result.exit_code == 2
    errors = [ln.split("/")[-1] for ln in result.output.splitlines() if ": error: " in ln]
    assert errors == [
        "scaffold.yaml:10:3: error: components.jobs-dlq: components 'jobs' and 'jobs-dlq' (in environment 'dev') "
        "both make the SQS queue name 'shop-dev-jobs-dlq', which must be unique in region us-east-1 "
        "(names join as <project>-<environment>-<component>[-<suffix>]; rename one of the components or "
        "environments)"], result.output


def test_collisions_name_both_components_and_environments() -> None:
    spec = checked("""
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
        components:
          x: {kind: queue}
          y: {kind: queue}
        """)
    assert collisions(spec.blueprints) == []
    spec = spec.blueprints["dev"].model_copy(update={"environment": "dev"})
    other = spec.model_copy(update={"environment": "dev-a", "components": {"x": spec.components["x"]}})
    mine = spec.model_copy(update={"components": {"a-x": spec.components["x"]}})
    (collision,) = collisions({"dev": mine, "dev-a": other})
    assert {(collision.first.environment, collision.first.component),
            (collision.second.environment, collision.second.component)} == {("dev", "a-x"), ("dev-a", "x")}


def test_truncated_names_stay_distinct() -> None:
    long = "c" * 32
    assert aws_name("p" * 39, "e" * 16, long, max_len=40) != aws_name("p" * 39, "e" * 16, long[:-1] + "d", max_len=40)


@pytest.mark.parametrize(("first", "second", "body"), [
    ("db", "db-proxy", "{kind: database, engine: postgres}"),
    ("orders", "orders-proxy", "{kind: database, engine: mysql, proxy: false}"),
])
def test_same_kind_components_whose_pulumi_names_collide(tmp_path: Path, first: str, second: str,
                                                         body: str) -> None:
    """A database ``db`` has the child security group ``db-proxy-sg`` (for its RDS Proxy); a database
    ``db-proxy`` has its own security group ``db-proxy-sg``: the same URN, which the engine refuses.
    The prediction is a superset, so the pair is refused even when the proxy is off."""
    result = validate(tmp_path, f"""
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {{profile: dev}}
        components:
          {first}: {body}
          {second}: {body}
        """)
    assert result.exit_code == 2, result.output
    assert f"scaffold.yaml:9:3: error: components.{second}: " in result.output, result.output
    assert (f"database components {first!r} and {second!r} would both create the Pulumi resource "
            f"'{second}-sg'") in result.output
    assert f"rename {second!r}" in result.output


def test_same_names_of_different_resource_types_do_not_collide() -> None:
    """``db``'s ingress rule ``db-from-proxy`` and ``db-from``'s proxy ``db-from-proxy`` differ in type."""
    spec = checked("""
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
        components:
          db: {kind: database, engine: postgres}
          db-from: {kind: database, engine: postgres}
        """)
    assert logical_collisions(spec.blueprints["dev"]) == []


def test_prefix_related_names_of_different_kinds_do_not_collide() -> None:
    spec = checked("""
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
        components:
          orders: {kind: queue}
          orders-db: {kind: database, engine: postgres}
          orders-api: {kind: api, image: nginx:1.27, uses: [orders, orders-db]}
        """)
    assert logical_collisions(spec.blueprints["dev"]) == []
