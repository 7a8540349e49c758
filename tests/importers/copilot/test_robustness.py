"""Hand-written, messy workspaces: the importer reports what it cannot read and never raises.

Each ``workspaces/t-*`` case is one robustness row of issue 12: unknown keys, YAML anchors and
merge keys, ``${COPILOT_ENVIRONMENT_NAME}``, manifests that are not a mapping / empty / not YAML,
no ``.workspace``, no environments, names scaffold refuses, wrong types everywhere. For each: the
import returns, the spec validates (``scaffold validate``'s code), the components expected are
there, and the report names what it could not use, at its file and line. A property test then
feeds random manifest-shaped YAML to the importer.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.importers.copilot import Imported
from scaffold.importers.copilot.report import Entry, Report, Section
from scaffold.spec.models import COMPONENT_NAME_MAX, NAME_PATTERN
from tests.importers.copilot.conftest import (
    WORKSPACES,
    check_spec,
    describe,
    entries,
    run_import,
    write_workspace,
)


def mention(report: Report, where: str, word: str) -> Entry:
    """The entry at ``where`` (``file:line``, or a file) whose subject or text names ``word``."""
    for e in entries(report, where=where):
        if word.lower() in f"{e.subject} {e.text}".lower():
            return e
    raise AssertionError(f"nothing at {where} mentions {word!r}; the report:\n{describe(report)}")


def spec_of(imported: Imported) -> dict[str, Any]:
    data = yaml.safe_load(imported.spec)
    assert isinstance(data, dict)
    return data


# -- unknown keys ---------------------------------------------------------------------------------
def test_unknown_keys_are_reported_at_their_line_and_the_rest_is_imported() -> None:
    imported = run_import(WORKSPACES / "t-unknown-keys")
    check_spec(imported)
    assert "api" in spec_of(imported)["components"]
    manifest = "copilot/api/manifest.yml"
    mention(imported.report, f"{manifest}:6", "shiny")  # image.shiny
    mention(imported.report, f"{manifest}:10", "colour")
    mention(imported.report, f"{manifest}:11", "flux_capacitor")
    mention(imported.report, "copilot/environments/test/manifest.yml:3", "favourite_colour")
    for where in (f"{manifest}:6", f"{manifest}:10", f"{manifest}:11"):
        assert all(e.section is not Section.IMPORTED for e in entries(imported.report, where=where)), where


# -- anchors and merge keys -----------------------------------------------------------------------
def test_anchors_aliases_and_merge_keys_are_followed() -> None:
    imported = run_import(WORKSPACES / "t-anchors")
    checked = check_spec(imported)
    assert checked.blueprints["test"].components["api"].environment == {"LOG_LEVEL": "debug",
                                                                        "REGION_NAME": "london"}
    assert checked.blueprints["prod"].components["api"].environment == {"LOG_LEVEL": "info",
                                                                        "REGION_NAME": "london"}
    assert "<<" not in imported.spec and "&common" not in imported.spec and "*common" not in imported.spec


# -- ${COPILOT_ENVIRONMENT_NAME} and ${COPILOT_APPLICATION_NAME} ----------------------------------
def test_the_environment_name_variable_becomes_each_environments_value() -> None:
    imported = run_import(WORKSPACES / "t-env-name")
    checked = check_spec(imported)
    for env in ("test", "prod"):
        assert checked.blueprints[env].components["api"].environment == {
            "STAGE": env, "BUCKET_PREFIX": f"shop-{env}-assets", "APP": "shop"}, env
    assert "COPILOT_ENVIRONMENT_NAME" not in imported.spec and "COPILOT_APPLICATION_NAME" not in imported.spec
    assert not imported.variables  # nothing left for the user to set
    mention(imported.report, "copilot/api/manifest.yml", "COPILOT_ENVIRONMENT_NAME")


# -- manifests that cannot be used ----------------------------------------------------------------
def test_a_manifest_that_is_not_a_mapping_empty_or_not_yaml_is_reported_and_the_others_imported() -> None:
    imported = run_import(WORKSPACES / "t-bad-manifests")
    check_spec(imported)
    assert imported.workloads == 1
    assert list(spec_of(imported)["components"]) == ["good"]
    report = imported.report
    broken = entries(report, Section.LEFT_OUT, where="copilot/broken/manifest.yml")
    assert broken and broken[0].origin.line in (4, 5), describe(report)  # the error's line
    assert "not valid YAML" in broken[0].text
    for name in ("listy", "empty", "scalar"):
        found = entries(report, Section.LEFT_OUT, where=f"copilot/{name}/manifest.yml")
        assert found, f"copilot/{name}/manifest.yml is not reported as left out:\n{describe(report)}"
    assert re.search(r"empty|nothing", " ".join(e.text for e in
                                                entries(report, where="copilot/empty/manifest.yml")), re.I), \
        describe(report)


def test_an_unreadable_file_is_reported_and_the_others_imported(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "repo", {
        "copilot/.workspace": "application: shop\n",
        "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
        "copilot/api/manifest.yml": "name: api\ntype: Backend Service\nimage:\n  location: nginx:1.27\n"
                                    "  port: 80\n",
        "copilot/latin1/manifest.yml": "",
    })
    (root / "copilot/latin1/manifest.yml").write_bytes(b"name: caf\xe9\ntype: Backend Service\n")
    imported = run_import(root)
    check_spec(imported)
    assert imported.workloads == 1
    assert "not UTF-8" in entries(imported.report, Section.LEFT_OUT, where="copilot/latin1/manifest.yml")[0].text


# -- no .workspace, no environments ---------------------------------------------------------------
def test_a_workspace_without_its_workspace_file_is_named_after_its_folder() -> None:
    imported = run_import(WORKSPACES / "t-no-workspace-file")
    check_spec(imported)
    assert spec_of(imported)["name"] == "t-no-workspace-file"
    assert entries(imported.report, Section.DECIDE, where="copilot/.workspace", text="named after the folder")


def test_a_workspace_without_environments_gets_reported_default_environments() -> None:
    imported = run_import(WORKSPACES / "t-no-envs")
    checked = check_spec(imported)
    assert checked.blueprints, "no environment"
    assert "api" in spec_of(imported)["components"]
    for env in checked.blueprints:
        assert [e for e in imported.report.entries if env in f"{e.subject} {e.text}"], (
            f"environment {env} was created without a word in the report:\n{describe(imported.report)}")


# -- names scaffold refuses -----------------------------------------------------------------------
LONG = "payments-reconciliation-service-for-euro"


def test_names_scaffold_refuses_are_renamed_and_reported() -> None:
    imported = run_import(WORKSPACES / "t-names")
    checked = check_spec(imported)
    spec = spec_of(imported)
    assert spec["name"] == "my-shop"
    names = list(spec["components"])
    assert len(names) == 5 and len(set(names)) == 5, names
    assert all(re.fullmatch(NAME_PATTERN, n) and len(n) <= COMPONENT_NAME_MAX for n in names), names
    assert "network" not in names
    kept = re.search(r"# from copilot/my-service/manifest.yml .*\n  ([a-z0-9-]+):", imported.spec)
    assert kept and kept.group(1) == "my-service", (
        "the Copilot name `my-service`, which scaffold accepts, must be kept; `My_Service` must be the one "
        f"renamed (claim the valid names before renaming the others): got {kept and kept.group(1)}")
    renamed = {"My_Service": None, "9lives": None, LONG: None, "network": None}
    for wanted in renamed:
        decided = [e for e in entries(imported.report, Section.DECIDE, where=f"copilot/{wanted}/manifest.yml")
                   if f"`{wanted}`" in e.text and "renamed" in e.text]
        assert len(decided) == 1, f"{wanted} is not reported as renamed once:\n{describe(imported.report)}"
        renamed[wanted] = re.search(r"to `([^`]+)`", decided[0].text).group(1)  # type: ignore[union-attr]
    assert set(renamed.values()) | {"my-service"} == set(names)
    assert not entries(imported.report, Section.DECIDE, where="copilot/my-service/manifest.yml", text="renamed")
    # every override follows its component's new name
    assert set(spec["environments"]["test"].get("components", {})) == set(names)
    assert all(checked.blueprints["test"].components[n].scaling.min == 2 for n in names)


def test_a_name_with_a_newline_or_control_characters_cannot_add_yaml_to_the_spec(tmp_path: Path) -> None:
    evil = "api\nname: evil\n  evil:\n    kind: queue\x1b[2J"
    root = write_workspace(tmp_path / "repo", {
        "copilot/.workspace": 'application: "shop\\nregion: us-east-1"\n',
        "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
        f"copilot/{evil}/manifest.yml": "type: Backend Service\nimage:\n  location: nginx:1.27\n  port: 80\n",
    })
    imported = run_import(root)
    checked = check_spec(imported)
    assert list(checked.spec.components) != [] and "evil" not in checked.spec.components
    assert checked.spec.name != "evil" and checked.spec.region == "eu-west-2"
    assert "\x1b" not in imported.spec
    for line in imported.spec.splitlines():  # every line is YAML the dumper wrote, or a comment
        assert not line.lstrip().startswith(("name: evil", "evil:", "kind: queue", "region: us-east-1")), line


# -- wrong types everywhere -----------------------------------------------------------------------
WRONG = "copilot/api/manifest.yml"


@pytest.mark.parametrize(("where", "key"), [
    (f"{WRONG}:5", "port"), (f"{WRONG}:6", "cpu"), (f"{WRONG}:7", "memory"), (f"{WRONG}:8", "count"),
    (f"{WRONG}:9", "variables"), (f"{WRONG}:12", "secrets"), (f"{WRONG}:13", "http"),
    (f"{WRONG}:15", "environments"),
    ("copilot/cron/manifest.yml:5", "on"), ("copilot/jobs/manifest.yml:7", "retries"),
    ("copilot/jobs/manifest.yml:8", "timeout"),
    ("copilot/worker/manifest.yml:3", "image"), ("copilot/worker/manifest.yml:4", "subscribe"),
    ("copilot/typeless/manifest.yml:2", "type"),
    ("copilot/environmentsy/manifest.yml:7", "test"), ("copilot/environmentsy/manifest.yml:8", "prod"),
    ("copilot/environments/test/manifest.yml:3", "network"), ("copilot/environments/test/manifest.yml:4", "http"),
    ("copilot/environments/test/manifest.yml:6", "observability"),
    ("copilot/environments/prod/manifest.yml:5", "cidr"),
], ids=lambda v: str(v).replace("copilot/", ""))
def test_a_wrong_type_is_reported_at_its_line(where: str, key: str) -> None:
    imported = run_import(WORKSPACES / "t-wrong-types")
    entry = mention(imported.report, where, key)
    assert entry.section is not Section.IMPORTED, entry


def test_wrong_types_everywhere_never_raise_and_the_spec_validates() -> None:
    imported = run_import(WORKSPACES / "t-wrong-types")
    checked = check_spec(imported)
    components = spec_of(imported)["components"]
    assert {"api", "environmentsy", "jobs"} <= set(components), list(components)
    assert "typeless" not in components and "cron" not in components
    staging_env = "staging" in checked.blueprints
    assert staging_env or entries(imported.report, where="copilot/environmentsy/manifest.yml:10"), (
        f"the override of an unknown environment is neither imported nor reported:\n{describe(imported.report)}")


# -- random manifest-shaped data ------------------------------------------------------------------
TYPES = ["Load Balanced Web Service", "Backend Service", "Worker Service", "Scheduled Job", "Static Site",
         "Request-Driven Web Service", "Environment", "Nonsense"]
KEYS = ["image", "build", "location", "port", "cpu", "memory", "count", "range", "min", "max", "spot_from",
        "cpu_percentage", "memory_percentage", "requests", "response_time", "queue_delay", "variables",
        "secrets", "http", "path", "healthcheck", "alias", "network", "vpc", "placement", "connect",
        "environments", "test", "prod", "on", "schedule", "retries", "timeout", "subscribe", "topics",
        "queue", "dead_letter", "tries", "publish", "name", "service", "storage", "sidecars", "exec",
        "command", "entrypoint", "logging", "cidr", "certificates", "public", "from_cfn", "secretsmanager",
        "<<"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 70_000), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=10),
    st.sampled_from(["1-10", "@daily", "@every 30m", "rate(5 minutes)", "0 9 * * MON-FRI", "/healthz",
                     "nginx:1.27", "${COPILOT_ENVIRONMENT_NAME}", "${TAG}", "$", "arn:aws:ssm:eu-west-2:"
                     "123456789012:parameter/x", "/copilot/app/test/secrets/DB", "256", "512", "0.25", "x" * 70,
                     "My_Name", "network", "2d", "30s", "true", "Dockerfile"]))
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=6))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)
manifests = st.one_of(
    st.fixed_dictionaries({"name": st.sampled_from(["api", "web", "Worker_1", "jobs"]),
                           "type": st.sampled_from(TYPES)},
                          optional={"image": st.one_of(values, st.fixed_dictionaries(
                              {"location": st.sampled_from(["nginx:1.27", "public.ecr.aws/a/b:1"])},
                              optional={"port": values, "build": values}))}).flatmap(
        lambda base: st.dictionaries(keys, values, max_size=6).map(lambda extra: {**extra, **base})),
    values)
folder_names = st.sampled_from(["api", "web", "Worker_1", "jobs", "9x", "network", "a" * 40])
env_names = st.sampled_from(["test", "prod", "staging", "Dev_1", "x" * 20])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads=st.dictionaries(folder_names, manifests, min_size=1, max_size=3),
       environments=st.dictionaries(env_names, manifests, max_size=2),
       workspace_file=st.one_of(st.none(), values))
def test_random_manifests_never_raise_and_what_is_written_validates(
        workloads: dict[str, Any], environments: dict[str, Any], workspace_file: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = {f"copilot/{name}/manifest.yml": yaml.safe_dump(data) for name, data in workloads.items()}
        files |= {f"copilot/environments/{name}/manifest.yml": yaml.safe_dump(data)
                  for name, data in environments.items()}
        if workspace_file is not None:
            files["copilot/.workspace"] = yaml.safe_dump(workspace_file)
        write_workspace(root, files)
        imported = run_import(root)  # any exception fails the test: the property
        assert imported.workloads <= len(workloads)
        assert imported.spec == run_import(root).spec  # deterministic
        if imported.workloads:
            check_spec(imported)
        for e in imported.report.entries:
            assert e.subject and e.text, e


# -- hostile files: bounded time and memory, no traceback -----------------------------------------
#: Seconds and bytes of address space an import of a hostile workspace may take (as tests/hostile).
HOSTILE_TIMEOUT = 30
HOSTILE_MEMORY = 1024 ** 3
GOOD_API = "name: api\ntype: Backend Service\nimage:\n  location: nginx:1.27\n  port: 80\n"
LAUGHS = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
    f"*a{i - 1}, *a{i - 1}]\n" for i in range(1, 9))
HOSTILE = {
    # aliases that expand to 10**9 values when walked, under an unknown key and under variables
    "billion-laughs": "name: bomb\ntype: Backend Service\nimage:\n  location: nginx:1.27\n  port: 80\n"
                      + LAUGHS.replace("a0:", "x-laughs:\n  a0:").replace("\na", "\n  a")
                      + "variables: *a8\nsecrets: *a8\n",
    # a mapping and a list that contain themselves
    "recursive": "name: loop\ntype: Backend Service\nimage:\n  location: nginx:1.27\n  port: 80\n"
                 "variables: &v {A: *v}\nsidecars: &s [*s]\nenvironments: &e {test: *e}\n",
    "deep": "name: deep\ntype: Backend Service\nvariables: " + "[" * 5000 + "]" * 5000 + "\n",
    "huge": "name: huge\ntype: Backend Service\n# " + "x" * (1024 * 1024 + 10) + "\n",
}


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (HOSTILE_MEMORY, HOSTILE_MEMORY))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_manifest_is_reported_in_bounded_time_and_memory(case: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.importers.copilot.conftest import ROOT

    root = write_workspace(tmp_path / "repo", {
        "copilot/.workspace": "application: shop\n",
        "copilot/environments/test/manifest.yml": "name: test\ntype: Environment\n",
        "copilot/api/manifest.yml": GOOD_API,
    })
    (root / "copilot" / case).mkdir()
    (root / "copilot" / case / "manifest.yml").write_text(HOSTILE[case])
    run = "import sys; from scaffold.cli import main; sys.argv[0] = 'scaffold'; main()"
    try:
        result = subprocess.run(
            [sys.executable, "-c", run, "import", "copilot", str(root), "-o", "-", "--region", "eu-west-2",
             "--account", "123456789012"], capture_output=True, text=True, timeout=HOSTILE_TIMEOUT,
            preexec_fn=_limits, cwd=tmp_path, env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"importing a workspace with a {case} manifest took over {HOSTILE_TIMEOUT} s")
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"copilot/{case}/manifest.yml" in result.stderr  # reported
    assert "\n  api:\n" in result.stdout  # the good workload is imported
    assert len(result.stdout) < 100_000, "the spec copies the hostile value"
