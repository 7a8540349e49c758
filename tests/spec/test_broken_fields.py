"""A field that fails its type is reported once: no rule judges what the loader put in its place.

The loader keeps checking a component whose required string (``image``, ``consumes``,
``schedule``) is missing or mistyped by standing a placeholder in for it; the reference rules
(``consumes``, ``uses``) must not then report "no component named 'invalid'".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app

HEAD = """\
scaffold: 1
name: shop
region: us-east-1
environments:
  dev: {profile: dev}
components:
  jobs: {kind: queue, visibility_timeout: 5m}
"""


@pytest.mark.parametrize(("component", "field"), [
    ("  mailer: {kind: worker, image: ghcr.io/acme/mailer:1}\n", "consumes"),
    ("  mailer: {kind: worker, image: ghcr.io/acme/mailer:1, consumes: [jobs, other]}\n", "consumes"),
    ("  mailer: {kind: worker, image: ghcr.io/acme/mailer:1, consumes: {queue: jobs}}\n", "consumes"),
])
def test_a_missing_or_mistyped_consumes_is_one_problem(tmp_path: Path, component: str, field: str) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(HEAD + component)
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.output
    assert f"components.mailer.{field}" in errors[0]
    assert "'invalid'" not in result.output


@pytest.mark.parametrize("component", [
    "  web: {kind: api, image: [a, b]}\n",
    "  nightly: {kind: job, image: ghcr.io/acme/r:1, schedule: {cron: x}}\n",
])
def test_a_mistyped_required_field_is_not_also_reported_missing(tmp_path: Path, component: str) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(HEAD + component)
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.output
    assert "is required" not in result.output
