"""Rules across components and environments: one Route 53 name per API, alarms kept out of work queues."""

from __future__ import annotations

import pytest

from scaffold.errors import SpecError
from scaffold.spec.loader import check_source
from scaffold.spec.source import parse_yaml

BASE = """
scaffold: 1
name: shop
region: us-east-1
environments:
  staging: {profile: staging, components: {api: {domain: api.staging.example.com}}}
  prod: {profile: production, region: eu-west-1, components: {api: {domain: api.example.com}}}
components:
  api: {kind: api, image: ghcr.io/acme/api:1}
"""


def test_each_environment_with_its_own_domain_is_valid() -> None:
    checked = check_source(parse_yaml(BASE, "scaffold.yaml"))
    assert {bp.components["api"].domain for bp in checked.blueprints.values()} == {
        "api.staging.example.com", "api.example.com"}


def test_one_domain_in_two_environments_is_refused_at_the_second_override() -> None:
    text = BASE.replace("api.staging.example.com", "api.example.com")
    with pytest.raises(SpecError) as caught:
        check_source(parse_yaml(text, "scaffold.yaml"))
    (problem,) = caught.value.problems
    assert problem.line == 7  # the prod override, which repeats staging's name
    assert problem.path == "environments.prod.components.api.domain"
    assert "also the domain of API 'api' in environment 'staging'" in problem.message


def test_one_domain_is_fine_when_the_certificate_is_your_own_and_scaffold_writes_no_records() -> None:
    cert = "arn:aws:acm:{r}:123456789012:certificate/0b8b7bb5-3a6c-4b8f-9c5e-2f0c6f1e9a11"
    text = BASE.replace(
        "{domain: api.staging.example.com}", '{domain: api.example.com, certificate: "' + cert.format(r="us-east-1") + '"}')
    text = text.replace("{domain: api.example.com}}}\ncomponents",
                        '{domain: api.example.com, certificate: "' + cert.format(r="eu-west-1") + '"}}}\ncomponents')
    checked = check_source(parse_yaml(text, "scaffold.yaml"))
    assert len(checked.blueprints) == 2


def test_govcloud_has_its_own_route53() -> None:
    text = BASE.replace("api.staging.example.com", "api.example.com").replace(
        "region: eu-west-1", "region: us-gov-west-1")
    text = text.replace("image: ghcr.io/acme/api:1", "image: ghcr.io/acme/api:1")
    assert check_source(parse_yaml(text, "scaffold.yaml")).blueprints


ALARMS_INTO_WORK_QUEUE = """
scaffold: 1
name: shop
region: us-east-1
alarms: {notify: alerts}
environments:
  prod: {profile: production}
components:
  jobs: {kind: queue}
  alerts:
    kind: notifications
    subscribers: [{email: oncall@example.com}, {queue: jobs}]
  api: {kind: api, image: ghcr.io/acme/api:1, domain: api.example.com, uses: [jobs]}
"""


def test_alarms_delivered_into_a_queue_an_api_uses_are_a_warning() -> None:
    checked = check_source(parse_yaml(ALARMS_INTO_WORK_QUEUE, "scaffold.yaml"))
    (warning,) = checked.warnings
    assert warning.severity == "warning"
    assert (warning.line, warning.path) == (12, "components.alerts.subscribers[1].queue")
    assert "API 'api' uses that queue" in warning.message


def test_no_warning_when_alarms_are_off_or_the_queue_is_nobody_s_work() -> None:
    off = ALARMS_INTO_WORK_QUEUE.replace("prod: {profile: production}",
                                         "prod: {profile: production, alarms: {enabled: false}}")
    assert check_source(parse_yaml(off, "scaffold.yaml")).warnings == []
    unused = ALARMS_INTO_WORK_QUEUE.replace(", uses: [jobs]", "")
    assert check_source(parse_yaml(unused, "scaffold.yaml")).warnings == []


@pytest.mark.parametrize("path", ["/healthz", "/", "/a b", "healthz", "/x\ty"])
def test_validate_and_the_api_component_agree_on_health_check_paths(path: str) -> None:
    from blueprints.api.settings import ApiSettings
    from scaffold.spec.models import ApiSpec

    try:
        ApiSettings(image="nginx:1.27", health_check=path)
        component_accepts = True
    except ValueError:
        component_accepts = False
    try:
        ApiSpec.model_validate({"kind": "api", "image": "nginx:1.27", "health_check": path})
        spec_accepts = True
    except ValueError:
        spec_accepts = False
    assert component_accepts == spec_accepts == (path in ("/healthz", "/"))


@pytest.mark.parametrize(("azs", "replicas", "fits"), [(2, 1, True), (2, 2, False), (3, 2, True), (6, 5, True)])
def test_validate_and_placement_agree_on_replicas_per_az(azs: int, replicas: int, fits: bool) -> None:
    from blueprints.placement import check_spread

    zones = [f"us-east-1{c}" for c in "abcdef"[:azs]]
    try:
        check_spread(zones, replicas + 1, component="db", replicas_field="replicas")
        placed = True
    except ValueError:
        placed = False
    text = (f"scaffold: 1\nname: shop\nregion: us-east-1\nnetwork: {{azs: {azs}}}\n"
            f"environments: {{dev: {{profile: dev}}}}\ncomponents: {{db: {{kind: database, replicas: {replicas}}}}}\n")
    try:
        check_source(parse_yaml(text, "scaffold.yaml"))
        valid = True
    except SpecError:
        valid = False
    assert placed == valid == fits
