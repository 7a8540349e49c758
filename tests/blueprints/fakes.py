"""Stand-ins that component tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blueprints.base import NetworkAttachment


def fake_network(zones: int | Callable[[], Any] = 3) -> NetworkAttachment:
    """A network in us-east-1 with ``zones`` plain AZ names and a public and a private subnet per AZ.

    ``zones`` may instead build the AZ names as an Output inside the program (as a Network
    component gives them); the network then has three subnet pairs.
    """
    azs = [f"us-east-1{c}" for c in "abcdef"[:zones]] if isinstance(zones, int) else zones()
    count = zones if isinstance(zones, int) else 3
    return NetworkAttachment(
        vpc_id="vpc-0123", vpc_cidr="10.20.0.0/16", availability_zones=azs,
        public_subnet_ids=[f"subnet-pub{i}" for i in range(count)],
        private_subnet_ids=[f"subnet-priv{i}" for i in range(count)],
    )
