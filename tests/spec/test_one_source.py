"""One source of each rule: ``validate`` runs the components' own checks, on base fields and
overrides alike, reports every problem in one run, and what it accepts plans."""

from __future__ import annotations

import textwrap

import pytest

from blueprints.api.settings import FARGATE_MEMORY, ApiSettings
from blueprints.constraints import SettingsError
from scaffold.errors import SpecError, SpecProblem
from scaffold.spec.loader import CheckedSpec, check_source
from scaffold.spec.source import parse_yaml

HEAD = """\
scaffold: 1
name: shop
region: us-east-1
environments:
  dev: {profile: dev}
  prod:
    profile: production
"""
FULL_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"


def check(text: str) -> CheckedSpec:
    return check_source(parse_yaml(textwrap.dedent(text), "scaffold.yaml"))


def problems(text: str) -> list[SpecProblem]:
    with pytest.raises(SpecError) as caught:
        check(text)
    return [p for p in caught.value.problems if p.severity == "error"]


def line_of(text: str, marker: str) -> int:
    [line] = [i for i, ln in enumerate(textwrap.dedent(text).splitlines(), 1) if marker in ln]
    return line


def api(extra: str = "", uses: str = "[]") -> str:
    return HEAD + textwrap.indent(textwrap.dedent(f"""\
        components:
          api:
            kind: api
            image: ghcr.io/acme/api:1
            public: false
            uses: {uses}
        """), "") + textwrap.indent(textwrap.dedent(extra), "    ")


# What the program used to refuse with "this is a bug in scaffold" after validate passed.
USED_TO_CRASH = {
    "cpu 256 with memory 1536": (api("cpu: 256\nmemory: 1536  # here\n"), "components.api.memory",
                                 "cpu 256 takes memory 512, 1024 or 2048 MiB, not 1536"),
    "an environment variable a link also sets": (
        api("environment: {JOBS_QUEUE_URL: x}  # here\n", uses="[jobs]")
        + "  jobs: {kind: queue}\n",
        "components.api.environment.JOBS_QUEUE_URL", "also set by the link to 'jobs'"),
    "a secret a link also sets": (
        api(f"secrets: {{ORDERS_READER_HOST: '{FULL_ARN}'}}  # here\n", uses="[orders]")
        + "  orders: {kind: database}\n",
        "components.api.secrets.ORDERS_READER_HOST", "also set by the link to 'orders'"),
    "two links that set the same variable": (
        api("", uses="[orders, orders-reader]  # here")
        + "  orders: {kind: database}\n  orders-reader: {kind: cache}\n",
        "components.api.uses[1]", "the links to 'orders' and 'orders-reader' both set ORDERS_READER_HOST"),
    "duplicate subscribers": (HEAD + textwrap.dedent("""\
        components:
          alerts:
            kind: notifications
            subscribers:
              - email: ops@example.com
              - sms: "+15555550100"
              - email: ops@example.com  # here
        """), "components.alerts.subscribers[2]", "listed twice (also subscribers[0])"),
    "a huge duration": (api("health_check_grace_period: 99999999999999999999d  # here\n"),
                        "components.api.health_check_grace_period", "must be at most"),
    "a huge request target": (api("scaling: {requests: 1" + "0" * 120 + "}  # here\n"),
                              "components.api.scaling.requests", "must be at most 2^360"),
    "a huge grace period in seconds": (api("health_check_grace_period: 2147483648  # here\n"),
                                       "components.api.health_check_grace_period", "at most 2147483647"),
    "a huge memory": (api("memory: 99999999999999999999  # here\n"), "components.api.memory", "at most 122880"),
    "a log retention in hours": (api("log_retention: 36h  # here\n"), "components.api.log_retention",
                                 "must be whole days"),
}


@pytest.mark.parametrize("case", USED_TO_CRASH, ids=list(USED_TO_CRASH))
def test_validate_rejects_what_the_program_rejects_on_its_line(case: str) -> None:
    text, path, message = USED_TO_CRASH[case]
    found = [p for p in problems(text) if p.path == path and message in p.message]
    assert found, problems(text)
    assert found[0].line == line_of(text, "# here")


# The same specs, fixed: each plans in every environment.
FIXED = {
    "cpu 256 with memory 2048": api("cpu: 256\nmemory: 2048\n"),
    "a variable the link does not set": api("environment: {JOBS_QUEUE: x}\n", uses="[jobs]") + "  jobs: {kind: queue}\n",
    "distinct subscribers": HEAD + "components:\n  alerts:\n    kind: notifications\n"
                            "    subscribers: [{email: ops@example.com}, {email: dev@example.com}]\n",
    "the largest grace period and request target": api(
        "health_check_grace_period: 2147483647\nscaling: {requests: " + str(2 ** 360) + "}\n"),
}


@pytest.mark.parametrize("case", FIXED, ids=list(FIXED))
def test_what_validate_accepts_plans_in_every_environment(case: str) -> None:
    from stacks.plan import plan

    checked = check(FIXED[case])
    for bp in checked.blueprints.values():
        assert plan(bp).resources


@pytest.mark.parametrize("cpu", sorted(FARGATE_MEMORY))
def test_validate_and_the_component_agree_on_every_fargate_pair(cpu: int) -> None:
    """The pair rule lives in ApiSettings only; validate gives the same verdict for every size."""
    for memory in range(512, 122880 + 1, 512):
        try:
            ApiSettings(image="x", cpu=cpu, memory=memory)
            component_ok = True
        except SettingsError:
            component_ok = False
        if memory % 4096 and not component_ok and memory > 4096:
            continue  # keep the sweep short: every size up to 4 GiB, then every 4 GiB
        text = api(f"cpu: {cpu}\nmemory: {memory}\n")
        try:
            check(text)
            validate_ok = True
        except SpecError:
            validate_ok = False
        assert validate_ok == component_ok, (cpu, memory)


OVERRIDES = HEAD + """\
    components:
      api:
        health_check: healthz  # health_check
        domain: Not_A.Domain  # domain
        cpu: 300  # cpu
      db: {instance: r6g.large}  # instance
      sessions: {node: big}  # node
      jobs: {fifo: true}  # fifo
components:
  api:
    kind: api
    image: ghcr.io/acme/api:1
    domain: api.example.com
  db: {kind: database}
  sessions: {kind: cache}
  jobs: {kind: queue}
  alerts:
    kind: notifications
    subscribers: [{queue: jobs}]
"""


@pytest.mark.parametrize(("path", "marker", "message"), [
    ("environments.prod.components.api.health_check", "# health_check", "expected form"),
    ("environments.prod.components.api.domain", "# domain", "expected form"),
    ("environments.prod.components.api.cpu", "# cpu", "cpu 300 is not a Fargate size"),
    ("environments.prod.components.db.instance", "# instance", "expected form"),
    ("environments.prod.components.sessions.node", "# node", "expected form"),
    # Only prod's override makes the queue FIFO: reported on the subscriber, naming the environment.
    ("components.alerts.subscribers[0].queue", "subscribers: [{queue: jobs}]",
     "is a FIFO queue; a standard SNS topic cannot deliver to it (in environment 'prod')"),
])
def test_overrides_are_typed_and_checked_at_their_own_path_and_line(path: str, marker: str, message: str) -> None:
    found = [p for p in problems(OVERRIDES) if p.path == path and message in p.message]
    assert found, "\n".join(map(str, problems(OVERRIDES)))
    assert found[0].line == line_of(OVERRIDES, marker)


def test_every_problem_is_reported_in_one_run() -> None:
    """Type errors, references, component checks and collisions, in base fields and in the
    overrides of two environments: one run reports them all, and fixing them leaves none."""
    text = """\
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev:
            profile: dev
            components:
              api: {port: http}  # dev-port
          prod:
            profile: production
            components:
              api: {memory: 1536}  # prod-memory
              worker: {scaling: {min: 0}}  # prod-min
        components:
          api:
            kind: api
            image: ghcr.io/acme/api:1
            public: false
            uses: [jobs, nowhere]  # uses
            environment: {JOBS_QUEUE_URL: x, bad-name: y}  # environment
            secrets: {STRIPE: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe"}  # secret
          worker:
            kind: api
            image: ghcr.io/acme/worker:1
            public: false
            cpu: 512
            memory: 512  # worker-memory
          jobs: {kind: queue, retention: 20d}  # retention
          alerts:
            kind: notifications
            subscribers: [{email: a@example.com}, {email: a@example.com}]  # subscribers
        """
    found = {(p.path, p.line) for p in problems(text)}
    expected = {
        ("environments.dev.components.api.port", line_of(text, "# dev-port")),
        ("environments.prod.components.api.memory", line_of(text, "# prod-memory")),
        ("environments.prod.components.worker.scaling.min", line_of(text, "# prod-min")),
        ("components.api.uses[1]", line_of(text, "# uses")),
        ("components.api.environment.JOBS_QUEUE_URL", line_of(text, "# environment")),
        ("components.api.environment.bad-name", line_of(text, "# environment")),
        ("components.api.secrets.STRIPE", line_of(text, "# secret")),
        ("components.worker.memory", line_of(text, "# worker-memory")),
        ("components.jobs.retention", line_of(text, "# retention")),
        ("components.alerts.subscribers[1]", line_of(text, "# subscribers")),
    }
    assert expected <= found, "\n".join(map(str, problems(text)))


def test_a_partial_secret_arn_is_refused_with_where_to_find_the_full_one() -> None:
    text = api('secrets: {STRIPE_KEY: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe"}  # here\n')
    [problem] = [p for p in problems(text) if p.path == "components.api.secrets.STRIPE_KEY"]
    assert "partial secret ARN" in problem.message
    assert "describe-secret" in problem.hint and "-AbCdEf" in problem.hint
    assert problem.line == line_of(text, "# here")


@pytest.mark.parametrize("arn", [
    FULL_ARN, FULL_ARN + ":api_key::", "arn:aws:ssm:us-east-1:123456789012:parameter/shop/stripe-key"])
def test_full_secret_and_parameter_arns_validate(arn: str) -> None:
    assert check(api(f'secrets: {{STRIPE_KEY: "{arn}"}}\n')).blueprints["prod"].components["api"].secrets


def test_a_mistyped_field_causes_no_follow_on_errors() -> None:
    """``cpu: large`` is reported; the profile's cpu standing in for it is not judged against memory."""
    text = api("cpu: large  # here\nmemory: 8192\n")
    assert [(p.path, p.line) for p in problems(text)] == [("components.api.cpu", line_of(text, "# here"))]


@pytest.mark.parametrize(("value", "message"), [
    ("9" * 5000, "the number is too large to read (5000 digits)"),  # Python reads at most 4300 digits
    ("9" * 5000 + "d", "a duration of 5000 digits is far beyond any AWS limit"),
])
def test_a_number_too_long_to_read_is_a_spec_error_not_a_crash(value: str, message: str) -> None:
    text = api(f"health_check_grace_period: {value}  # here\n")
    [problem] = problems(text)
    assert (problem.path, problem.line) == ("components.api.health_check_grace_period", line_of(text, "# here"))
    assert message in problem.message


def test_a_secret_of_another_partition_is_refused_in_that_environment() -> None:
    """Found by the property test: a commercial-region secret ARN in a GovCloud environment."""
    text = textwrap.dedent(f"""\
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {{profile: dev}}
          gov: {{profile: dev, region: us-gov-west-1}}
        components:
          api:
            kind: api
            image: ghcr.io/acme/api:1
            public: false
            secrets: {{STRIPE_KEY: "{FULL_ARN}"}}  # here
        """)
    [problem] = problems(text)
    assert (problem.path, problem.line) == ("components.api.secrets.STRIPE_KEY", line_of(text, "# here"))
    assert "partition 'aws'" in problem.message and "(in environment 'gov')" in problem.message
