"""Profiles: data in one place, failover in production, and the docs table generated from them."""

from __future__ import annotations

from pathlib import Path

from scaffold.spec.profiles import PROFILES, profile_table

DOCS = Path(__file__).parents[2] / "docs" / "spec.md"


def test_production_turns_on_what_makes_failover_real() -> None:
    p = PROFILES["production"]
    assert p["network"] == {"azs": 3, "nat": "per_az", "cidr": "10.0.0.0/16", "flow_logs": True}
    assert p["database"]["replicas"] == 1 and p["cache"]["replicas"] == 1
    assert p["api"]["scaling"]["min"] == 2 and p["api"]["scaling"]["max"] == 10
    assert p["api"]["scaling"]["cpu"] == 60
    assert p["database"]["deletion_protection"] and p["database"]["final_snapshot"]
    assert p["database"]["backup_retention"] == 14 * 86400
    assert p["api"]["access_logs"] and p["alarms"]["enabled"]
    assert p["api"]["log_retention"] == 30 * 86400


def test_dev_has_no_failover() -> None:
    d = PROFILES["dev"]
    assert (d["network"]["azs"], d["network"]["nat"]) == (2, "single")
    assert d["database"]["replicas"] == 0 and d["cache"]["replicas"] == 0
    assert (d["api"]["scaling"]["min"], d["api"]["scaling"]["max"]) == (1, 2)
    assert d["database"]["backup_retention"] == 86400
    assert not d["database"]["deletion_protection"]
    assert d["api"]["log_retention"] == 7 * 86400


def test_every_profile_defines_the_same_fields() -> None:
    shapes = {name: {s: sorted(f) for s, f in p.items()} for name, p in PROFILES.items()}
    assert shapes["dev"] == shapes["staging"] == shapes["production"]


def test_docs_table_is_generated_from_the_profiles() -> None:
    assert profile_table() in DOCS.read_text(), "docs/spec.md is stale: run `python -m scaffold.docs`"


def test_docs_generated_sections_are_current() -> None:
    from scaffold.docs import GENERATED_PAGES, render

    for page in GENERATED_PAGES:
        text = page.read_text()
        assert render(text) == text, f"{page.name} is stale: run `python -m scaffold.docs`"
        assert "<!-- generated:" in text


def test_each_component_section_shows_its_profile_defaults() -> None:
    text = (DOCS.parent / "blueprints.md").read_text()
    for kind in ("network", "database", "cache", "queue", "notifications", "api"):
        assert profile_table(kind) in text
