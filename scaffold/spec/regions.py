"""The AWS regions a spec may name: data, so that ``validate`` never imports pulumi.

Generated from the ``Region`` enum that ``pulumi_aws`` ships (``pulumi_aws/_enums.py``),
in its order; ``tests/spec/test_regions.py`` fails when the installed ``pulumi_aws`` lists
other regions. To refresh it after upgrading pulumi-aws::

    .venv/bin/python -m scaffold.spec.regions > scaffold/spec/regions.py.new
"""

from __future__ import annotations

#: Every region of the installed pulumi-aws's ``Region`` enum, e.g. ``us-east-1``.
REGIONS: tuple[str, ...] = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
)


def _render() -> str:  # pragma: no cover - a maintenance tool
    from pathlib import Path

    from pulumi_aws._enums import Region  # only here: never at validate time

    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    start = lines.index("REGIONS: tuple[str, ...] = (") + 1
    end = lines.index(")", start)
    return "\n".join([*lines[:start], *(f'    "{r.value}",' for r in Region), *lines[end:]]) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(_render(), end="")
