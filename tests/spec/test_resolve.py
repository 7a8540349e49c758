"""Resolution: profile defaults, spec values and environment overrides, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from scaffold.errors import UsageError
from scaffold.spec import check_file, load_blueprint
from scaffold.spec.resolve import deep_merge
from scaffold.spec.units import format_duration, parse_duration

EXAMPLE = Path(__file__).parents[2] / "examples" / "shop.yaml"


@pytest.fixture(scope="module")
def blueprints():
    return check_file(EXAMPLE).blueprints


def test_production_has_failover_and_autoscaling(blueprints) -> None:
    prod = blueprints["prod"]
    assert prod.profile == "production"
    assert (prod.network.azs, prod.network.nat, prod.network.flow_logs) == (3, "per_az", True)
    db = prod.components["orders-db"]
    assert db.replicas == 1 and db.deletion_protection and db.final_snapshot
    assert db.backup_retention == 14 * 86400
    cache = prod.components["sessions"]
    assert cache.replicas == 1
    api = prod.components["api"]
    assert api.access_logs and api.deletion_protection and api.log_retention == 30 * 86400
    assert prod.alarms.enabled


def test_dev_is_the_cheapest_correct_shape(blueprints) -> None:
    dev = blueprints["dev"]
    assert (dev.network.azs, dev.network.nat, dev.network.flow_logs) == (2, "single", False)
    db = dev.components["orders-db"]
    assert db.replicas == 0 and not db.deletion_protection and not db.final_snapshot
    assert dev.components["sessions"].replicas == 0
    api = dev.components["api"]
    assert not api.access_logs and api.log_retention == 7 * 86400
    assert not dev.alarms.enabled


def test_spec_values_win_over_the_profile(blueprints) -> None:
    # backup_retention: 14d is in the spec; the dev profile alone would give 1d.
    assert blueprints["dev"].components["orders-db"].backup_retention == 14 * 86400
    # scaling min 2 / max 20 come from the spec, not from the dev profile's 1..2.
    assert blueprints["dev"].components["api"].scaling.max == 20


def test_environment_overrides_win_over_the_spec(blueprints) -> None:
    prod = blueprints["prod"]
    assert prod.components["api"].scaling.max == 40  # environments.prod.components.api.scaling.max
    assert prod.components["api"].scaling.min == 2   # deep-merged: min kept from the spec
    assert prod.region == "eu-west-1" and blueprints["dev"].region == "us-east-1"


def test_every_field_is_explicit(blueprints) -> None:
    def walk(value, path=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from walk(v, f"{path}.{k}")
        else:
            yield path, value
    data = blueprints["prod"].model_dump(mode="json")
    # api.zone: None means "derived from domain"; api.certificate: None means "scaffold requests one";
    # api.command: None means "the image's CMD".
    allowed_null = {".backend", ".secrets_provider", ".components.orders-db.serverless",
                    ".components.api.zone", ".components.api.certificate", ".components.api.command"}
    nulls = [p for p, v in walk(data) if v is None and p not in allowed_null]
    assert nulls == []


def test_tags_name_project_and_environment(blueprints) -> None:
    assert blueprints["prod"].tags == {"scaffold:project": "shop", "scaffold:environment": "prod"}


def test_serverless_drops_the_profile_instance(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments: {dev: {profile: dev}}\n"
                    "components:\n  db: {kind: database, serverless: {min: 0.5, max: 4}}\n")
    db = load_blueprint(spec).components["db"]
    assert db.instance is None and db.serverless.max == 4


def test_engine_version_follows_the_engine(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments: {dev: {profile: dev}}\n"
                    "components:\n  db: {kind: database, engine: mysql}\n  c: {kind: cache, engine: valkey}\n")
    bp = load_blueprint(spec)
    assert bp.components["db"].version.startswith("8.0.mysql_aurora")
    assert bp.components["c"].version == "8.0"


def test_environment_must_be_chosen_when_there_are_several() -> None:
    with pytest.raises(UsageError, match="2 environments"):
        load_blueprint(EXAMPLE, None)
    with pytest.raises(UsageError) as info:
        load_blueprint(EXAMPLE, "prd")
    assert "did you mean 'prod'" in info.value.hint


def test_deep_merge_replaces_lists_and_merges_mappings() -> None:
    merged = deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("4h", 14400), ("4d", 345600),
                                                ("2w", 1209600), (45, 45)])
def test_durations(text, seconds) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["4 days", "1.5h", "-3s", "10y", ""])
def test_bad_durations(text) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_format_duration_round_trips() -> None:
    for seconds in (30, 900, 14400, 345600, 1209600):
        assert parse_duration(format_duration(seconds)) == seconds
