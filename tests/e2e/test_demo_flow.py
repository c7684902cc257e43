"""The whole flow, as `ami demo` plays it, each time on a stack of its own.

The demo registers fixed SIRENs, so it cannot share the session's stack. It runs in a fresh
interpreter: a process holds the handlers' AWS clients of the first stack it started (see the
test below, which documents that limit of `LocalRuntime`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import PRISTINE_ENV

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

SCENARIO = r"""
import contextlib, json, sys
from pathlib import Path
from infra import demo
from infra.local import LocalRuntime

@contextlib.contextmanager
def progress(label, total):
    yield lambda: None

with LocalRuntime(serve_api=True, state_dir=Path(sys.argv[1])) as runtime:
    result = demo.run(runtime, lambda message: None, progress)
print(json.dumps({"problems": result.problems, "numbered": result.numbered, "incomplete": result.incomplete,
                  "quarantined": result.quarantined, "work_items": result.work_items,
                  "scored": result.scored, "programmations": result.programmations}, default=str))
"""


def run_python(code: str, *args: str, cwd: Path, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=PRISTINE_ENV, capture_output=True,
                          text=True, timeout=timeout)


def test_the_demo_scenario(tmp_path: Path) -> None:
    done = run_python(SCENARIO, str(tmp_path / "state"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert len(result["numbered"]) == 9
    assert len(result["incomplete"]) == 3
    assert len(result["quarantined"]) == 2
    numbers = [r["deposit_number"] for r in result["numbered"]]
    assert numbers == list(range(1, 10))
    # numbered in envoi order: the deposit times rise with the numbers
    deposited = [r["deposited_at"] for r in result["numbered"]]
    assert deposited == sorted(deposited)
    assert [i["deposit_number"] for i in result["work_items"]] == numbers
    # priority 2: every criterion evaluated from the form, the pieces and the (sample) referentials, except
    # the overseas rent ceiling, which the grid does not have yet and which says who must provide it
    unscored = {(d["form"]["operation"]["commune_insee"], c["code"], c["a_fournir_par"])
                for d in result["scored"] for c in d["scoring"]["criteres"] if c["statut"] != "evalue"}
    assert unscored == {("97411", "niveau_loyer", "exploitation")}
    assert all(d["scoring"]["referentiels"]["dynamisme_economique"].endswith("(exemple)") for d in result["scored"])
    # the DROM programmations beside the LLI flow: no number, one refused for its macros, one sent too late
    drom = {p["departement"]: p for p in result["programmations"]}
    assert {dep: p["status"] for dep, p in drom.items()} == {
        "971": "complet", "972": "incomplet", "973": "complet", "974": "complet", "976": "brouillon"}
    assert any("macros" in r for r in drom["972"]["reasons"])


def test_the_demo_command(tmp_path: Path) -> None:
    done = run_python("from infra.cli import app; app()", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Démonstration réussie" in done.stdout
    assert not (tmp_path / ".ami-local" / "stack.json").exists()
