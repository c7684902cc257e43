"""Run every benchmarks/bench_*.py, one after the other, with its default arguments (`make bench`).

Each script runs in its own interpreter (the cold-start figures need a clean one) and its output is
streamed as it comes. The exit code is non-zero if any script failed; the others still run.

    .venv/bin/python benchmarks/run_all.py [name ...]   # e.g. `run_all.py flow coldstart`
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv or s.name in argv]
    if not scripts:
        print("no benchmark to run", file=sys.stderr)
        return 1
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} " + "=" * max(0, 70 - len(script.name)), flush=True)
        start = time.perf_counter()
        # stdout/stderr inherited: the script's output streams straight through.
        rc = subprocess.call([sys.executable, str(script)], cwd=ROOT)
        print(f"=== {script.name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'} in {time.perf_counter() - start:.0f} s",
              flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
