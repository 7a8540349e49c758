"""Validation patterns match the whole value, in ASCII, in every pulumi-free settings module.

``re.match`` with ``$`` accepts a final newline and ``\\d``/``\\w`` accept any script's digits
and letters; each case below passed before the patterns were made full-match and ASCII.
"""

from __future__ import annotations

import pytest

from blueprints.cache.settings import version_problems as cache_version_problems
from blueprints.database.settings import version_problems as database_version_problems
from blueprints.naming import name_problems
from blueprints.notifications.settings import Subscriber, subscriber_problems
from scaffold.spec.rules import ECR_IMAGE


@pytest.mark.parametrize(("protocol", "endpoint"), [
    ("email", "ops@example.com\n"), ("sms", "+15555550100\n"), ("sms", "+1555555\u0660\u0661\u0660\u0660"),
    ("https", "https://hooks.example.com/x\n"), ("email", "ops@exämple.com"),
])
def test_subscriber_endpoints_match_whole_and_ascii(protocol: str, endpoint: str) -> None:
    s = object.__new__(Subscriber)
    object.__setattr__(s, "protocol", protocol)
    object.__setattr__(s, "endpoint", endpoint)
    assert [p.field for p in subscriber_problems(s)] == ["endpoint"]


@pytest.mark.parametrize(("engine", "version"), [("postgres", "16.4\n"), ("postgres", "16.\u0664"),
                                                 ("mysql", "8.0.mysql_aurora.3.08.0\n")])
def test_database_versions_match_whole_and_ascii(engine: str, version: str) -> None:
    assert list(database_version_problems(engine, version))


@pytest.mark.parametrize(("engine", "version"), [("redis", "7.1\n"), ("valkey", "8.\u0660")])
def test_cache_versions_match_whole_and_ascii(engine: str, version: str) -> None:
    assert list(cache_version_problems(engine, version))


@pytest.mark.parametrize("rule", ["iam_role", "secret"])
def test_physical_names_refuse_non_ascii_letters(rule: str) -> None:
    assert name_problems(rule, "shop-prod-äpi") == ["must not contain 'ä'"]


def test_ecr_image_needs_an_ascii_account() -> None:
    assert ECR_IMAGE.match("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1")
    assert not ECR_IMAGE.match("12345678901\u0662.dkr.ecr.us-east-1.amazonaws.com/shop:1")
    assert not ECR_IMAGE.match("123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1\n")
