"""Changes that replace a database cluster or cache replication group (``validate --against``)."""

from __future__ import annotations

import pytest

from scaffold.errors import SpecError
from scaffold.spec.loader import CheckedSpec, check_source
from scaffold.spec.replacement import find_replacements, replacement_problems
from scaffold.spec.source import parse_yaml

HEAD = "scaffold: 1\nname: {name}\nregion: us-east-1\nenvironments:\n  dev: {{profile: dev}}\n  prod: {{profile: production}}\n"


def spec(components: str, name: str = "shop", head: str = HEAD, file: str = "new.yaml") -> CheckedSpec:
    return check_source(parse_yaml(head.format(name=name) + "components:\n" + components, file))


OLD = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
           "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n"
           "  jobs: {kind: queue}\n", file="old.yaml")


def changes(new: CheckedSpec, old: CheckedSpec = OLD) -> set[tuple[str, str, str]]:
    return {(r.environment, r.component, r.field) for r in find_replacements(old, new)}


def test_no_change_replaces_nothing() -> None:
    assert changes(OLD) == set()


def test_changes_that_keep_the_resource_are_not_reported() -> None:
    """Instance class, replicas, versions upward, Redis OSS -> Valkey: all in place."""
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders, instance: db.r6g.xlarge,"
               " replicas: 1, version: '17.2'}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.1', node: cache.r7g.xlarge}\n"
               "  jobs: {kind: queue, fifo: true}\n")
    assert changes(new) == set()
    redis = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
                 "  sessions: {kind: cache, engine: redis, version: '7.1'}\n")
    assert changes(new, redis) == set()  # redis -> valkey is an in-place upgrade


@pytest.mark.parametrize(("components", "expected"), [
    ("  orders-db: {kind: database, engine: mysql, version: '8.0.mysql_aurora.3.08.0', database: orders}\n"
     "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", ("orders-db", "engine")),
    ("  orders-db: {kind: database, engine: postgres, database: sales}\n"
     "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", ("orders-db", "database")),
    ("  orders-db: {kind: database, engine: postgres, database: orders}\n"
     "  sessions: {kind: cache, engine: redis, version: '7.1'}\n", ("sessions", "engine")),
    ("  orders-db: {kind: database, engine: postgres, database: orders}\n"
     "  sessions: {kind: cache, engine: valkey, version: '7.2'}\n", ("sessions", "version")),
    ("  orders-db: {kind: database, engine: postgres, database: orders}\n", ("sessions", "component")),
    ("  orders-db: {kind: database, engine: postgres, database: orders}\n"
     "  cache: {kind: cache, engine: valkey, version: '8.0'}\n", ("sessions", "component")),
])
def test_force_new_changes_replace_in_every_environment(components: str, expected: tuple[str, str]) -> None:
    assert changes(spec(components)) == {("dev", *expected), ("prod", *expected)}


def test_renaming_the_project_changes_every_physical_name() -> None:
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", name="store")
    found = {r.component: r for r in find_replacements(OLD, new) if r.environment == "prod"}
    assert set(found) == {"orders-db", "sessions"}
    assert (found["orders-db"].old, found["orders-db"].new) == ("shop-prod-orders-db", "store-prod-orders-db")
    assert found["sessions"].field == "name"


def test_removed_environment_is_reported_but_never_an_error() -> None:
    head = "scaffold: 1\nname: {name}\nregion: us-east-1\nenvironments:\n  dev: {{profile: dev}}\n"
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", head=head)
    assert changes(new) == {("prod", "orders-db", "environment"), ("prod", "sessions", "environment")}
    assert {p.severity for p in replacement_problems(OLD, new)} == {"warning"}


def test_production_is_an_error_at_the_field_and_dev_a_warning() -> None:
    new = spec("  orders-db: {kind: database, engine: mysql, version: '8.0.mysql_aurora.3.08.0',"
               " database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n")
    problems = replacement_problems(OLD, new)
    assert [(p.severity, p.path, p.line) for p in problems] == [
        ("warning", "components.orders-db.engine", 8), ("error", "components.orders-db.engine", 8)]
    error = problems[1]
    assert error.file == "new.yaml"
    assert "'postgres' -> 'mysql' replaces the Aurora cluster of 'orders-db' in environment 'prod'" in error.message
    assert "allow_replacement: true" in error.hint and "keep engine: postgres" in error.hint


def test_allow_replacement_turns_the_error_into_a_warning() -> None:
    new = spec("  orders-db: {kind: database, engine: mysql, version: '8.0.mysql_aurora.3.08.0',"
               " database: orders, allow_replacement: true}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n")
    # The production profile turns deletion protection on: while it is deployed, the replacement
    # cannot happen, allowed or not (see test_replacing_a_deletion_protected_database_...).
    assert [(p.severity, p.line) for p in replacement_problems(OLD, new)] == [("warning", 8), ("error", 8)]
    unprotected = spec("  orders-db: {kind: database, engine: postgres, database: orders, deletion_protection: false}\n"
                       "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", file="old.yaml")
    problems = replacement_problems(unprotected, new)
    assert {p.severity for p in problems} == {"warning"}
    assert all("allow_replacement is true" in p.hint for p in problems)


def test_an_override_is_reported_at_the_override() -> None:
    head = ("scaffold: 1\nname: {name}\nregion: us-east-1\nenvironments:\n  dev: {{profile: dev}}\n"
            "  prod:\n    profile: production\n    components:\n      orders-db: {{database: sales}}\n")
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", head=head)
    [problem] = [p for p in replacement_problems(OLD, new) if p.severity == "error"]
    assert problem.path == "environments.prod.components.orders-db.database"  # the override's own path
    assert problem.line == 9  # environments.prod.components.orders-db.database


def test_check_against_raises_with_every_problem(tmp_path: object) -> None:
    from pathlib import Path

    from scaffold.spec.replacement import check_against

    old = Path(str(tmp_path)) / "old.yaml"
    old.write_text(HEAD.format(name="shop") + "components:\n  db: {kind: database}\n  c: {kind: cache}\n")
    new = spec("  other: {kind: queue}\n")
    with pytest.raises(SpecError) as caught:
        check_against(new, old)
    assert sorted((p.severity, p.message.split(":")[0]) for p in caught.value.problems) == [
        ("error", "component 'c' is removed"), ("error", "component 'db' is removed"),
        ("warning", "component 'c' is removed"), ("warning", "component 'db' is removed")]


def test_renamed_project_hint_keeps_the_project_name() -> None:
    """The hint names the spec field to keep (``name: shop``), not the physical name."""
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n", name="store")
    errors = [p for p in replacement_problems(OLD, new) if p.severity == "error"]
    assert len(errors) == 2
    for problem in errors:
        assert problem.path == "name"
        # Not the physical name ("keep name: shop-prod-orders-db"); the database's hint goes on about
        # its deletion protection (the production default), the cache's about allow_replacement.
        assert problem.hint.startswith(("keep name: shop;", "keep name: shop,")), problem.hint


REGION_HEAD = ("scaffold: 1\nname: {name}\nregion: us-east-1\nenvironments:\n  dev: {{profile: dev}}\n"
               "  prod:\n    profile: production\n    region: eu-central-1\n")


def test_moving_an_environment_to_another_region_replaces_its_stateful_components() -> None:
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0'}\n"
               "  jobs: {kind: queue}\n", head=REGION_HEAD)
    assert changes(new) == {("prod", "orders-db", "region"), ("prod", "sessions", "region")}
    problems = replacement_problems(OLD, new)
    assert {(p.severity, p.path, p.line) for p in problems} == {("error", "environments.prod.region", 8)}
    assert len(problems) == 2
    first = problems[0]
    assert "moves from us-east-1 to eu-central-1" in first.message
    assert "created empty in eu-central-1" in first.message
    assert all(p.hint.startswith("keep region: us-east-1") for p in problems)
    assert "migrate the data and set allow_replacement: true on 'sessions'" in problems[1].hint


def test_region_change_outside_production_or_allowed_is_a_warning() -> None:
    head = ("scaffold: 1\nname: {name}\nregion: eu-west-1\nenvironments:\n  dev: {{profile: dev}}\n"
            "  prod: {{profile: production, region: us-east-1}}\n")
    new = spec("  orders-db: {kind: database, engine: postgres, database: orders, allow_replacement: true}\n"
               "  sessions: {kind: cache, engine: valkey, version: '8.0', allow_replacement: true}\n", head=head)
    problems = replacement_problems(OLD, new)
    assert {(p.path, p.severity) for p in problems} == {("region", "warning")}  # dev moved, prod allowed
    assert changes(new) == {("dev", "orders-db", "region"), ("dev", "sessions", "region")}


def test_replacing_a_deletion_protected_database_is_an_error_even_when_allowed() -> None:
    """The deployed cluster has deletion protection: RDS refuses the delete the replacement starts
    with, so the deploy would fail; deploy the protection off first."""
    old = spec("  orders-db: {kind: database, database: orders, deletion_protection: true}\n", file="old.yaml")
    new = spec("  orders-db: {kind: database, database: sales, allow_replacement: true}\n")
    problems = replacement_problems(old, new)
    assert [(p.severity, p.path) for p in problems] == [
        ("error", "components.orders-db.database"), ("error", "components.orders-db.database")]
    for problem in problems:
        assert "deletion protection" in problem.message
        assert problem.hint == ("keep database: orders; to replace it, first deploy deletion_protection: false on "
                                "'orders-db' with nothing else changed, then make this change")
    # Once deployed without protection, the same change is allowed (a warning).
    unprotected = spec("  orders-db: {kind: database, database: orders, deletion_protection: false}\n",
                       file="old.yaml")
    assert {p.severity for p in replacement_problems(unprotected, new)} == {"warning"}


def test_redis_6x_is_not_a_downgrade_from_6_2() -> None:
    """``6.x`` tracks the latest 6 (the provider sorts it after every 6.N)."""
    old = spec("  sessions: {kind: cache, engine: redis, version: '6.2'}\n", file="old.yaml")
    assert changes(spec("  sessions: {kind: cache, engine: redis, version: '6.x'}\n"), old) == set()
    assert changes(spec("  sessions: {kind: cache, engine: redis, version: '5.0.6'}\n"), old) == {
        ("dev", "sessions", "version"), ("prod", "sessions", "version")}


def test_validate_against_counts_only_errors_and_prints_warnings_as_warnings(tmp_path: object) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from scaffold.cli import app

    folder = Path(str(tmp_path))
    base = HEAD.format(name="shop") + "components:\n"
    (folder / "old.yaml").write_text(base + "  orders-db: {kind: database, database: orders}\n")
    (folder / "new.yaml").write_text(base + "  orders-db: {kind: database, database: sales}\n")
    result = CliRunner().invoke(app, ["validate", "-f", str(folder / "new.yaml"),
                                      "--against", str(folder / "old.yaml")])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len([line for line in lines if ": warning: components.orders-db.database:" in line]) == 1  # dev
    assert len([line for line in lines if ": error: components.orders-db.database:" in line]) == 1  # prod
    assert "error: 1 problem in the spec; nothing was changed" in lines
