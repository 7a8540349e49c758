"""Property: every spec that `validate` accepts plans in-process, in every environment, and passes the
plan-lint.

Hypothesis generates specs within the schema: random kinds (every kind, workers consuming the
generated queues, jobs on valid and invalid schedules), names (up to the longest allowed),
profiles, regions (including the aws-cn and aws-us-gov partitions), environment overrides and
field values at their edges. A spec ``scaffold.spec.check_source`` rejects is fine (that is
validate's job); a spec it accepts must plan (``stacks.plan.plan`` for each environment) without
an exception, and its plan must break no rule of ``tests/stacks/plan_lint.py``.

Bounded for CI: a fixed number of examples, derandomized (the same examples on every run, no
example database), no deadline, no shrinking. Measured on the 2-core machine: 10 to 20 s for the
generated examples (see docs/plan.md).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from scaffold.errors import SpecError
from scaffold.spec.loader import check_source
from scaffold.spec.source import parse_yaml
from tests.stacks.plan_lint import lint

#: Examples per run: each accepted spec plans every environment (about 0.5 s a plan here).
MAX_EXAMPLES = 30

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "us-gov-west-1", "cn-north-1"]
FARGATE = [(256, 512), (256, 2048), (512, 4096), (1024, 2048), (2048, 16384), (4096, 30720), (8192, 61440),
           (16384, 122880), (256, 1536)]  # the last is not a Fargate size: validate must refuse it
DAYS = ["0d", "1d", "3d", "7d", "14d", "30d", "35d", "90d", "400d", "3653d", "10d"]

_letters = "abcdefghijklmnopqrstuvwxyz"


@st.composite
def names(draw: st.DrawFn, max_size: int) -> str:
    """Lowercase names of 1..max_size characters, hyphens inside, sometimes at the longest."""
    size = draw(st.one_of(st.just(max_size), st.integers(1, min(max_size, 12))))
    body = draw(st.text(_letters + "0123456789-", min_size=size - 1, max_size=size - 1))
    name = draw(st.sampled_from(_letters)) + body
    return name.replace("--", "-a").rstrip("-") or "a"


def _duration(unit_max: int, unit: str) -> st.SearchStrategy[str]:
    return st.integers(0, unit_max).map(lambda n: f"{n}{unit}")


def database(draw: st.DrawFn) -> dict[str, Any]:
    engine = draw(st.sampled_from(["postgres", "mysql", None]))
    spec: dict[str, Any] = {"kind": "database"}
    if engine:
        spec["engine"] = engine
        versions = {"postgres": ["16.4", "15.10", "17.2"], "mysql": ["8.0.mysql_aurora.3.08.0", "16.4"]}[engine]
        if draw(st.booleans()):
            spec["version"] = draw(st.sampled_from(versions))
    choice = draw(st.sampled_from(["instance", "serverless", "default"]))
    if choice == "instance":
        spec["instance"] = draw(st.sampled_from(["db.t4g.medium", "db.r6g.large", "db.r7g.2xlarge"]))
    elif choice == "serverless":
        low = draw(st.sampled_from([0, 0.5, 2]))
        spec["serverless"] = {"min": low, "max": draw(st.sampled_from([1, 8, 256]))}
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        spec["backup_retention"] = draw(st.sampled_from(["1d", "35d", "7d"]))
    if draw(st.booleans()):
        spec["database"] = draw(st.sampled_from(["orders", "a", "x" * 63, "app_db"]))
    for flag in ("deletion_protection", "final_snapshot"):
        if draw(st.booleans()):
            spec[flag] = draw(st.booleans())
    return spec


def cache(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "cache"}
    engine = draw(st.sampled_from(["redis", "valkey", None]))
    if engine:
        spec["engine"] = engine
        if draw(st.booleans()):
            spec["version"] = draw(st.sampled_from({"redis": ["7.1", "6.2", "7.0", "7.1.0"],
                                                    "valkey": ["8.0", "7.2", "8.1"]}[engine]))
    if draw(st.booleans()):
        spec["node"] = draw(st.sampled_from(["cache.t4g.micro", "cache.r7g.large"]))
    if draw(st.booleans()):
        spec["replicas"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        spec["snapshot_retention"] = draw(st.sampled_from(["0d", "1d", "35d"]))
    return spec


def queue(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "queue"}
    fifo = draw(st.booleans())
    if fifo or draw(st.booleans()):
        spec["fifo"] = fifo
    if fifo and draw(st.booleans()):
        spec["content_based_deduplication"] = draw(st.booleans())
    if draw(st.booleans()):
        spec["visibility_timeout"] = draw(st.sampled_from(["0s", "30s", "12h", "43200s"]))
    if draw(st.booleans()):
        spec["retention"] = draw(st.sampled_from(["1m", "60s", "4d", "14d"]))
    if draw(st.booleans()):
        spec["max_receives"] = draw(st.sampled_from([1, 5, 1000]))
    return spec


def api(draw: st.DrawFn, region: str, others: list[str]) -> dict[str, Any]:
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    spec: dict[str, Any] = {
        "kind": "api",
        "image": draw(st.sampled_from(["nginx:1.27", "ghcr.io/acme/api:1.0",
                                       f"123456789012.dkr.ecr.{region}{suffix}/shop/api:1.2"])),
    }
    if draw(st.booleans()):
        spec["cpu"], spec["memory"] = draw(st.sampled_from(FARGATE))
    if draw(st.booleans()):
        spec["port"] = draw(st.sampled_from([1, 80, 8080, 65535]))
    if draw(st.booleans()):
        spec["health_check"] = draw(st.sampled_from(["/", "/healthz", "/a/b?c=d"]))
    public = draw(st.booleans())
    spec["public"] = public
    if draw(st.integers(0, 3)):  # mostly: production refuses a public API without a domain
        spec["domain"] = draw(st.sampled_from(["api.example.com", "a.b.example.co.uk"]))
    if draw(st.booleans()):
        low = draw(st.integers(1, 3))
        spec["scaling"] = {"min": low, "max": draw(st.sampled_from([low, 10, 1000])),
                           "cpu": draw(st.sampled_from([1, 60, 100]))}
        if draw(st.booleans()):
            spec["scaling"]["requests"] = draw(st.sampled_from([1, 1000]))
    if draw(st.booleans()):
        spec["environment"] = draw(st.dictionaries(st.sampled_from(["LOG_LEVEL", "A", "FEATURE_X"]),
                                                   st.sampled_from(["info", "", "[x]", ":secret:"]), max_size=2))
    if draw(st.booleans()):
        partition = "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov") else "aws"
        spec["secrets"] = {"STRIPE_KEY": draw(st.sampled_from([
            f"arn:{partition}:secretsmanager:{region}:123456789012:secret:stripe-AbCdEf",
            f"arn:{partition}:secretsmanager:{region}:123456789012:secret:app/db-Zz0912:password::",
            f"arn:{partition}:ssm:{region}:123456789012:parameter/shop/key",
        ]))}
    if others and draw(st.booleans()):
        spec["uses"] = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
    if draw(st.booleans()):
        spec["log_retention"] = draw(st.sampled_from(DAYS))
    for flag in ("access_logs", "deletion_protection"):
        if draw(st.booleans()):
            spec[flag] = draw(st.booleans())
    return spec


def _container(draw: st.DrawFn, region: str, others: list[str], kind: str) -> dict[str, Any]:
    """The fields a worker and a job share with an API: image, command, size, uses."""
    suffix = ".amazonaws.com.cn" if region.startswith("cn-") else ".amazonaws.com"
    spec: dict[str, Any] = {"kind": kind, "image": draw(st.sampled_from([
        "python:3.12-slim", f"123456789012.dkr.ecr.{region}{suffix}/shop/{kind}:1.0"]))}
    if draw(st.booleans()):
        spec["command"] = draw(st.sampled_from([["python", "-m", kind], ["sh", "-c", "echo 'a b' && exit 0"], [""]]))
    if draw(st.booleans()):
        spec["cpu"], spec["memory"] = draw(st.sampled_from(FARGATE))
    if others and draw(st.booleans()):
        spec["uses"] = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
    if draw(st.booleans()):
        spec["log_retention"] = draw(st.sampled_from(DAYS))
    return spec


def worker(draw: st.DrawFn, region: str, others: list[str], queues: list[str]) -> dict[str, Any]:
    spec = _container(draw, region, others, "worker")
    spec["consumes"] = draw(st.sampled_from(queues))
    if draw(st.booleans()):
        low = draw(st.integers(1, 3))
        spec["scaling"] = {"min": low, "max": draw(st.sampled_from([low, 20, 5000])),
                           "backlog_per_task": draw(st.sampled_from([1, 100, 10000]))}
        if draw(st.booleans()):
            spec["scaling"]["cpu"] = draw(st.sampled_from([1, 70, 100]))
    return spec


def job(draw: st.DrawFn, region: str, others: list[str]) -> dict[str, Any]:
    spec = _container(draw, region, others, "job")
    spec["schedule"] = draw(st.sampled_from([
        "cron(0 3 * * ? *)", "cron(15 10 ? * MON-FRI *)", "cron(0 0 L * ? *)", "cron(0 12 ? * 6#3 *)",
        "rate(1 hour)", "rate(5 minutes)", "@hourly", "@daily", "@weekly",
        "cron(0 3 * * *)", "rate(1 hours)"]))  # the last two are invalid: validate refuses them
    if draw(st.booleans()):
        spec["timezone"] = draw(st.sampled_from(["UTC", "Europe/Berlin", "Australia/Lord_Howe", "America/New_York"]))
    if draw(st.booleans()):
        spec["timeout"] = draw(st.sampled_from(["1s", "30m", "24h", "365d"]))
    if draw(st.booleans()):
        spec["retries"] = draw(st.sampled_from([0, 2, 10]))
    return spec


def bucket(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {"kind": "bucket"}
    for flag in ("versioning", "retain"):
        if draw(st.booleans()):
            spec[flag] = draw(st.booleans())
    if draw(st.booleans()):
        spec["encryption"] = draw(st.sampled_from(["s3", "kms"]))
    if draw(st.booleans()):
        spec["expire_after"] = draw(st.sampled_from(["1d", "365d", "36500d"]))
    return spec


#: The kinds a service may use.
USABLE = ("database", "cache", "queue", "notifications", "bucket")


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec within the schema (it may still break a cross-field rule)."""
    region = draw(st.sampled_from(REGIONS))
    kinds = draw(st.lists(st.sampled_from(["database", "cache", "queue", "notifications", "api",
                                           "worker", "job", "bucket"]), min_size=1, max_size=5))
    components: dict[str, dict[str, Any]] = {}
    for kind in kinds:
        name = draw(names(32))
        if name in components or name in ("network", "services"):
            continue
        if kind == "database":
            components[name] = database(draw)
        elif kind == "cache":
            components[name] = cache(draw)
        elif kind == "queue":
            components[name] = queue(draw)
        elif kind == "notifications":
            queues = [n for n, c in components.items() if c["kind"] == "queue"]
            subscribers = [{"email": "oncall@example.com"}, {"sms": "+15555550100"},
                           {"https": "https://hooks.example.com/x"}] + [{"queue": q} for q in queues]
            components[name] = {"kind": "notifications",
                                "subscribers": draw(st.lists(st.sampled_from(subscribers), unique_by=str,
                                                             max_size=3))}
        elif kind == "bucket":
            components[name] = bucket(draw)
        else:
            usable = [n for n in components if components[n]["kind"] in USABLE]
            queues = [n for n, c in components.items() if c["kind"] == "queue"]
            if kind == "api":
                components[name] = api(draw, region, usable)
            elif kind == "job":
                components[name] = job(draw, region, usable)
            elif queues:
                components[name] = worker(draw, region, usable, queues)
    environments: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 2))):
        env: dict[str, Any] = {"profile": draw(st.sampled_from(["dev", "staging", "production"]))}
        if draw(st.integers(0, 3)) == 0:
            env["network"] = {"nat": draw(st.sampled_from(["none", "single", "per_az"])),
                              "azs": draw(st.integers(2, 6))}
        overridable = [n for n, c in components.items()
                       if c["kind"] in ("database", "cache", "api", "queue", "worker", "job", "bucket")]
        if overridable and draw(st.booleans()):
            target = draw(st.sampled_from(overridable))
            kind = components[target]["kind"]
            override = draw(st.sampled_from({
                "database": [{"replicas": 0}, {"replicas": 2}, {"version": "16.4"}, {"engine": "mysql"},
                             {"serverless": {"min": 0, "max": 4}}],
                "cache": [{"replicas": 0}, {"replicas": 2}, {"version": "7.1"}, {"engine": "valkey"}],
                "queue": [{"max_receives": 1000}, {"fifo": True}, {"retention": "14d"}],
                "api": [{"scaling": {"max": 50}}, {"cpu": 1024, "memory": 8192}, {"public": False},
                        {"domain": "api.example.org"}, {"health_check": "/ready"}],
                "worker": [{"scaling": {"max": 50, "backlog_per_task": 5}}, {"cpu": 1024, "memory": 8192},
                           {"command": ["python", "-m", "other"]}],
                "job": [{"schedule": "rate(30 minutes)"}, {"timezone": "Asia/Kolkata"}, {"retries": 0},
                        {"timeout": "2h"}],
                "bucket": [{"versioning": True}, {"encryption": "kms"}, {"expire_after": "30d"}, {"retain": False}],
            }[kind]))
            env["components"] = {target: override}
        if draw(st.integers(0, 3)) == 0:
            env["region"] = draw(st.sampled_from(REGIONS))
        environments[draw(names(16))] = env
    spec: dict[str, Any] = {"scaffold": 1, "name": draw(names(39)).ljust(2, "x"), "region": region,
                            "environments": environments, "components": components}
    topics = [n for n, c in components.items() if c["kind"] == "notifications"]
    if topics and draw(st.booleans()):
        spec["alarms"] = {"notify": topics[0]}
    return spec


def _accepted(spec: dict[str, Any]) -> Any:
    try:
        return check_source(parse_yaml(yaml.safe_dump(spec, sort_keys=False), "generated.yaml"))
    except SpecError:
        return None


#: Specs found by exploring with more examples; each must be rejected by validate or plan cleanly.
#: An environment in another partition than the secret and the image it names: IAM cannot grant
#: across partitions, so the task could never start.
CROSS_PARTITION = {
    "scaffold": 1, "name": "shop", "region": "us-east-1",
    "environments": {"gov": {"profile": "dev", "region": "us-gov-west-1"}},
    "components": {"api": {
        "kind": "api", "image": "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/shop/api:1.0",
        "secrets": {"STRIPE_KEY": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf"}}},
}


# No shrinking: each shrink step plans again (minutes); the failing spec is printed as generated.
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs())
def test_every_accepted_spec_plans_and_passes_the_lint(spec: dict[str, Any]) -> None:
    note(yaml.safe_dump(spec, sort_keys=False))
    _plans_cleanly_if_accepted(spec)


#: Found by the generator once it drew workers and jobs: an ECR image of the commercial partition
#: in an environment in China (aws-cn). The execution role would be granted a repository ARN of
#: another partition and the task could never pull its image; validate now refuses it.
IMAGE_OTHER_PARTITION = {
    "scaffold": 1, "name": "shop", "region": "us-east-1",
    "environments": {"cn": {"profile": "dev", "region": "cn-north-1"}},
    "components": {"api": {"kind": "api", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api:1.2",
                           "public": False}},
}


@pytest.mark.parametrize("spec", [CROSS_PARTITION, IMAGE_OTHER_PARTITION], ids=["cross-partition", "image-partition"])
def test_found_specs_are_rejected_or_plan_cleanly(spec: dict[str, Any]) -> None:
    _plans_cleanly_if_accepted(spec)


def test_an_ecr_image_of_another_partition_is_refused() -> None:
    assert _accepted(IMAGE_OTHER_PARTITION) is None


def _plans_cleanly_if_accepted(spec: dict[str, Any]) -> None:
    from stacks.plan import plan

    checked = _accepted(spec)
    if checked is None:
        return
    for env, blueprint in checked.blueprints.items():
        result = plan(blueprint)  # any exception here is a spec validate accepted but plan rejects
        violations = lint(result)
        assert not violations, f"{env}:\n" + "\n".join(map(str, violations))


def test_the_generator_mostly_makes_specs_validate_accepts() -> None:
    """Guards the property above against passing vacuously: most generated specs are accepted."""
    accepted = 0

    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(specs())
    def count(spec: dict[str, Any]) -> None:
        nonlocal accepted
        accepted += _accepted(spec) is not None

    count()
    assert accepted >= MAX_EXAMPLES // 3, accepted
