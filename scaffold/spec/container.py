"""The fields every kind that runs a Fargate task shares (``api``, ``worker``, ``job``).

Each function returns the pydantic ``Field`` of one optional spec field, with its
bounds and description, so that the kinds declare them once and the JSON Schema
and field reference say the same thing everywhere, e.g.
``cpu: int | None = container.cpu()``. The component checks the values
(:func:`blueprints.api.settings.container_problems`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from blueprints.api.settings import FARGATE_MEMORY, LOG_RETENTION_DAYS
from scaffold.spec.units import DAY


def image() -> Any:
    """``image``: required, a container image reference."""
    return Field(min_length=1, description="Container image, e.g. `ghcr.io/acme/shop-api:1.4.2`.")


def command() -> Any:
    """``command``: a non-empty list of strings; left out, the image's ``CMD`` runs."""
    return Field(None, min_length=1, description="The container's command, replacing the image's `CMD`, "
                 'e.g. `["python", "-m", "mailer"]`. Left out, the image\'s `CMD` runs.')


def cpu() -> Any:
    """``cpu``: Fargate CPU units."""
    return Field(None, ge=min(FARGATE_MEMORY), le=max(FARGATE_MEMORY),
                 description="Fargate CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.")


def memory() -> Any:
    """``memory``: MiB."""
    return Field(None, ge=512, le=max(high for _, high, _ in FARGATE_MEMORY.values()),
                 description="Memory in MiB, a size Fargate accepts for `cpu`.")


def environment() -> Any:
    """``environment``: plain variables."""
    return Field(None, description="Plain environment variables. Never put secrets here.")


def secrets() -> Any:
    """``secrets``: variable name -> Secrets Manager or SSM parameter ARN."""
    return Field(None, description="Environment variables read from Secrets Manager or SSM: name -> ARN.")


def uses(what: str = "service") -> Any:
    """``uses``: component names."""
    return Field(None, description=f"Components this {what} uses: network access, IAM and settings are linked in.")


def log_retention() -> Any:
    """``log_retention``: a duration of whole days CloudWatch Logs accepts."""
    return Field(None, le=max(LOG_RETENTION_DAYS) * DAY,
                 description="How long container logs are kept: whole days CloudWatch "
                 "Logs accepts (1d, 3d, 5d, 7d, 14d, 30d … 3653d).")
