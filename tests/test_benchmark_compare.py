"""benchmarks/compare.py runs end to end and prints every figure issue 11 asks for (tiny sizes, no CDK)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_compare_prints_plan_scaling_fit_and_startup() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compare.py"), "--runs", "1", "--startup-runs", "1",
         "--sizes", "1,2", "--no-cdk"],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC; \d+ CPUs; Python 3\.\d+\.\d+; project bytecode: \d+/\d+ modules cached",
                    lines[0]), lines[0]
    assert re.search(r"^\(a\) plan -e prod --json shop\.yaml: median +\d+\.\d\d s  peak +\d+ MiB  \d+ resources$",
                     proc.stdout, re.M), proc.stdout
    assert "(a) CDK peer: skipped (--no-cdk)" in lines
    pairs = re.findall(r"^\(b\) +(\d+) pairs: +(\d+) resources  median +\d+\.\d\d s  peak +\d+ MiB$", proc.stdout, re.M)
    assert [size for size, _ in pairs] == ["1", "2"], proc.stdout
    assert int(pairs[1][1]) > int(pairs[0][1]) > 0  # a second pair adds resources
    assert re.search(r"^\(b\) fit: fixed +-?\d+ ms \+ +-?\d+\.\d\d ms/resource;  fixed +-?\d+ MiB \+ +-?\d+\.\d KiB/resource",
                     proc.stdout, re.M), proc.stdout
    assert re.search(r"^\(c\) validate: median +\d+ ms", proc.stdout, re.M), proc.stdout
    assert re.search(r"^\(c\) --help: +median +\d+ ms", proc.stdout, re.M), proc.stdout


def test_compare_says_when_the_cdk_peer_is_skipped(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "compare.py"), "--runs", "1", "--skip", "b,c",
         "--cdk", str(tmp_path / "nowhere")],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^\(a\) CDK peer: skipped \((no CDK peer at .*nowhere|node or npm not found)\)$",
                     proc.stdout, re.M), proc.stdout
    assert "(b)" not in proc.stdout and "(c)" not in proc.stdout
