"""Report entries the importer adds for the workspace as a whole: alarms with no one to notify,
and the parts of ``copilot/`` it does not read (pipelines, CloudFormation overrides)."""

from __future__ import annotations

from pathlib import Path

from scaffold.importers.copilot.report import Section

from .conftest import assert_reported, entries, run_import, write_workspace

SERVICE = """\
    name: api
    type: Backend Service
    image:
      location: nginx:1.27
      port: 80
    """


def test_alarms_without_anyone_to_notify_are_to_decide(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {
        "copilot/api/manifest.yml": SERVICE,
        "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
        "copilot/environments/prod/manifest.yml": "name: prod\ntype: Environment\n",
    })
    imported = run_import(root)
    entry = assert_reported(imported.report, Section.DECIDE, subject="alarms.notify", text="prod gets CloudWatch alarms")
    assert "test" not in entry.text.split(" gets")[0]  # dev profile: no alarms, nobody to tell
    assert "alarms:" not in imported.spec  # the importer does not invent an on-call address


def test_only_dev_environments_need_no_one_to_notify(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {
        "copilot/api/manifest.yml": SERVICE,
        "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
    })
    assert not entries(run_import(root).report, subject="alarms.notify")


def test_pipelines_and_overrides_are_reported_as_left_out(tmp_path: Path) -> None:
    root = write_workspace(tmp_path, {
        "copilot/api/manifest.yml": SERVICE,
        "copilot/api/overrides/cfn.patches.yml": "- op: add\n  path: /Resources/X\n  value: {}\n",
        "copilot/pipelines/main/manifest.yml": "name: main\nversion: 1\n",
        "copilot/pipeline.yml": "name: old\n",
    })
    report = run_import(root).report
    assert_reported(report, Section.LEFT_OUT, where="copilot/api/overrides", text="reviewed by hand")
    assert_reported(report, Section.LEFT_OUT, where="copilot/pipelines", text="GitHub Actions workflow")
    assert_reported(report, Section.LEFT_OUT, where="copilot/pipeline.yml", text="Copilot v1 pipeline")
