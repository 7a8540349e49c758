"""What every converter of the Copilot importer shares: the workspace, the draft spec, the report.

Converters are functions ``convert(ctx: Context) -> None`` (:data:`scaffold.importers.copilot.STEPS`).
They read :attr:`Context.workspace`, add to :attr:`Context.draft`, and say in
:attr:`Context.report` what became of each construct. Strings copied from a manifest go
through :meth:`Context.expand`, which handles Copilot's ``${VAR}`` interpolation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scaffold.importers.copilot.draft import Draft
from scaffold.importers.copilot.report import Report
from scaffold.importers.copilot.workspace import Workspace
from scaffold.importers.copilot.yamlsource import Origin

#: ``${NAME}`` as Copilot interpolates it in manifests (environment variables of the shell that
#: runs ``copilot deploy``, plus the two below). See the manifest reference, "Environment
#: variables" (aws/copilot-cli site/content/docs/developing/manifest-env-var.en.md).
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
APP_VARIABLE = "COPILOT_APPLICATION_NAME"
ENV_VARIABLE = "COPILOT_ENVIRONMENT_NAME"


@dataclass(frozen=True)
class Variable:
    """A ``${NAME}`` the written spec reads from the environment of ``scaffold`` itself.

    Attributes:
        name: The variable.
        example: A value of the right form, used only to check that the written spec validates.
        why: What to set it to, for the report.
    """

    name: str
    example: str
    why: str


@dataclass(frozen=True)
class Expanded:
    """A manifest string ready for the spec.

    Attributes:
        base: The value for the spec's base field.
        per_env: The value in each environment (scaffold name → value) when it depends on
            ``${COPILOT_ENVIRONMENT_NAME}``; empty otherwise.
    """

    base: str
    per_env: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """The state of one import (see the module docstring).

    Attributes:
        workspace: What was read.
        draft: The spec being built.
        report: The migration report.
        app: The Copilot application name (``.workspace``, else the root folder's name).
        region: The AWS region of the written spec (``--region``).
        account: The AWS account id (``--account``), or ``None`` when not given.
        variables: The ``${NAME}`` variables the written spec reads, by name.
        env_names: Copilot environment name → scaffold environment name.
        workloads: Copilot workload name → scaffold component name, for imported workloads.
        passed: What a converter's ``convert`` step leaves for its own ``link`` step, keyed by the
            converter's module (e.g. the environments' public load balancer settings).
    """

    workspace: Workspace
    draft: Draft
    report: Report
    app: str
    region: str
    account: str | None
    variables: dict[str, Variable] = field(default_factory=dict)
    env_names: dict[str, str] = field(default_factory=dict)
    workloads: dict[str, str] = field(default_factory=dict)
    passed: dict[str, Any] = field(default_factory=dict)

    def variable(self, name: str, example: str, why: str, origin: Origin, subject: str) -> str:
        """Register ``${name}`` as read by the spec, report it as to decide, return ``${name}``."""
        if name not in self.variables:
            self.variables[name] = Variable(name, example, why)
        self.report.decide(origin, subject, f"the spec reads `${{{name}}}`: {why}")
        return "${" + name + "}"

    def account_id(self, origin: Origin, subject: str) -> str:
        """The account id for an ARN or an ECR registry: ``--account``, else ``${AWS_ACCOUNT_ID}``."""
        if self.account:
            return self.account
        return self.variable("AWS_ACCOUNT_ID", "123456789012",
                             "set it to the 12-digit AWS account Copilot deployed to, or import again "
                             "with --account", origin, subject)

    def expand(self, value: str, origin: Origin, subject: str) -> Expanded:
        """``value`` with Copilot's interpolation turned into scaffold's.

        - ``${COPILOT_APPLICATION_NAME}`` becomes the application name.
        - ``${COPILOT_ENVIRONMENT_NAME}`` makes the value differ per environment: ``per_env``
          holds each environment's value (with Copilot's environment name, as Copilot would
          have written it), and ``base`` the first environment's.
        - Any other ``${NAME}`` stays: scaffold reads it from its own environment in the same
          way (an unset variable is an error there); the report says to set it.
        - A ``$`` that is not part of ``${NAME}`` is written ``$$`` (scaffold's literal ``$``).
        """
        names = VARIABLE.findall(value)
        for name in sorted(set(names) - {APP_VARIABLE, ENV_VARIABLE}):
            if name not in self.variables:
                self.variables[name] = Variable(name, "imported", "a variable Copilot read from the shell")
            self.report.decide(origin, subject, f"`${{{name}}}` is kept: scaffold reads it from its own "
                               "environment, as Copilot did, and an unset variable is an error")
        escaped = _escape_dollars(value)
        escaped = escaped.replace("${" + APP_VARIABLE + "}", self.app)
        if ENV_VARIABLE not in names:
            return Expanded(escaped)
        per_env = {env: escaped.replace("${" + ENV_VARIABLE + "}", copilot_env)
                   for copilot_env, env in self.env_names.items()}
        if not per_env:
            return Expanded(escaped.replace("${" + ENV_VARIABLE + "}", "dev"))
        self.report.imported(origin, subject, "uses `${COPILOT_ENVIRONMENT_NAME}`: written with each "
                             "environment's name, in that environment's overrides")
        first = next(iter(per_env.values()))
        return Expanded(first, per_env)


def _escape_dollars(value: str) -> str:
    """``$`` → ``$$`` except where it starts ``${NAME}``."""
    out, i = [], 0
    for m in VARIABLE.finditer(value):
        out.append(value[i:m.start()].replace("$", "$$"))
        out.append(m.group(0))
        i = m.end()
    out.append(value[i:].replace("$", "$$"))
    return "".join(out)
