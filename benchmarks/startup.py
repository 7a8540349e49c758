"""Median wall and CPU time of `scaffold --help` and `scaffold validate` on the example spec.

Run: .venv/bin/python benchmarks/startup.py [--runs N] [--floor]
Each run is a fresh process, as a user or CI would start it; the commands alternate, so that
the load of a shared machine hits them alike. CPU time is the child's user + system time
(resource.getrusage), steadier than wall time on a loaded machine. benchmarks/compare.py
prints the same figures too.

--floor adds "the dependencies alone": a typer command with validate's two options that
imports pydantic, builds and validates a one-field model, reads the spec with PyYAML's C
loader and prints one line through rich's console. No validate can start faster in this
design (docs/performance.md, "Start-up").
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"

FLOOR = """
from pathlib import Path
from typing import Annotated
import typer
app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
@app.callback()
def main() -> None:
    pass
@app.command()
def validate(file: Annotated[Path, typer.Option("--file", "-f")] = Path("scaffold.yaml"),
             against: Annotated[Path | None, typer.Option("--against")] = None) -> None:
    import yaml
    from pydantic import BaseModel
    class Model(BaseModel):
        scaffold: int
    Model.model_validate({"scaffold": 1})
    data = yaml.load(file.read_text(), Loader=yaml.CSafeLoader)
    from rich.console import Console
    Console(markup=False, emoji=False, highlight=False, soft_wrap=True).print(f"{file}: {len(data)} keys")
app()
"""


def measure(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--floor", action="store_true", help="Also time the dependencies alone.")
    args = parser.parse_args()
    commands = {"scaffold --help": [sys.executable, "-m", "scaffold", "--help"],
                "scaffold validate": [sys.executable, "-m", "scaffold", "validate", "-f", str(EXAMPLE)]}
    if args.floor:
        commands["dependencies alone"] = [sys.executable, "-c", FLOOR, "validate", "-f", str(EXAMPLE)]
    times: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(args.runs):
        for label, argv in commands.items():
            times[label].append(measure(argv))
    for label, measured in times.items():
        wall = statistics.median(w for w, _ in measured) * 1000
        cpu = statistics.median(c for _, c in measured) * 1000
        print(f"{label:<20} median {wall:7.1f} ms wall, {cpu:7.1f} ms CPU over {args.runs} runs")


if __name__ == "__main__":
    main()
