"""The deposit flow with every adapter call failing at random (5 %: throttling, timeouts, a crash after the
write and before the answer, duplicate messages), on a stack of its own (`infra.faults`): every dossier
numbered once in deposit order, each work item once, the audit log verifying, each email once but for a
crash right after SES accepted it. Seeded; a failure prints the seed and the command that runs it again.
Full size (200 dossiers): benchmarks/bench_faults.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import PRISTINE_ENV

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
SEED = 20261201
DOSSIERS = 20


def test_faults_never_cost_a_rank_a_work_item_or_the_proof(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infra.faults", "--dossiers", str(DOSSIERS), "--seed", str(SEED),
         "--reservation-timeout", "10", "--timeout", "150", "--json"],
        cwd=tmp_path, env={**PRISTINE_ENV, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=420,
    )
    report = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("{"))
    assert done.stdout.strip(), done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["problems"] == [], report
    assert done.returncode == 0, report
    assert outcome["numbered"] == DOSSIERS, report
    kinds = {what.split()[-1] for what in outcome["faults"]}
    assert kinds == {"throttle", "timeout", "crash_after", "duplicate"}, report  # every kind was exercised
    assert outcome["api_retries"] > 0, report  # and some reached the bailleur's side, who sent again
