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
    problems = replacement_problems(OLD, new)
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
