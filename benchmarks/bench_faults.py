"""The fault-injection run at full size: the 200-dossier flow with 5 % of adapter calls failing
(throttling, timeouts, crashes after the write, duplicate messages); see infra/faults.py for what is
injected and what is checked at the end. Prints the seed, the faults by kind and call, and the problems.

    .venv/bin/python benchmarks/bench_faults.py [--dossiers 200] [--seed N] [--rate 0.05]

The dispositif's reservation timeout (120 s) is kept here: an envoi that crashed after its reservation
holds the numbering that long, as it would in AWS. The suite runs 20 dossiers with 10 s
(tests/e2e/test_faults.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    from infra import faults

    argv = sys.argv[1:]
    if "--dossiers" not in argv:
        argv = ["--dossiers", "200", *argv]
    if "--timeout" not in argv:
        argv = ["--timeout", "900", *argv]
    return faults.main(argv)


if __name__ == "__main__":
    sys.exit(main())
