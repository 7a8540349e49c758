"""Stack targets for the deploy-layer tests: a stand-in blueprint and the passphrase environment."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from stacks.deploy import StackTarget

PASS_ENV = {"PULUMI_CONFIG_PASSPHRASE": "correct horse"}


def blueprint(**overrides: Any) -> SimpleNamespace:
    """A stand-in for scaffold.spec's Blueprint with the fields deploy reads."""
    fields: dict[str, Any] = {
        "project": "shop", "environment": "dev", "profile": "dev", "region": "eu-west-1",
        "backend": None, "secrets_provider": None,
        "tags": {"project": "shop", "environment": "dev"},
    }
    return SimpleNamespace(**{**fields, **overrides})


def target_for(spec: Path, environ: dict[str, str] | None = None, **overrides: Any) -> StackTarget:
    """The target of ``spec`` for :func:`blueprint` with ``overrides``; the passphrase set by default."""
    return StackTarget.from_blueprint(blueprint(**overrides), spec,
                                      environ=PASS_ENV if environ is None else environ)
