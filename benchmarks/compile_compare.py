"""Compile time of this checkout against another git revision, measured the same way, interleaved.

Prints figures; asserts nothing. Run from the repository root:
`.venv/bin/python -m benchmarks.compile_compare --base REV [--rounds N]`.

Both sides compile their own revision's bundled spec and that spec plus the synthetic domains of
`benchmarks.compile_speed` (10x), in a fresh interpreter each round, the sides alternating round by
round; each measurement is one in-process compile after a warm-up compile (imports and caches
excluded). Reported: each side's median and p10-p90, and the median of the per-round ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.compile_speed import REPO, make_spec

MEASURE = """
import sys, time
from pathlib import Path
from upoe_compiler.api import compile_project
spec, out = Path(sys.argv[1]), Path(sys.argv[2])
compile_project(spec, out / "warm")
start = time.perf_counter()
compile_project(spec, out / "timed")
print(time.perf_counter() - start)
"""


def measure(source: Path, spec: Path, out: Path) -> float:
    result = subprocess.run([sys.executable, "-c", MEASURE, str(spec), str(out)], check=True, capture_output=True,
                            text=True, env={"PYTHONPATH": str(source / "src"), "PATH": "/usr/bin:/bin"}, cwd=source)
    return float(result.stdout.strip())


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p10, p90 = ordered[int(0.1 * (len(ordered) - 1))], ordered[round(0.9 * (len(ordered) - 1))]
    return f"{statistics.median(ordered):.3f} s ({p10:.3f}-{p90:.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the git revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="upoe-compare-"))
    base = root / "base"
    subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], check=True, cwd=REPO,
                   capture_output=True)
    try:
        # Each side compiles its own revision's bundled spec (the DSL may have grown between
        # them), plus the same synthetic domains.
        sources = {"base": base, "this": REPO}
        specs = {side: {"bundled": source / "spec",
                        "synthetic 10x": make_spec(root / side, 160, source / "spec")}
                 for side, source in sources.items()}
        print(f"{'spec':16} {'base ' + args.base[:10]:>26} {'this checkout':>26} {'ratio (p10-p90)':>22}")
        for label in ("bundled", "synthetic 10x"):
            times: dict[str, list[float]] = {"base": [], "this": []}
            for round_ in range(args.rounds):
                # Alternate which side goes first, so drift on the machine hits both alike.
                order = ["base", "this"] if round_ % 2 == 0 else ["this", "base"]
                for side in order:
                    times[side].append(measure(sources[side], specs[side][label], root / f"out-{side}-{round_}"))
            ratios = sorted(t / b for t, b in zip(times["this"], times["base"], strict=True))
            p10, p90 = ratios[int(0.1 * (len(ratios) - 1))], ratios[round(0.9 * (len(ratios) - 1))]
            print(f"{label:16} {spread(times['base']):>26} {spread(times['this']):>26} "
                  f"{statistics.median(ratios):>8.3f}x ({p10:.3f}-{p90:.3f})", flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, capture_output=True)


if __name__ == "__main__":
    main()
