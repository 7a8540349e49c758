"""Placing the nodes of a replicated data store in distinct availability zones.

The database and the cache both put node ``i`` (``0`` is the writer or
primary) in availability zone ``i % len(zones)`` of their network, and both
refuse more nodes than the network has zones, so that no two copies of the data
share a zone. :func:`spread_over_zones` does both.

When the network's AZ names are known in Python (a plain list or tuple of
``str``), a bad count raises :class:`ValueError` while the program is built;
when they are an ``Output`` (a network created in the same program), the same
check runs inside ``apply`` and fails the deployment with the same message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pulumi

from blueprints.constraints import zone_spread_problem


def known_zones(zones: pulumi.Input[Sequence[str]]) -> list[str] | None:
    """The AZ names when they are a plain sequence of ``str``; ``None`` when not known yet."""
    if isinstance(zones, str | bytes):
        raise TypeError(f"availability_zones must be a sequence of AZ names, not {zones!r}")
    if isinstance(zones, Sequence) and all(isinstance(z, str) for z in zones):
        return list(zones)
    return None


def check_spread(zones: Sequence[str], nodes: int, *, component: str, replicas_field: str) -> None:
    """Raise :class:`ValueError` unless ``nodes`` fit in distinct ``zones``.

    Args:
        zones: The network's AZ names.
        nodes: How many nodes (primary plus replicas) are to be placed.
        component: The component's name, for the message.
        replicas_field: The setting the user changes, for the message (e.g. ``"replicas"``).
    """
    problem = zone_spread_problem(nodes, len(zones), replicas_field=replicas_field)
    if problem is None:
        return
    if zones:
        problem += (f" ({', '.join(zones)}); use at most {len(zones) - 1} {replicas_field} "
                    "or a network with more zones")
    raise ValueError(f"{component}: {problem}")


def spread_over_zones(
    zones: pulumi.Input[Sequence[str]],
    nodes: int,
    *,
    component: str,
    replicas_field: str = "replicas",
) -> list[pulumi.Input[str]]:
    """The AZ of each of ``nodes`` nodes: node ``i`` goes to ``zones[i % len(zones)]``.

    Raises:
        ValueError: ``nodes`` exceeds the number of known zones (at build time
            for plain sequences; inside ``apply``, at deployment, for Outputs).
    """
    plain = known_zones(zones)
    if plain is not None:
        check_spread(plain, nodes, component=component, replicas_field=replicas_field)
        return [plain[i % len(plain)] for i in range(nodes)]

    def pick(i: int) -> Callable[[Sequence[str]], str]:
        def choose(names: Sequence[str]) -> str:
            check_spread(list(names), nodes, component=component, replicas_field=replicas_field)
            return names[i % len(names)]

        return choose

    resolved = pulumi.Output.from_input(zones)
    return [resolved.apply(pick(i)) for i in range(nodes)]
