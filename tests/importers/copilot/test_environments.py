"""Copilot environments → scaffold environments (``scaffold/importers/copilot/environments.py``).

Fixtures: ``workspaces/e-envs`` (manifests: prod/staging/test, a name scaffold refuses, one that
is not a mapping; CIDRs accepted and refused, an imported VPC, certificates, an unknown key),
``e-no-envs`` (environments named only in workloads' overrides) and ``e-none`` (no environment).
Each test checks the spec fields written AND the report entries (section, file:line, text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.importers.copilot import Imported
from scaffold.importers.copilot.environments import DEFAULT_ENVIRONMENTS, profile_for
from scaffold.importers.copilot.report import Section
from tests.importers.copilot.conftest import assert_reported, check_spec, entries, run_import

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def _spec(imported: Imported) -> dict[str, Any]:
    data = yaml.safe_load(imported.spec)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def envs() -> Imported:
    return run_import(Path("e-envs"), region="us-east-1")


@pytest.mark.parametrize(("name", "profile"), [
    ("prod", "production"), ("production", "production"), ("Prod-EU", "production"),
    ("staging", "staging"), ("stage", "staging"), ("stage_2", "staging"),
    ("preprod", "dev"), ("test", "dev"), ("qa", "dev"), ("prodigy", "dev"),
])
def test_profile_by_name(name: str, profile: str) -> None:
    assert profile_for(name) == profile


def test_every_environment_manifest_becomes_an_environment(envs: Imported) -> None:
    spec = _spec(envs)
    assert {n: e["profile"] for n, e in spec["environments"].items()} == {
        "my-weird-env": "dev", "big": "dev", "prod": "production", "staging": "staging", "test": "dev"}
    check_spec(envs)
    for env in ("prod", "staging", "test", "big"):
        assert_reported(envs.report, Section.DECIDE, subject=f"environment {env}", text="profile")
    assert_reported(envs.report, Section.DECIDE, where="copilot/environments/prod/manifest.yml:1",
                    subject="environment prod", text="profile `production` (its name says so)")
    assert_reported(envs.report, Section.DECIDE, where="copilot/environments/test/manifest.yml:1",
                    text="names other than prod/production and staging/stage get dev")


def test_a_refused_name_is_renamed_and_reported(envs: Imported) -> None:
    assert_reported(envs.report, Section.DECIDE, where="copilot/environments/My_Weird.Env/manifest.yml:1",
                    subject="environment My_Weird.Env", text="renamed to `my-weird-env`")


def test_a_manifest_that_is_not_a_mapping_still_makes_its_environment(envs: Imported) -> None:
    assert _spec(envs)["environments"]["big"] == {"profile": "dev"}
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/big/manifest.yml",
                    text="not a mapping (a list)")


def test_cidr_and_flow_logs(envs: Imported) -> None:
    environments = _spec(envs)["environments"]
    assert environments["prod"]["network"] == {"cidr": "10.20.0.0/16", "flow_logs": True}
    assert_reported(envs.report, Section.IMPORTED, where="copilot/environments/prod/manifest.yml:5",
                    text="`environments.prod.network.cidr`")
    # A public block is refused by scaffold's own rule (scaffold.spec.rules.cidr_rules).
    assert "cidr" not in environments["test"].get("network", {})
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/test/manifest.yml:5",
                    text="8.8.0.0/16 is a public address block")
    # Too large for scaffold's network (blueprints.network.settings).
    assert "network" not in environments["my-weird-env"]
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/My_Weird.Env/manifest.yml:5",
                    text="too large")
    # flow_logs as a mapping: on, its retention reported.
    assert environments["test"]["network"] == {"flow_logs": True}
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/test/manifest.yml:7",
                    subject="flow_logs.retention", text="30 days")


def test_imported_vpc_subnets_and_rules_are_reported(envs: Imported) -> None:
    staging = "copilot/environments/staging/manifest.yml"
    assert_reported(envs.report, Section.LEFT_OUT, where=f"{staging}:5", subject="network.vpc.id",
                    text="vpc-0123456789abcdef0")
    assert_reported(envs.report, Section.LEFT_OUT, where=f"{staging}:6", subject="network.vpc.subnets")
    assert_reported(envs.report, Section.LEFT_OUT, where=f"{staging}:15", subject="http.public.ingress")
    assert_reported(envs.report, Section.LEFT_OUT, where=f"{staging}:17", subject="http.private")
    assert_reported(envs.report, Section.LEFT_OUT, where=f"{staging}:21", subject="cdn", text="CloudFront")
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/test/manifest.yml:8",
                    subject="network.vpc.security_group")


def test_unknown_keys_are_reported_with_their_line(envs: Imported) -> None:
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/test/manifest.yml:15",
                    subject="telemetry", text="not a key of Copilot's environment manifest")


def test_container_insights_off_is_a_behaviour_change(envs: Imported) -> None:
    assert_reported(envs.report, Section.BEHAVIOUR, where="copilot/environments/test/manifest.yml:14",
                    text="always on")
    assert not entries(envs.report, Section.BEHAVIOUR, where="copilot/environments/prod/manifest.yml",
                       subject="container_insights")


def test_one_certificate_goes_to_the_public_apis_of_its_environment(envs: Imported) -> None:
    spec = _spec(envs)
    web = spec["environments"]["prod"]["components"]["web"]
    assert web["certificate"] == CERT
    assert web["access_logs"] is True
    assert_reported(envs.report, Section.IMPORTED, where="copilot/environments/prod/manifest.yml:9",
                    subject="http.public.certificates", text=f"`certificate: {CERT}` of `web` in `prod`")
    assert_reported(envs.report, Section.IMPORTED, where="copilot/environments/prod/manifest.yml:11",
                    subject="http.public.access_logs", text="`access_logs: true` on `web`")
    assert_reported(envs.report, Section.LEFT_OUT, where="copilot/environments/prod/manifest.yml:12",
                    subject="ssl_policy")


def test_a_certificate_of_another_region_is_not_applied_and_hints_the_region(envs: Imported) -> None:
    staging = _spec(envs)["environments"]["staging"]
    assert "certificate" not in staging.get("components", {}).get("web", {})
    assert_reported(envs.report, Section.DECIDE, where="copilot/environments/staging/manifest.yml:13",
                    subject="http.public.certificates", text="not applied")
    assert_reported(envs.report, Section.DECIDE, where="copilot/environments/staging/manifest.yml:13",
                    subject="environment staging: region", text="eu-west-1")


def test_region_is_the_command_line_one_and_reported(envs: Imported) -> None:
    spec = _spec(envs)
    assert spec["region"] == "us-east-1"
    assert all("region" not in e for e in spec["environments"].values())
    assert_reported(envs.report, Section.DECIDE, subject="environments: region", text="every environment deploys to us-east-1")


def test_environments_named_only_in_workload_overrides() -> None:
    imported = run_import(Path("e-no-envs"))
    spec = _spec(imported)
    # In the order they first appear (workloads sorted by name, keys by line).
    assert {n: e["profile"] for n, e in spec["environments"].items()} == {
        "prod": "production", "qa": "dev", "stage": "staging"}
    check_spec(imported)
    assert_reported(imported.report, Section.DECIDE, where="copilot/api/manifest.yml:7", subject="environment prod",
                    text="has no manifest in copilot/environments/")
    assert_reported(imported.report, Section.DECIDE, where="copilot/worker/manifest.yml:7",
                    subject="environment stage", text="staging profile")


def test_no_environment_at_all_creates_dev_and_prod() -> None:
    imported = run_import(Path("e-none"))
    spec = _spec(imported)
    assert {n: e["profile"] for n, e in spec["environments"].items()} == dict(DEFAULT_ENVIRONMENTS)
    check_spec(imported)
    assert_reported(imported.report, Section.DECIDE, where="copilot/environments", subject="environments",
                    text="created `dev` (dev), `prod` (production)")


def test_same_workspace_same_bytes(envs: Imported) -> None:
    again = run_import(Path("e-envs"), region="us-east-1")
    assert again.spec == envs.spec
    assert again.report.markdown("r") == envs.report.markdown("r")
