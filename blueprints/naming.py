"""AWS physical names and environment-variable prefixes, without ``pulumi``.

Components name their AWS resources ``<project>-<environment>-<component>[-<suffix>]``
through :func:`aws_name`. ``scaffold validate`` imports this module (it must
stay free of ``pulumi``) to predict the same names and find collisions before
anything is planned.
"""

from __future__ import annotations

import hashlib
import re

_NOT_NAME = re.compile(r"[^a-z0-9-]+")


def aws_name(*parts: str, max_len: int = 63) -> str:
    """Join ``parts`` into a lowercase, hyphenated AWS resource name of at most ``max_len`` characters.

    A name that is too long is cut and ends with a 6-character hash of the full
    name, so two long names that share a prefix stay distinct. The result never
    starts or ends with a hyphen and never holds two in a row.

    >>> aws_name("shop", "prod", "orders-db")
    'shop-prod-orders-db'
    >>> len(aws_name("a" * 40, "production", "component" * 5, max_len=32))
    32
    """
    full = "-".join(p for p in (_NOT_NAME.sub("-", s.lower()).strip("-") for s in parts) if p)
    full = re.sub(r"-{2,}", "-", full)
    if len(full) <= max_len:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    head = full[: max_len - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"


def env_prefix(component: str) -> str:
    """The environment-variable prefix for a component: ``orders-db`` -> ``ORDERS_DB``."""
    return re.sub(r"[^A-Z0-9]+", "_", component.upper()).strip("_")
