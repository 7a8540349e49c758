"""Start-up (issue 11, docs/performance.md): `--help` loads neither rich's console nor pydantic,
the consoles still print byte for byte once loaded, and the install compiles the project's bytecode."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"


def _run_and_list_modules(argv: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    code = ("import sys\nfrom scaffold.entry import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('MODULES', *sorted(sys.modules), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NO_COLOR": "1"})
    listed = proc.stderr.rsplit("MODULES", 1)[1]
    return proc, set(listed.split())


def test_help_loads_neither_rich_console_nor_pydantic() -> None:
    proc, modules = _run_and_list_modules(["--help"])
    assert "Usage: scaffold" in proc.stdout and "validate" in proc.stdout
    assert "typer" in modules  # the probe works
    assert "rich.console" not in modules
    assert not {m for m in modules if m == "pydantic" or m.startswith("pydantic.")}


def test_validate_loads_the_console_when_it_prints_and_prints_values_as_written() -> None:
    proc, modules = _run_and_list_modules(["validate", "-f", str(EXAMPLE)])
    assert "rich.console" in modules
    assert proc.stdout.startswith(f"{EXAMPLE}: valid: project shop, ")
    assert "warning: components.api.domain: serves plain HTTP" in proc.stderr


def test_an_error_goes_through_the_lazy_error_console(tmp_path: Path) -> None:
    missing = tmp_path / "[bold]missing[/]:secret:.yaml"
    proc = subprocess.run([sys.executable, "-m", "scaffold", "validate", "-f", str(missing)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "[bold]missing[/]:secret:.yaml" in proc.stderr  # no markup, no emoji codes interpreted
    assert "Traceback" not in proc.stderr


def test_the_lazy_consoles_work_as_context_managers_as_rich_live_uses_them() -> None:
    from scaffold.console import err, out

    for console in (out, err):
        with console:  # rich's Live enters its console; the type must have __enter__/__exit__
            console.print("x", end="")
        assert console.is_terminal in (True, False)


def test_make_install_compiles_the_project_bytecode(tmp_path: Path) -> None:
    dry = subprocess.run(["make", "-n", "install"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    compile_lines = [line for line in dry.splitlines() if "compileall" in line]
    assert compile_lines, dry
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path)}  # compile beside, not into, the tree
    subprocess.run(shlex.split(compile_lines[0]), cwd=ROOT, env=env, check=True)
    compiled = {re.sub(r"\.cpython-\d+\.pyc$", "", p.name) for p in tmp_path.rglob("*.pyc")}
    assert {"cli", "loader", "plan", "component"} <= compiled


def test_validate_pauses_cyclic_gc_while_it_checks_and_restores_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec layer's imports and validators make no garbage worth collecting: validate runs
    without cyclic GC (0.8x CPU), and gives it back, so a long process (a test run) keeps it."""
    import gc

    from typer.testing import CliRunner

    import scaffold.spec
    from scaffold.cli import app

    seen: list[bool] = []
    real = scaffold.spec.check_file

    def check_file(path: Path) -> object:
        seen.append(gc.isenabled())
        return real(path)

    monkeypatch.setattr(scaffold.spec, "check_file", check_file)
    assert gc.isenabled()
    result = CliRunner().invoke(app, ["validate", "-f", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid: project shop" in result.stdout
    assert seen == [False]
    assert gc.isenabled()
    bad = CliRunner().invoke(app, ["validate", "-f", str(ROOT / "missing.yaml")])
    assert bad.exit_code == 2 and gc.isenabled()  # restored on the error path too


_PROBE = """
import sys
from pathlib import Path
from pydantic._internal import _generate_schema
from pydantic._internal._mock_val_ser import MockCoreSchema

generated = []
real = _generate_schema.GenerateSchema._model_schema

def model_schema(self, cls):
    schema = cls.__dict__.get('__pydantic_core_schema__')
    if schema is None or isinstance(schema, MockCoreSchema):
        generated.append(cls.__name__)
    return real(self, cls)

_generate_schema.GenerateSchema._model_schema = model_schema
from scaffold.spec import check_file
check_file(Path(sys.argv[1]))
print("TWICE", sorted({n for n in generated if generated.count(n) > 1}))
"""


def test_check_generates_each_spec_schema_once() -> None:
    """Validators are built leaves first: each model's schema is generated once and reused by
    the models that hold it (built on demand, 14 of them were generated twice)."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(EXAMPLE)], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert "TWICE []" in proc.stdout.splitlines(), proc.stdout
