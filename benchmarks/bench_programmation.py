"""Examination of a 2,000-row tableau de programmation beside a bare read of the same file by the same library
(openpyxl, read-only) in the same run; peak memory of the examination; precision and recall of the row reading
over generated workbooks of several bailleurs' styles. Printed, not asserted (targets: ≤ 1.5×, < 150 MB).

    .venv/bin/python benchmarks/bench_programmation.py [rows]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from ami.domain.dispositif import dispositif  # noqa: E402
from ami.domain.programmation import ROWS_TAB, examine  # noqa: E402

from infra import xlsxgen  # noqa: E402


def bare(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    n = sum(1 for _ in wb[ROWS_TAB].iter_rows(values_only=True))
    wb.close()
    return n


def main(rows: int) -> None:
    rules = dispositif("drom-2024").pieces["tableau_programmation"]
    ops = xlsxgen.operations(rows, seed=11)
    data = xlsxgen.workbook(ops)
    ours, theirs = [], []
    for _ in range(5):  # interleaved, so that the machine's load weighs on both alike
        t = time.perf_counter()
        bare(data)
        theirs.append(time.perf_counter() - t)
        t = time.perf_counter()
        examine(data, rules)
        ours.append(time.perf_counter() - t)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"{rows} rows, {len(data) / 1024:.0f} KiB: examination {a * 1000:.0f} ms, bare openpyxl read "
          f"{b * 1000:.0f} ms, ratio {a / b:.2f}× (target ≤ 1.5×)")
    tracemalloc.start()
    examine(data, rules)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak memory of the examination (tracemalloc): {peak / 1_048_576:.1f} MB (target < 150 MB)")
    found = expected = correct = 0
    for style in ("modele", "lignes_vides", "colonnes_reordonnees", "nombres_texte", "titre_fusionne"):
        truth = xlsxgen.operations(200, seed=hash(style) % 1000)
        read = examine(xlsxgen.workbook(truth, style), rules).rows
        key = [(r.reference, r.filiere, r.nature, r.logements, r.montant, r.date_agrement) for r in truth]
        got = [(r.reference, r.filiere, r.nature, r.logements, r.montant, r.date_agrement) for r in read]
        found, expected = found + len(got), expected + len(key)
        correct += len(set(got) & set(key))
    print(f"row reading over 5 styles: precision {correct / found:.3f}, recall {correct / expected:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
