"""Every real workspace of ``../shared/corpora/copilot/`` imports, validates and plans in every environment.

One test of each kind per corpus folder (the test id is the folder's name), so a failure says which
workspace and which stage: the import (it must not raise, and gives the same bytes twice), the
validation (``scaffold validate``'s code with the example value of each variable the spec reads),
the plan (``scaffold plan --all``'s path: every environment planned offline in this one process,
with the plan-lint of ``tests/stacks/plan_lint.py``), and the snapshots of the spec and of the
migration report (``snapshots/<folder>.scaffold.yaml`` and ``snapshots/<folder>.report.md``).

A workspace whose every workload is of a type scaffold does not run (Static Site, Request-Driven
Web Service) imports no workload: ``scaffold import copilot`` still writes its spec (environments and
addon storage only; it validates and plans like every other) and warns. Such workspaces are listed in
:data:`NOTHING_TO_IMPORT`; their report is pinned and must say why.

To accept an intended change of a spec or a report, run
``SCAFFOLD_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/importers/copilot/test_corpus.py``
and review the diff of ``tests/importers/copilot/snapshots/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
import yaml

from scaffold.importers.copilot import Imported
from scaffold.importers.copilot.report import Section
from tests.importers.copilot.conftest import (
    CORPUS,
    NOW,
    ROOT,
    check_spec,
    corpus_workspaces,
    describe,
    entries,
    match_snapshot,
    run_import,
)

WORKSPACES = corpus_workspaces()
#: Corpus folders where no workload can be imported, and which Copilot types the report must name.
NOTHING_TO_IMPORT = {
    "aws--copilot-cli--e2e-static-site": "Static Site",
    "aws--copilot-cli--e2e-apprunner": "Request-Driven Web Service",
}
#: How many workspaces the corpus holds (its README.md lists them).
CORPUS_SIZE = 16

corpus = pytest.mark.parametrize("workspace", WORKSPACES, ids=[p.name for p in WORKSPACES])


def _import(workspace: Path) -> Imported:
    try:
        return run_import(workspace)
    except Exception:  # the test's point: say which workspace and how, not just the exception
        pytest.fail(f"importing {workspace.name} raised:\n{traceback.format_exc()}")


def _title(workspace: Path) -> str:
    return f"Migration report: Copilot workspace {workspace.name}"


def _importable(workspace: Path) -> Imported:
    """The import of ``workspace``, which imports at least one workload unless it is one of
    :data:`NOTHING_TO_IMPORT` (test_the_workspace_with_nothing_to_import_says_why checks why)."""
    imported = _import(workspace)
    if workspace.name in NOTHING_TO_IMPORT:
        assert imported.workloads == 0, f"{workspace.name} imports a workload: take it out of NOTHING_TO_IMPORT"
        return imported
    assert imported.workloads > 0, (
        f"{workspace.name}: no workload was imported; the report says:\n{describe(imported.report)}")
    return imported


def test_the_corpus_is_there() -> None:
    assert CORPUS.is_dir(), (f"the Copilot corpus is missing: {CORPUS} (CI clones ../shared beside the "
                             "repository; see its README.md)")
    assert len(WORKSPACES) == CORPUS_SIZE, [p.name for p in WORKSPACES]
    assert set(NOTHING_TO_IMPORT) <= {p.name for p in WORKSPACES}


@corpus
def test_imports_the_same_bytes_twice(workspace: Path) -> None:
    first, second = _import(workspace), _import(workspace)
    assert first.spec == second.spec, f"{workspace.name}: two imports wrote different specs"
    assert first.report.markdown(_title(workspace)) == second.report.markdown(_title(workspace)), (
        f"{workspace.name}: two imports wrote different reports")
    assert first.variables == second.variables and first.workloads == second.workloads


def test_imports_the_same_bytes_in_other_processes_and_from_another_folder(tmp_path: Path) -> None:
    """No set or hash order, and no absolute path, reaches the output: two fresh interpreters with
    different hash seeds, importing copies of the workspaces from another folder, give this
    process's bytes."""
    if not WORKSPACES:
        pytest.skip("no corpus (test_the_corpus_is_there says so)")
    copies = tmp_path / "elsewhere"
    for workspace in WORKSPACES:
        shutil.copytree(workspace / "copilot", copies / workspace.name / "copilot", symlinks=True)
    code = ("import hashlib, sys\nfrom pathlib import Path\n"
            "from tests.importers.copilot.conftest import run_import\n"
            "for p in sorted(Path(sys.argv[1]).iterdir()):\n"
            "    i = run_import(p)\n"
            "    text = i.spec + i.report.markdown(p.name)\n"
            "    print(p.name, hashlib.sha256(text.encode()).hexdigest())\n")
    expected = "".join(
        f"{w.name} {hashlib.sha256((i.spec + i.report.markdown(w.name)).encode()).hexdigest()}\n"
        for w in WORKSPACES for i in [_import(w)])
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", code, str(copies)], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)},
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stdout == expected, f"PYTHONHASHSEED={seed}: other bytes than in this process"


@corpus
def test_the_spec_validates(workspace: Path) -> None:
    imported = _importable(workspace)
    checked = check_spec(imported, f"{workspace.name}/scaffold.yaml")
    assert checked.blueprints, f"{workspace.name}: the spec has no environment"
    assert checked.spec.components or workspace.name in NOTHING_TO_IMPORT, (
        f"{workspace.name}: the spec has no component")
    events = list(yaml.parse(imported.spec))
    assert not [e for e in events if isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None)], (
        f"{workspace.name}: the spec has YAML anchors or aliases (a value shared in the draft)")
    components = imported.spec.split("\ncomponents:", 1)[1]
    comments = re.findall(r"^  # from (copilot/\S+)", components, re.M)
    assert len(comments) == len(checked.spec.components), (
        f"{workspace.name}: a component does not name the Copilot file it came from")
    assert all((workspace / c).is_file() for c in comments), comments


@corpus
def test_plans_in_every_environment(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``scaffold plan --all`` runs: check the file, then plan each environment in one process."""
    from scaffold.plan_commands import offline_planning
    from scaffold.spec import check_file
    from stacks.plan import plan
    from tests.stacks.plan_lint import lint

    imported = _importable(workspace)
    check_spec(imported)  # a clear message when it does not validate
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(imported.spec, encoding="utf-8")
    for name, value in imported.example_environ({}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SCAFFOLD_NOW", NOW)
    failures = []
    with offline_planning():
        checked = check_file(spec)
        for env, blueprint in checked.blueprints.items():
            try:
                result = plan(blueprint)
                json.dumps(result.to_json())
            except Exception:
                failures.append(f"--- {env}: the plan raised:\n{traceback.format_exc()}")
                continue
            if not result.aws_resources:
                failures.append(f"--- {env}: the plan has no AWS resource")
            failures += [f"--- {env}: {v}" for v in lint(result)]
    assert not failures, f"{workspace.name}: planning failed:\n" + "\n".join(failures)


@corpus
def test_the_spec_and_the_report_match_their_snapshots(workspace: Path) -> None:
    imported = _importable(workspace)
    match_snapshot(f"{workspace.name}.scaffold.yaml", imported.spec)
    match_snapshot(f"{workspace.name}.report.md", imported.report.markdown(_title(workspace)))


@pytest.mark.parametrize("name", sorted(NOTHING_TO_IMPORT))
def test_the_workspace_with_nothing_to_import_says_why(name: str) -> None:
    workspace = CORPUS / name
    if not workspace.is_dir():
        pytest.skip(f"{workspace} is not there (test_the_corpus_is_there says so)")
    imported = _import(workspace)
    assert imported.workloads == 0
    manifests = sorted(p.relative_to(workspace).as_posix() for p in workspace.glob("copilot/*/manifest.yml"))
    for manifest in manifests:
        found = entries(imported.report, Section.LEFT_OUT, where=manifest)
        assert found, f"{name}: {manifest} is not reported as left out:\n{describe(imported.report)}"
        assert any(NOTHING_TO_IMPORT[name].lower() in f"{e.subject} {e.text}".lower() for e in found), (
            f"{name}: the report does not name the {NOTHING_TO_IMPORT[name]} type for {manifest}:\n"
            f"{describe(imported.report)}")
