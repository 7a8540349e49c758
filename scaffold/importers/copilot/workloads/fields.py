"""Converters of the manifest fields every Copilot ECS workload shares.

Each converter is ``convert(conv, data)``: it reads one top-level key of the (merged) manifest
``data`` and writes scaffold fields into ``conv.fields``, reporting what it cannot keep. They
follow Copilot's manifest reference, aws/copilot-cli ``site/content/docs/include/``:
``image-config.en.md`` (``image``), ``common-svc-fields.en.md`` (``entrypoint``, ``command``,
``cpu``, ``memory``, ``platform``, ``count``, ``exec``, ``network``, ``variables``, ``secrets``,
``storage``, ``logging``, ``taskdef_overrides``), ``secrets.en.md``, ``deployment.en.md``,
``sidecar-config.en.md``, ``observability.en.md`` and ``publish.en.md``.
:data:`CONVERTERS` finds them by key.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from typing import Any

from scaffold.importers.copilot.workloads.conv import Conv, go_duration
from scaffold.importers.copilot.yamlsource import Located, Origin, what

#: Copilot's task size when the manifest sets none (common-svc-fields.en.md ``cpu``/``memory``;
#: the manifests ``copilot init`` writes).
COPILOT_CPU, COPILOT_MEMORY = 256, 512
#: Copilot's log retention when ``logging.retention`` is not set (common-svc-fields.en.md).
COPILOT_LOG_RETENTION_DAYS = 30
#: ``platform`` values that are what scaffold runs (Linux on x86-64, ECS's default).
X86_PLATFORMS = {"linux/x86_64", "linux/amd64"}


def _prefix(conv: Conv) -> str:
    from blueprints.naming import env_prefix

    return env_prefix(conv.name)


# -- image ---------------------------------------------------------------------------------

def image(conv: Conv, data: Located) -> None:
    """``image.location`` → ``image``; ``image.build`` → the ECR image Copilot pushed, with a
    ``${IMAGE_TAG}`` the pipeline sets (scaffold builds no image); ``image.port`` → ``port``."""
    value = data.get("image")
    origin = data.at("image")
    if value is not None and not isinstance(value, Located):
        conv.wrong_type(origin, "image", "a mapping (build, location, port ...)", value)
        value = None
    if value is None:
        _no_image(conv, origin)
        return
    conv.unknown(value, {"build", "location", "port", "healthcheck", "credentials", "labels", "depends_on",
                         "context", "dockerfile"}, "image.", _page(conv))
    if "location" in value and "build" in value:
        conv.left_out(value.at("build"), "image.build", "Copilot takes `build` or `location`, not both; "
                      "`location` is kept")
    if "location" in value:
        _location(conv, value)
    elif "build" in value:
        _build(conv, value)
    else:
        _no_image(conv, origin)
    if "port" in value:
        _port(conv, value)
    if "healthcheck" in value:
        conv.left_out(value.at("healthcheck"), "image.healthcheck",
                      "the container health check command is not kept: scaffold's load balancer checks the "
                      "`health_check` path of an api; a worker or job has no health check")
    for key, why in (("credentials", "scaffold pulls images with the task's execution role, which reads ECR; "
                                     "a private registry's credentials secret is not kept"),
                     ("labels", "Docker labels are not kept"),
                     ("depends_on", "container dependencies are not kept: scaffold runs one container per task")):
        if key in value:
            conv.left_out(value.at(key), f"image.{key}", why)


def _location(conv: Conv, value: Located) -> None:
    from blueprints.api.settings import image_problems

    origin = value.at("location")
    raw = value["location"]
    if not isinstance(raw, str) or not raw.strip():
        conv.wrong_type(origin, "image.location", "an image reference", raw)
        _no_image(conv, origin)
        return
    text = conv.text(raw.strip(), origin, "image.location")
    if text is None:
        _no_image(conv, origin)
        return
    from blueprints.api.settings import image_partition_problems

    problems = [p.message for p in image_problems(conv.example(text))]
    problems += [p.message for p in image_partition_problems(conv.example(text), conv.region)]
    if problems:
        conv.left_out(origin, "image.location", f"`{raw}` is refused by scaffold: {problems[0]}")
        _no_image(conv, origin)
        return
    conv.fields["image"] = text


def _build(conv: Conv, value: Located) -> None:
    """The image Copilot built: ``<account>.dkr.ecr.<region>.amazonaws.com/<app>/<workload>:${IMAGE_TAG}``."""
    origin = value.at("build")
    account = conv.ctx.account_id(origin, conv.subject("image.build"))
    tag = conv.ctx.variable(
        "IMAGE_TAG", "1.0.0",
        "the tag of the images to deploy. Copilot built each `image.build` and pushed it to its ECR repository "
        "`<app>/<workload>` with the tag of `copilot deploy --tag` (or the git commit); scaffold builds no "
        "image: build and push in CI, then set IMAGE_TAG", origin, conv.subject("image.build"))
    app = conv.ctx.app.lower() if conv.ctx.workspace.app else conv.ctx.draft.project
    domain = "amazonaws.com.cn" if conv.region.startswith("cn-") else "amazonaws.com"
    conv.fields["image"] = f"{account}.dkr.ecr.{conv.region}.{domain}/{app}/{conv.workload.lower()}:{tag}"
    build = value["build"]
    if isinstance(build, Located) and any(k in build for k in ("args", "target", "cache_from", "options")):
        conv.left_out(origin, "image.build", "the build settings (args, target, cache_from ...) are not used: "
                      "scaffold does not build images; build them in CI with the same settings")


def no_image(conv: Conv, data: Located) -> None:
    """A manifest without ``image`` still needs one (a check run after the keys)."""
    if "image" not in conv.fields:
        _no_image(conv, data.origin)


def _no_image(conv: Conv, origin: Origin) -> None:
    name = f"{_prefix(conv)}_IMAGE"
    conv.fields["image"] = conv.ctx.variable(
        name, "public.ecr.aws/docker/library/busybox:latest",
        f"the manifest of `{conv.workload}` names no image (no `image.build` nor `image.location`): set {name} "
        "to the image reference to run", origin, conv.subject("image"))


def _port(conv: Conv, value: Located) -> None:
    origin = value.at("port")
    raw = value["port"]
    port = raw
    if isinstance(raw, str) and re.fullmatch(r"\d+(/tcp)?", raw.strip()):
        port = int(raw.strip().split("/")[0])
    if conv.kind != "api":
        conv.left_out(origin, "image.port", f"a scaffold {conv.kind} listens on no port")
    elif isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535:
        conv.fields["port"] = port
    else:
        conv.wrong_type(origin, "image.port", "a port number", raw)


# -- command, entrypoint -------------------------------------------------------------------

def command(conv: Conv, data: Located) -> None:
    """``command`` (a string split with shell rules, as Copilot's ``shlex.Split``, or a list)."""
    origin = data.at("command")
    raw = data["command"]
    if raw is None:
        return
    if isinstance(raw, str):
        try:
            tokens = shlex.split(raw)
        except ValueError as err:
            conv.left_out(origin, "command", f"cannot be split into arguments as Copilot does ({err}); ignored")
            return
    elif isinstance(raw, list) and all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in raw):
        tokens = [str(t) for t in raw]
    else:
        conv.wrong_type(origin, "command", "a string or a list of strings", raw)
        return
    out = []
    for token in tokens:
        text = conv.text(token, origin, "command")
        if text is None:
            return
        out.append(text)
    if out:
        conv.fields["command"] = out


def entrypoint(conv: Conv, data: Located) -> None:
    """``entrypoint`` has no scaffold field: only the image's ``CMD`` can be replaced."""
    raw = data["entrypoint"]
    if raw is None:
        return
    shown = raw if isinstance(raw, str) else " ".join(str(t) for t in raw) if isinstance(raw, list) else raw
    conv.left_out(data.at("entrypoint"), "entrypoint",
                  f"scaffold replaces only the image's CMD (`command`), not its ENTRYPOINT; `{shown}` is not "
                  "kept: set ENTRYPOINT in the image, or, when the image has none, prepend it to `command`")


# -- task size -----------------------------------------------------------------------------

def task_size(conv: Conv, data: Located) -> None:
    """``cpu`` and ``memory``, checked as a Fargate pair by scaffold's own rule; an invalid
    pair becomes the nearest valid one (reported). One given alone takes Copilot's default
    for the other, as Copilot did."""
    from blueprints.api.settings import FARGATE_MEMORY, fargate_memory_sizes, fargate_problems

    given: dict[str, int] = {}
    for key in ("cpu", "memory"):
        if key not in data or data[key] is None:
            continue
        raw = data[key]
        if isinstance(raw, int) and not isinstance(raw, bool):
            given[key] = raw
        else:
            conv.wrong_type(data.at(key), key, "a whole number", raw)
    if not given:
        return
    cpu, memory = given.get("cpu", COPILOT_CPU), given.get("memory", COPILOT_MEMORY)
    problems = list(fargate_problems(cpu, memory))
    if problems:
        fixed_cpu = cpu if cpu in FARGATE_MEMORY else min(FARGATE_MEMORY, key=lambda c: (abs(c - cpu), -c))
        fixed_memory = min(fargate_memory_sizes(fixed_cpu), key=lambda m: (abs(m - memory), -m))
        origin = data.at("cpu" if "cpu" in given else "memory")
        conv.decide(origin, "cpu", f"{cpu} CPU units with {memory} MiB is not a size Fargate runs "
                    f"({problems[0].message}); became the nearest that is: cpu {fixed_cpu}, memory {fixed_memory}")
        cpu, memory = fixed_cpu, fixed_memory
    conv.fields["cpu"] = cpu
    conv.fields["memory"] = memory


# -- count → scaling -----------------------------------------------------------------------

def _profile_bounds(kind: str) -> tuple[int, int]:
    """The smallest ``scaling.min`` and ``scaling.max`` of ``kind`` over the profiles."""
    from scaffold.spec.kinds import kind as get_kind

    profiles = get_kind(kind).profiles.values()
    return (min(p["scaling"]["min"] for p in profiles), min(p["scaling"]["max"] for p in profiles))


def _percent(conv: Conv, parent: Located, key: str) -> int | None:
    """``cpu_percentage`` and the like: a number, or ``{value, cooldown}``."""
    raw = parent[key]
    origin = parent.at(key)
    if isinstance(raw, Located):
        if "cooldown" in raw:
            conv.left_out(raw.at("cooldown"), f"count.{key}.cooldown",
                          "scaling cooldowns are not kept: scaffold uses Application Auto Scaling's defaults")
        raw = raw.get("value")
    from blueprints.api.settings import MAX_SCALING_TARGET

    if isinstance(raw, int) and not isinstance(raw, bool) and 1 <= raw <= MAX_SCALING_TARGET:
        return raw
    conv.wrong_type(origin, f"count.{key}", "a whole number of at least 1", raw)
    return None


def count(conv: Conv, data: Located) -> None:
    """``count`` → ``scaling``.

    A number is a fixed task count in Copilot; scaffold always autoscales, so the number
    becomes the floor (``min``) and, when the smallest profile could not hold it, the ceiling
    too. A floor of 1 is left to the profile (production runs at least 2, one per AZ).
    ``range`` → ``min``/``max``; ``cpu_percentage``, ``memory_percentage``, ``requests`` →
    the targets; ``queue_delay`` → ``backlog_per_task`` (workers).
    """
    raw = data["count"]
    origin = data.at("count")
    if raw is None:
        return
    scaling: dict[str, Any] = {}
    if isinstance(raw, int) and not isinstance(raw, bool):
        _fixed(conv, raw, origin, scaling)
    elif isinstance(raw, Located):
        _count_map(conv, raw, scaling)
    else:
        conv.wrong_type(origin, "count", "a number or a mapping", raw)
    if scaling:
        conv.fields["scaling"] = scaling


def _fixed(conv: Conv, n: int, origin: Origin, scaling: dict[str, Any]) -> None:
    if n < 1:
        conv.decide(origin, "count", f"`count: {n}` (no task running) has no equivalent: a scaffold {conv.kind} "
                    "runs at least 1 task; the profile's count is used. Remove the component from the "
                    "environment if it should not run there")
        return
    from blueprints.api.settings import MAX_TASKS

    if n > MAX_TASKS:
        conv.decide(origin, "count", f"{n} tasks is more than ECS runs in one service ({MAX_TASKS}); became {MAX_TASKS}")
        n = MAX_TASKS
    low_min, low_max = _profile_bounds(conv.kind)
    if n > low_min:
        scaling["min"] = n
    if n > low_max:
        scaling["max"] = n


def _count_map(conv: Conv, raw: Located, scaling: dict[str, Any]) -> None:
    known = {"range", "spot", "cpu_percentage", "memory_percentage", "requests", "response_time",
             "queue_delay", "cooldown"}
    conv.unknown(raw, known, "count.", _page(conv))
    if "spot" in raw:
        conv.left_out(raw.at("spot"), "count.spot", "Fargate Spot is not used: scaffold runs every task on "
                      "regular Fargate capacity")
        if "range" not in raw and isinstance(raw["spot"], int) and not isinstance(raw["spot"], bool):
            _fixed(conv, raw["spot"], raw.at("spot"), scaling)
    if "range" in raw:
        _range(conv, raw, scaling)
    if "cooldown" in raw:
        conv.left_out(raw.at("cooldown"), "count.cooldown",
                      "scaling cooldowns are not kept: scaffold uses Application Auto Scaling's defaults")
    if "cpu_percentage" in raw and (cpu := _percent(conv, raw, "cpu_percentage")) is not None:
        scaling["cpu"] = min(cpu, 100)
    for key, target in (("memory_percentage", "memory"), ("requests", "requests")):
        if key not in raw:
            continue
        if conv.kind != "api":
            conv.left_out(raw.at(key), f"count.{key}", f"a scaffold {conv.kind} scales on its queue's backlog "
                          "per task and CPU only")
        elif (value := _percent(conv, raw, key)) is not None:
            scaling[target] = min(value, 100) if target == "memory" else value
    if "response_time" in raw:
        conv.left_out(raw.at("response_time"), "count.response_time",
                      "scaling on response time is not kept: scaffold scales an api on CPU, memory and requests")
    if "queue_delay" in raw:
        _queue_delay(conv, raw, scaling)


def _range(conv: Conv, raw: Located, scaling: dict[str, Any]) -> None:
    value = raw["range"]
    origin = raw.at("range")
    low = high = None
    if isinstance(value, str) and (m := re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", value)):
        low, high = int(m[1]), int(m[2])
    elif isinstance(value, Located):
        low, high = value.get("min"), value.get("max")
        if "spot_from" in value:
            conv.left_out(value.at("spot_from"), "count.range.spot_from",
                          "Fargate Spot is not used: scaffold runs every task on regular Fargate capacity")
        conv.unknown(value, {"min", "max", "spot_from"}, "count.range.", _page(conv))
    if not (isinstance(low, int) and isinstance(high, int)) or isinstance(low, bool) or isinstance(high, bool) \
            or high < max(low, 1):
        conv.wrong_type(origin, "count.range", "`min-max` or a mapping with min and max", value)
        return
    from blueprints.api.settings import MAX_TASKS

    if high > MAX_TASKS:
        conv.decide(origin, "count.range", f"{high} tasks is more than ECS runs in one service ({MAX_TASKS}); "
                    f"the range ends at {MAX_TASKS}")
        high, low = MAX_TASKS, min(low, MAX_TASKS)
    if low < 1:
        conv.decide(origin, "count.range", f"the range starts at {low}; a scaffold {conv.kind} runs at least "
                    "1 task, so `min` is 1")
        low = 1
    scaling["min"], scaling["max"] = low, high


def _queue_delay(conv: Conv, raw: Located, scaling: dict[str, Any]) -> None:
    """``queue_delay`` → ``backlog_per_task = acceptable_latency / msg_processing_time`` (Copilot's own
    formula, worker-service.en.md ``count.queue_delay``)."""
    value = raw["queue_delay"]
    origin = raw.at("queue_delay")
    if conv.kind != "worker":
        conv.left_out(origin, "count.queue_delay", "only a scaffold worker scales on a queue's backlog")
        return
    if not isinstance(value, Located):
        conv.wrong_type(origin, "count.queue_delay", "a mapping", value)
        return
    latency = go_duration(value.get("acceptable_latency"))
    processing = go_duration(value.get("msg_processing_time"))
    if not latency or not processing:
        conv.left_out(origin, "count.queue_delay", "needs acceptable_latency and msg_processing_time as "
                      "durations (e.g. 10m and 250ms); the profile's backlog per task is used")
        return
    if "cooldown" in value:
        conv.left_out(value.at("cooldown"), "count.queue_delay.cooldown",
                      "scaling cooldowns are not kept: scaffold uses Application Auto Scaling's defaults")
    from blueprints.api.settings import MAX_SCALING_TARGET

    scaling["backlog_per_task"] = min(max(1, int(latency // processing)), MAX_SCALING_TARGET)


# -- variables and secrets -----------------------------------------------------------------

def variables(conv: Conv, data: Located) -> None:
    """``variables`` → ``environment``; ``from_cfn`` and secret-like values are reported."""
    from blueprints.api.settings import ENV_NAME
    from scaffold.spec.rules import SECRET_NAME_WORDS, credential_kind

    raw = conv.mapping(data, "variables")
    if raw is None:
        return
    out: dict[str, str] = {}
    for key, value in raw.items():
        origin = raw.at(key)
        sub = f"variables.{key}"
        if not ENV_NAME.match(key):
            conv.left_out(origin, sub, "not a valid environment variable name (letters, digits, underscores)")
            continue
        if isinstance(value, Located) and "from_cfn" in value:
            conv.left_out(origin, sub, f"reads the CloudFormation export `{value['from_cfn']}`; scaffold sets "
                          "no variable from an export: a component this one `uses` sets its own variables")
            continue
        if isinstance(value, (Located, list)):
            conv.wrong_type(origin, sub, "a string", value)
            continue
        text = conv.text(value, origin, sub)
        if text is None:
            continue
        words = sorted({w for w in re.split(r"[^A-Za-z0-9]+", key.upper()) if w} & SECRET_NAME_WORDS)
        looks = credential_kind(text)
        if words or looks:
            why = f"looks like {looks}" if looks else f"is named like a secret ({words[0].lower()})"
            conv.left_out(origin, sub, f"{why}: scaffold refuses it as a plain variable, which anyone who can "
                          "read the task definition sees. Store it in Secrets Manager or SSM and give its ARN "
                          "under `secrets`")
            continue
        out[key] = text
    if out:
        conv.fields["environment"] = out


def secrets(conv: Conv, data: Located) -> None:
    """``secrets`` → ``secrets`` as full ARNs (secrets.en.md): an ARN is kept; a bare SSM parameter
    name becomes ``arn:<partition>:ssm:<region>:<account>:parameter/<name>``; a Secrets Manager
    secret by name (``secretsmanager:``) needs its full ARN, which the spec reads from a variable;
    ``from_cfn`` is reported."""
    from blueprints.api.settings import ENV_NAME

    raw = conv.mapping(data, "secrets")
    if raw is None:
        return
    out: dict[str, str] = {}
    bare: list[str] = []
    for key, value in raw.items():
        origin = raw.at(key)
        sub = f"secrets.{key}"
        if not ENV_NAME.match(key):
            conv.left_out(origin, sub, "not a valid environment variable name (letters, digits, underscores)")
            continue
        if isinstance(value, Located) and "from_cfn" in value:
            conv.left_out(origin, sub, f"reads the CloudFormation export `{value['from_cfn']}`; scaffold reads "
                          "secrets by ARN: give the secret's full ARN, or `use` the component whose link sets it")
            continue
        if isinstance(value, Located) and "secretsmanager" in value:
            arn = _secrets_manager(conv, key, value["secretsmanager"], value.at("secretsmanager"))
        elif isinstance(value, str) and value.strip():
            arn = _secret_string(conv, key, value.strip(), origin, bare, data.at("secrets"))
        else:
            conv.wrong_type(origin, sub, "an SSM parameter name, an ARN, or a mapping with secretsmanager", value)
            continue
        if arn is not None and (problem := _arn_problem(conv, key, arn)):
            conv.left_out(origin, sub, problem)
        elif arn is not None:
            out[key] = arn
    if bare:
        conv.decide(data.at("secrets"), "secrets",
                    f"{len(bare)} SSM parameter name(s) ({', '.join(bare)}) became parameter ARNs in {conv.region}, "
                    "account " + (conv.ctx.account or "${AWS_ACCOUNT_ID}") + ": Copilot read them from each "
                    "environment's own region and account; check they are there")
    if out:
        conv.fields["secrets"] = out


def _arn_problem(conv: Conv, key: str, arn: str) -> str | None:
    """Why scaffold refuses ``arn`` as a secret in this environment's region, or ``None``."""
    from blueprints.api.settings import secret_partition_problems, secret_reference_problem

    example = conv.example(arn)
    problem = secret_reference_problem(example)
    if problem is not None:
        return f"is refused by scaffold: {problem}"
    problems = list(secret_partition_problems({key: example}, conv.region))
    return f"`{arn}`: {problems[0].message}" if problems else None


def _secret_string(conv: Conv, key: str, value: str, origin: Origin, bare: list[str],
                   secrets_origin: Origin) -> str | None:
    from blueprints.api.settings import region_partition, secret_reference_problem

    sub = f"secrets.{key}"
    expanded = conv.expand(value, origin, sub)
    if expanded is None:
        return None
    text, _ = expanded
    if not text.startswith("arn:"):
        account = conv.ctx.account_id(secrets_origin, conv.subject("secrets"))
        text = f"arn:{region_partition(conv.region)}:ssm:{conv.region}:{account}:parameter/{text.lstrip('/')}"
        bare.append(key)
    problem = secret_reference_problem(conv.example(text))
    if problem is None:
        return text
    if text.startswith("arn:") and ":secretsmanager:" in text and bare[-1:] != [key]:
        return _secret_variable(conv, key, text.split(":secret:", 1)[-1], origin, expanded[1])
    conv.left_out(origin, sub, f"`{value}` is refused by scaffold: {problem}")
    return None


def _secrets_manager(conv: Conv, key: str, raw: Any, origin: Origin) -> str | None:
    from blueprints.api.settings import secret_reference_problem

    sub = f"secrets.{key}"
    if not isinstance(raw, str) or not raw.strip():
        conv.wrong_type(origin, sub, "a Secrets Manager secret name or ARN", raw)
        return None
    expanded = conv.expand(raw.strip(), origin, sub)
    if expanded is None:
        return None
    text, per_env = expanded
    if text.startswith("arn:") and secret_reference_problem(conv.example(text)) is None:
        return text
    return _secret_variable(conv, key, text, origin, per_env)


def _secret_variable(conv: Conv, key: str, name: str, origin: Origin, per_env: bool) -> str:
    """A ``${…_ARN}`` variable for a Secrets Manager secret known by name: its full ARN ends in a
    random suffix that is not in the workspace."""
    from blueprints.naming import env_prefix

    secret, _, json_key = name.partition(":")
    env = conv.env or conv.first_env
    variable = f"{_prefix(conv)}_{key}_ARN" + (f"_{env_prefix(env)}" if per_env and env else "")
    safe = re.sub(r"[^A-Za-z0-9/_+=.@!-]", "-", secret)[:400] or "secret"
    from blueprints.api.settings import region_partition

    example = f"arn:{region_partition(conv.region)}:secretsmanager:{conv.region}:123456789012:secret:{safe}-AbCdEf"
    ref = conv.ctx.variable(
        variable, example,
        f"the full ARN of the Secrets Manager secret `{secret}` (it ends in a random suffix the manifest does not "
        f"have): `aws secretsmanager describe-secret --secret-id {secret} --query ARN`", origin,
        conv.subject(f"secrets.{key}"))
    if not json_key:
        return ref
    parts = json_key.split(":")
    return ref + ":" + ":".join(parts + [""] * (3 - len(parts)))


# -- logging, network, and what scaffold does not have -------------------------------------

def logging(conv: Conv, data: Located) -> None:
    """``logging.retention`` → ``log_retention``; the FireLens settings are reported."""
    from blueprints.constraints import LOG_RETENTION_DAYS

    raw = conv.mapping(data, "logging")
    if raw is None:
        return
    for key in raw:
        if key == "retention":
            continue
        conv.left_out(raw.at(key), f"logging.{key}", "FireLens log routing is not kept: scaffold sends container "
                      "logs to CloudWatch Logs")
    if "retention" in raw:
        days = raw["retention"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            conv.wrong_type(raw.at("retention"), "logging.retention", "a number of days", days)
            return
        kept = min((d for d in LOG_RETENTION_DAYS if d >= days), default=max(LOG_RETENTION_DAYS))
        if kept != days:
            conv.decide(raw.at("retention"), "logging.retention", f"CloudWatch Logs keeps logs {kept} days, not "
                        f"{days}: became `log_retention: {kept}d`")
        conv.fields["log_retention"] = f"{kept}d"


def network(conv: Conv, data: Located) -> None:
    """``network``: Service Connect, placement and security groups are reported."""
    raw = conv.mapping(data, "network")
    if raw is None:
        return
    conv.unknown(raw, {"connect", "vpc"}, "network.", _page(conv))
    if "connect" in raw and raw["connect"] not in (False, None):
        conv.left_out(raw.at("connect"), "network.connect",
                      "Service Connect is not kept: scaffold has no service-to-service discovery. Other services "
                      "reach an api through its load balancer (the stack output `load_balancer_dns`)")
    vpc = conv.mapping(raw, "vpc", "network.vpc")
    if vpc is None:
        return
    conv.unknown(vpc, {"placement", "security_groups"}, "network.vpc.", _page(conv))
    if "placement" in vpc:
        conv.left_out(vpc.at("placement"), "network.vpc.placement",
                      f"`{vpc['placement']}` is not kept: scaffold always runs tasks in the private subnets, "
                      "without a public IP, reaching the internet through NAT")
    if "security_groups" in vpc:
        conv.left_out(vpc.at("security_groups"), "network.vpc.security_groups",
                      "extra security groups are not kept: scaffold opens exactly what each link needs (a "
                      "service to what it `uses`); use a component for what they gave access to")


def _simple(key: str, reason: str) -> Callable[[Conv, Located], None]:
    """A converter that reports ``key`` as left out with ``reason``."""
    def convert(conv: Conv, data: Located) -> None:
        if data.get(key) in (None, False):
            return
        conv.left_out(data.at(key), key, reason)
    return convert


def memory(conv: Conv, data: Located) -> None:
    """``memory`` alone (with ``cpu``, :func:`task_size` reads both)."""
    if "cpu" not in data:
        task_size(conv, data)


def exec_(conv: Conv, data: Located) -> None:
    """``exec`` (ECS Exec) is not enabled by scaffold."""
    if data["exec"] in (None, False):
        return
    conv.left_out(data.at("exec"), "exec", "ECS Exec is not turned on by scaffold: `copilot svc exec` has no "
                  "equivalent (use the task's logs, or a one-off task)")


def platform(conv: Conv, data: Located) -> None:
    """``platform``: scaffold runs Linux on x86-64."""
    raw = data["platform"]
    text = raw if isinstance(raw, str) else raw.get("osfamily") if isinstance(raw, Located) else None
    if isinstance(text, str) and text.lower() in X86_PLATFORMS:
        return
    conv.left_out(data.at("platform"), "platform", f"`{text or what(raw)}` is not kept: scaffold runs tasks on "
                  "Linux x86-64; an image for another platform will not start")


def storage(conv: Conv, data: Located) -> None:
    """``storage``: ephemeral size and EFS volumes are reported, one entry each."""
    raw = conv.mapping(data, "storage")
    if raw is None:
        return
    conv.unknown(raw, {"ephemeral", "volumes", "readonly_fs"}, "storage.", _page(conv))
    if "ephemeral" in raw:
        conv.left_out(raw.at("ephemeral"), "storage.ephemeral", f"{raw['ephemeral']} GiB of task storage is not "
                      "kept: scaffold's tasks get Fargate's default 20 GiB")
    if "readonly_fs" in raw:
        conv.left_out(raw.at("readonly_fs"), "storage.readonly_fs", "a read-only root file system is not kept")
    volumes = raw.get("volumes")
    if isinstance(volumes, Located):
        for name in volumes:
            conv.left_out(volumes.at(name), f"storage.volumes.{name}",
                          "EFS volumes are not kept: scaffold has no file systems; keep files in a `bucket`")
    elif volumes is not None:
        conv.wrong_type(raw.at("volumes"), "storage.volumes", "a mapping", volumes)


def sidecars(conv: Conv, data: Located) -> None:
    """``sidecars``: one entry per sidecar."""
    raw = conv.mapping(data, "sidecars")
    if raw is None:
        return
    for name, side in raw.items():
        img = side.get("image") if isinstance(side, Located) else None
        if isinstance(img, Located):
            img = img.get("location") or "built"
        conv.left_out(raw.at(name), f"sidecars.{name}",
                      f"sidecar `{name}`{f' ({img})' if isinstance(img, str) else ''} is not kept: scaffold runs one "
                      "container per task; run it as its own component, or in the image")


def taskdef_overrides(conv: Conv, data: Located) -> None:
    """``taskdef_overrides``: one entry per rule."""
    raw = data["taskdef_overrides"]
    if raw is None:
        return
    if not isinstance(raw, list):
        conv.wrong_type(data.at("taskdef_overrides"), "taskdef_overrides", "a list of rules", raw)
        return
    for rule in raw:
        origin = rule.origin if isinstance(rule, Located) else data.at("taskdef_overrides")
        path = rule.get("path") if isinstance(rule, Located) else None
        conv.left_out(origin, "taskdef_overrides", f"the task definition override of `{path or what(rule)}` is "
                      "not kept: scaffold builds the task definition from the spec's fields only")


def deployment(conv: Conv, data: Located) -> None:
    """``deployment``: the rolling strategy and rollback alarms (deployment.en.md)."""
    raw = conv.mapping(data, "deployment")
    if raw is None:
        return
    conv.unknown(raw, {"rolling", "rollback_alarms"}, "deployment.", _page(conv))
    if "rolling" in raw:
        conv.left_out(raw.at("rolling"), "deployment.rolling",
                      f"`{raw['rolling']}` is not kept: scaffold deploys rolling, starting new tasks before it "
                      "stops old ones, and rolls a failed deployment back (ECS circuit breaker)")
    if "rollback_alarms" in raw:
        conv.left_out(raw.at("rollback_alarms"), "deployment.rollback_alarms",
                      "alarm-based rollback is not kept: the ECS circuit breaker rolls back deployments whose "
                      "tasks do not become healthy")


def _page(conv: Conv) -> str:
    from scaffold.importers.copilot.workloads import PAGES

    return PAGES.get(conv.type, "")


def name(conv: Conv, data: Located) -> None:
    """``name`` should be the folder's name, which Copilot uses."""
    raw = data["name"]
    if raw is not None and raw != conv.workload:
        conv.decide(data.at("name"), "name", f"the manifest says `name: {raw}` but its folder is "
                    f"`{conv.workload}`; the folder's name is used, as Copilot does")


def ignore(conv: Conv, data: Located) -> None:
    """Keys handled elsewhere (``type``, ``environments``, ``publish``)."""


#: Converters of the keys every ECS workload type has, by manifest key.
CONVERTERS: dict[str, Callable[[Conv, Located], None]] = {
    "name": name,
    "type": ignore,
    "environments": ignore,
    "publish": ignore,
    "image": image,
    "entrypoint": entrypoint,
    "command": command,
    "cpu": task_size,
    "memory": memory,
    "platform": platform,
    "exec": exec_,
    "network": network,
    "variables": variables,
    "secrets": secrets,
    "env_file": _simple("env_file", "the env file is not read: copy its variables into `environment`, and its "
                        "secrets' ARNs into `secrets`"),
    "storage": storage,
    "logging": logging,
    "observability": _simple("observability", "X-Ray tracing (the AWS Distro for OpenTelemetry sidecar) is not kept"),
    "taskdef_overrides": taskdef_overrides,
    "sidecars": sidecars,
    "deployment": deployment,
}
