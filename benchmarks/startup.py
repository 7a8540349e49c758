"""Median wall time of `scaffold --help` and `scaffold validate` on the example spec.

Run: .venv/bin/python benchmarks/startup.py [--runs N]
Each run is a fresh process, as a user or CI would start it; the two commands alternate, so that
the load of a shared machine hits both alike. benchmarks/compare.py prints the same figures too.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"


def seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scaffold", *argv], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    commands = {"scaffold --help": ["--help"], "scaffold validate": ["validate", "-f", str(EXAMPLE)]}
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            times[label].append(seconds(argv))
    for label, measured in times.items():
        print(f"{label:<20} median {statistics.median(measured) * 1000:7.1f} ms over {runs} runs")


if __name__ == "__main__":
    main()
