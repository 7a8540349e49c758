"""``scaffold import copilot``: an AWS Copilot workspace turned into a scaffold spec and a report.

:func:`import_workspace` reads a workspace (:mod:`.workspace`), runs the converters in
:data:`STEPS` over it, writes the spec's text (:mod:`.draft`) and checks it with scaffold's own
validator, so that what the importer writes always validates. It never touches AWS.

The mapping follows Copilot's manifest reference (aws/copilot-cli, ``site/content/docs/manifest/``);
``docs/import-copilot.md`` has the table.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.importers.copilot import addons, environments, workloads
from scaffold.importers.copilot.context import Context, Variable
from scaffold.importers.copilot.draft import Draft, project_name
from scaffold.importers.copilot.report import Report
from scaffold.importers.copilot.workspace import read_workspace
from scaffold.importers.copilot.yamlsource import Origin

#: The converters, in order: environments first (the others override per environment), then
#: workloads (their names are the ones users know, so they are taken first), then addons (the
#: storage the workloads use), then the links from workloads to addons, and each environment's
#: public load balancer settings (certificate, access logs) on the public APIs.
STEPS: tuple[Callable[[Context], None], ...] = (
    environments.convert,
    workloads.convert,
    addons.convert,
    addons.link,
    environments.link,
)


@dataclass(frozen=True)
class Imported:
    """The result of an import.

    Attributes:
        spec: The spec's YAML text.
        report: The migration report.
        variables: The ``${NAME}`` variables the spec reads (an image tag, an account ...).
        workloads: How many Copilot workloads became components.
    """

    spec: str
    report: Report
    variables: dict[str, Variable]
    workloads: int

    def example_environ(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """``environ`` (default ``os.environ``) plus an example value for each unset variable."""
        env = dict(os.environ if environ is None else environ)
        for v in self.variables.values():
            env.setdefault(v.name, v.example)
        return env


def import_workspace(root: Path, *, region: str, account: str | None = None) -> Imported:
    """Import the Copilot workspace in ``root``.

    Args:
        root: The folder that holds ``copilot/`` (or ``copilot/`` itself).
        region: The AWS region the spec deploys to (Copilot keeps it outside the workspace).
        account: The AWS account id Copilot deployed to, for ECR images and SSM parameter ARNs;
            ``None`` makes the spec read ``${AWS_ACCOUNT_ID}`` where it needs one.

    Raises:
        UsageError: (exit 2) ``root`` holds no Copilot workspace.
    """
    ws = read_workspace(root)
    report = Report()
    app = ws.app or ws.root.resolve().name
    if ws.app is None:
        report.decide(Origin("copilot/.workspace"), "application name",
                      f"there is no copilot/.workspace; the project is named after the folder, `{app}`")
    project = project_name(app)
    if project != app:
        report.decide(ws.app_origin, "application name",
                      f"renamed `{app}` to `{project}`: a project name is 2 to 39 lowercase letters, digits "
                      "and hyphens, starting with a letter")
    for problem in ws.unreadable:
        report.left_out(problem.origin, "unreadable file", problem.message)
    draft = Draft(project=project, region=region, report=report)
    ctx = Context(workspace=ws, draft=draft, report=report, app=app, region=region, account=account)
    for step in STEPS:
        step(ctx)
    _report_alarms(ctx)
    _report_ignored(ctx)
    header = [f"Imported from the AWS Copilot workspace of application `{app}` by `scaffold import copilot`.",
              "Each component names the Copilot file it came from; the migration report says what did",
              "not come across and what to decide. Docs: docs/import-copilot.md"]
    return Imported(draft.to_yaml(header), report, dict(sorted(ctx.variables.items())), len(ctx.workloads))


def _report_alarms(ctx: Context) -> None:
    """Alarms on without anyone to tell: scaffold cannot guess who is on call."""
    if "alarms" in ctx.draft.top:
        return
    from scaffold.spec.profiles import PROFILES

    alarmed = [e.name for e in ctx.draft.environments.values() if PROFILES[e.profile]["alarms"]["enabled"]]
    if alarmed and ctx.draft.components:
        ctx.report.decide(Origin(""), "alarms.notify",
                          f"{', '.join(alarmed)} {'gets' if len(alarmed) == 1 else 'get'} CloudWatch alarms "
                          "(the profile turns them on), but the spec "
                          "names no one to notify: add a `notifications` component with your on-call "
                          "subscribers (email, https) and set `alarms: {notify: <its name>}` (docs/spec.md, Alarms)")


#: What ``copilot/`` may hold that a scaffold spec does not describe, and why it is not imported.
_IGNORED = (
    ("pipelines", "Copilot pipelines (CodePipeline) are not imported: `scaffold init` writes a GitHub Actions "
                  "workflow that validates, plans on pull requests and deploys"),
    ("pipeline.yml", "a Copilot v1 pipeline (CodePipeline) is not imported: `scaffold init` writes a GitHub "
                     "Actions workflow that validates, plans on pull requests and deploys"),
    ("buildspec.yml", "a CodeBuild buildspec of a Copilot pipeline is not imported: scaffold builds no image"),
)


def _report_ignored(ctx: Context) -> None:
    """Pipelines and CloudFormation overrides: read by Copilot, not by the importer."""
    copilot = ctx.workspace.root / "copilot"
    for name, reason in _IGNORED:
        if (copilot / name).exists():
            ctx.report.left_out(Origin(f"copilot/{name}"), name, reason)
    for folder in sorted(p for p in copilot.glob("*/overrides") if p.is_dir()):
        rel = folder.relative_to(ctx.workspace.root).as_posix()
        ctx.report.left_out(Origin(rel), "overrides", "Copilot's CloudFormation overrides (YAML patches or CDK) "
                            "change the generated template; scaffold's components have no such hook, so each "
                            "override must be reviewed by hand")
