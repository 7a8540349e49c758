"""Median wall time of `scaffold --help` and `scaffold validate` on the example spec.

Run: .venv/bin/python benchmarks/startup.py [--runs N]
Each run is a fresh process, as a user or CI would start it.
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


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "scaffold", *argv], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    for label, argv in (("scaffold --help", ["--help"]), ("scaffold validate", ["validate", "-f", str(EXAMPLE)])):
        print(f"{label:<20} median {median_seconds(argv, runs) * 1000:7.1f} ms over {runs} runs")


if __name__ == "__main__":
    main()
