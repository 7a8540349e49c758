"""``blueprints.aws``: the pulumi_aws names the blueprints use, each imported from its own module.

A ``pulumi_aws`` upgrade that moves or renames a class must fail here, by name, not as a slower
plan or an ``AttributeError`` in the middle of one. Planning must not load a service package
whole (``pulumi_aws.ec2``'s ``__init__`` imports every EC2 module: 0.4 s of a 2 s plan).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from blueprints import aws

ROOT = Path(__file__).resolve().parents[2]
BLUEPRINTS = ROOT / "blueprints"

#: Every name of the mapping: (package, module, name).
MAPPED = [
    *((f"pulumi_aws.{service}", module, name)
      for service, modules in aws.SERVICES.items() for module, names in modules.items() for name in names),
    *(("pulumi_aws", module, name) for module, names in aws.TOP_LEVEL.items() for name in names),
]


def _run(code: str) -> Any:
    """Run ``code`` in a fresh interpreter at the project root; it prints one JSON document."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# Resolves every name through blueprints.aws first (the narrow path), then checks that the
# service packages are still lazy, then compares with pulumi_aws.<service>.<name> (which loads
# each package whole).
_IDENTITY = """
import json, sys
from blueprints import aws
import pulumi_aws
problems = []
got = {}
for service, modules in aws.SERVICES.items():
    for module, names in modules.items():
        for name in names:
            got[service, module, name] = getattr(getattr(aws, service), name)
for module, names in aws.TOP_LEVEL.items():
    for name in names:
        got[None, module, name] = getattr(aws, name)
whole = [s for s in aws.SERVICES if not aws.is_lazy(sys.modules.get("pulumi_aws." + s))]
if whole:
    problems.append(f"resolving the names loaded these service packages whole: {whole}")
for (service, module, name), value in got.items():
    package = "pulumi_aws" if service is None else "pulumi_aws." + service
    source = getattr(value, "__module__", None)
    if source != f"{package}.{module}":
        problems.append(f"{package}.{name} is defined in {source}, the mapping says {package}.{module}")
    official = getattr(sys.modules[package] if service is None else getattr(pulumi_aws, service), name)
    if official is not value:
        problems.append(f"blueprints.aws gives another object than {package}.{name}")
print(json.dumps(problems))
"""


def test_every_name_is_the_object_pulumi_aws_names_and_comes_from_its_own_module() -> None:
    assert _run(_IDENTITY) == []


def _used_names() -> set[tuple[str | None, str]]:
    """``(service, name)`` for each ``aws.<service>.<name>``, ``(None, name)`` for each ``aws.<name>``
    in the blueprints' source, including through a module-level alias (``_POLICY = aws.appautoscaling``)."""
    found: set[tuple[str | None, str]] = set()
    for path in sorted(BLUEPRINTS.rglob("*.py")):
        if path == BLUEPRINTS / "aws.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        aliases = {
            target.id: node.value.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name) and node.value.value.id == "aws"
            for target in node.targets if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in aliases:
                found.add((aliases[owner.id], node.attr))
            elif isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) and owner.value.id == "aws":
                found.add((owner.attr, node.attr))
            elif isinstance(owner, ast.Name) and owner.id == "aws" and node.attr not in aws.SERVICES:
                found.add((None, node.attr))
    return found


def test_the_mapping_lists_exactly_the_names_the_blueprints_use() -> None:
    used = _used_names()
    assert len(used) > 50  # the scan sees the blueprints
    mapped = {(None if package == "pulumi_aws" else package[11:], name) for package, _, name in MAPPED}
    assert sorted(used - mapped, key=str) == [], "used but missing from blueprints.aws.SERVICES/TOP_LEVEL"
    assert sorted(mapped - used, key=str) == [], "in blueprints.aws but no blueprint uses it"


def test_no_blueprint_imports_pulumi_aws_directly() -> None:
    offenders = [
        str(path.relative_to(ROOT)) for path in sorted(BLUEPRINTS.rglob("*.py"))
        if path != BLUEPRINTS / "aws.py"
        and any(line.strip().startswith(("import pulumi_aws", "from pulumi_aws"))
                for line in path.read_text().splitlines())
    ]
    assert offenders == [], "use `from blueprints import aws`: a service package import loads all of it"


_IMPORT_AND_PLAN = """
import importlib, json, sys
from pathlib import Path
import pulumi_aws
from blueprints import aws
report = {"lazy_at_start": aws.is_lazy(sys.modules["pulumi_aws.ec2"])}
for kind in ("network", "database", "cache", "queue", "notifications", "api", "worker", "job", "bucket"):
    importlib.import_module(f"blueprints.{kind}.component")
importlib.import_module("blueprints.api.waf")
def whole():
    return sorted(s for s in aws.SERVICES if not aws.is_lazy(sys.modules.get("pulumi_aws." + s)))
report["whole_after_import"] = whole()
from scaffold.spec import load_blueprint
from stacks.plan import plan
result = plan(load_blueprint(Path("examples/shop.yaml"), "prod"))
report["resources"] = len(result.aws_resources)
report["whole_after_plan"] = whole()
report["ec2_modules"] = sorted(m for m in sys.modules if m.startswith("pulumi_aws.ec2."))
print(json.dumps(report))
"""


def test_importing_the_components_and_planning_loads_no_service_package_whole() -> None:
    report = _run(_IMPORT_AND_PLAN)
    assert report["lazy_at_start"], (
        "pulumi_aws no longer registers its service packages as Pulumi lazy modules "
        "(pulumi._utils._LazyModule): blueprints.aws.narrow_import cannot skip their __init__ "
        "and falls back to whole imports; see the module docstring of blueprints/aws.py"
    )
    assert report["whole_after_import"] == []
    assert report["resources"] > 50  # the prod plan of the example ran
    assert report["whole_after_plan"] == []
    # What EC2 costs now: the modules of the classes used, and what they import.
    assert "pulumi_aws.ec2.instance" not in report["ec2_modules"]
    assert "pulumi_aws.ec2.security_group" in report["ec2_modules"]
    assert len(report["ec2_modules"]) < 20


def test_star_import_and_dir_list_the_names() -> None:
    namespace: dict[str, Any] = {}
    exec("from blueprints.aws import *", namespace)
    assert {"rds", "ec2", "wafv2", "get_region_output", "GetAvailabilityZonesFilterArgs"} <= set(namespace)
    assert set(aws.__all__) <= set(namespace)
    assert namespace["rds"].Cluster is pulumi_aws.rds.Cluster
    assert namespace["get_region_output"] is pulumi_aws.get_region_output
    assert set(aws.__all__) <= set(dir(aws))
    assert "Cluster" in dir(aws.rds) and "ServiceNetworkConfigurationArgs" in dir(aws.ecs)
    assert dir(aws.rds) == aws.rds.__all__


def test_an_unmapped_name_says_where_to_add_it() -> None:
    with pytest.raises(AttributeError, match=r"blueprints\.aws\.SERVICES.*pulumi_aws\.rds"):
        _ = aws.rds.Instance
    assert not hasattr(aws.rds, "Instance")
    with pytest.raises(AttributeError, match="TOP_LEVEL"):
        _ = aws.get_arn_output
    with pytest.raises(AttributeError):
        _ = aws.ec3


def test_a_patch_of_the_pulumi_aws_name_applies_to_the_blueprints(monkeypatch: pytest.MonkeyPatch) -> None:
    sentinel = object()
    monkeypatch.setattr(pulumi_aws.ecs, "Service", sentinel)
    assert aws.ecs.Service is sentinel
    monkeypatch.undo()
    assert aws.ecs.Service is pulumi_aws.ecs.Service
