"""Benchmark of piece examination (validation + extraction), printed, not asserted.

    .venv/bin/python benchmarks/bench_pieces.py

Milliseconds per page for a 40-page lettre d'offre and a 200-page dossier de présentation, beside raw
text extraction of the same files with pypdfium2 in the same run (target: at most 1.5x); then peak memory
of examining a ~25 MB PDF in a fresh process (target: under 150 MB, so the function fits in 256 MB).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from ami.domain.models import Loan, Logements, Operation, PieceKind
from ami.domain.pieces import examine

from infra import pdfgen

REPEAT = 7


def letter_40_pages() -> bytes:
    loans = [Loan(kind="foncier" if i == 0 else "bati", montant_eur=Decimal("1234567.89") + i, duree_mois=480,
                  marge_pct=Decimal("0.60")) for i in range(6)]
    for preamble in range(300, 2000, 20):
        data = pdfgen.lettre_offre(raison_sociale="Habitat Forézien SA d'HLM", siren="732829320",
                                   operation="Les Jardins d'Émile", commune="Saint-Étienne", loans=loans,
                                   reference="BDT-2025-0042", date_lettre=dt.date(2025, 11, 30), preamble=preamble)
        if _pages(data) >= 40:
            return data
    return data


def dossier(pages: int) -> bytes:
    operation = Operation(nom="Les Jardins d'Émile", logements=Logements(t2=10, t3=12, t4=4),
                          surface_habitable_m2=Decimal("1850.50"), surface_utile_m2=Decimal("1920"),
                          loyer_mensuel_total_eur=Decimal("26500"))
    return pdfgen.dossier_presentation(operation=operation, commune_nom="Saint-Étienne", zone="B1",
                                       raison_sociale="Habitat Forézien", pages=pages)


def heavy_pdf(target_bytes: int = 24_000_000) -> bytes:
    """A dossier with incompressible photos, about 24 MB: what a bailleur's scanned annexes weigh."""
    from fpdf import FPDF
    from PIL import Image

    rng = random.Random(7)
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 5, "Dossier de présentation de l'opération — annexes photographiques".encode("latin-1",
                   "replace").decode("latin-1"))
    size = 0
    while size < target_bytes:
        image = Image.frombytes("RGB", (500, 500), rng.randbytes(500 * 500 * 3))
        pdf.add_page()
        pdf.cell(0, 5, f"Photographie {pdf.page_no()}")
        pdf.image(image, x=20, y=30, w=170)
        size += 500 * 500 * 3
    return bytes(pdf.output())


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(data))


def raw_pdfium(data: bytes) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    total = 0
    for page in document:
        total += len(page.get_textpage().get_text_range())
    document.close()
    return total


def _best_ms(action: object) -> float:
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def speed(label: str, data: bytes, piece: PieceKind) -> None:
    pages = _pages(data)
    examine(data, piece)  # warm: imports, caches
    raw_pdfium(data)
    ours = _best_ms(lambda: examine(data, piece))
    raw = _best_ms(lambda: raw_pdfium(data))
    print(f"{label:<32} {pages:>4} p  {len(data) / 1e6:6.2f} Mo   examen {ours / pages:6.3f} ms/page   "
          f"pypdfium2 brut {raw / pages:6.3f} ms/page   rapport {ours / raw:4.2f}x")


# VmHWM (peak resident set) is reset by exec, unlike ru_maxrss which a child inherits from its parent.
_CHILD = """
import sys, tracemalloc
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1])
    return 0
from ami.domain.pieces import examine
import pypdf, pypdfium2
data = open(sys.argv[1], 'rb').read()
base = hwm()
tracemalloc.start()
report = examine(data, 'dossier_presentation')
_, peak = tracemalloc.get_traced_memory()
print(report.pages, base, hwm(), peak)
"""


def memory(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lourd.pdf"
        path.write_bytes(data)
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True)
    pages, base, top, peak = (int(x) for x in out.stdout.split())
    print(f"PDF de {len(data) / 1e6:.1f} Mo ({pages} pages) : pic RSS du processus {top / 1024:.0f} Mo "
          f"(dont {base / 1024:.0f} Mo avant l'examen : interpréteur, bibliothèques et fichier lu), "
          f"soit {(top - base) / 1024:.0f} Mo pour l'examen ; pic Python (tracemalloc) {peak / 1e6:.0f} Mo")


def main() -> None:
    print(f"Python {sys.version.split()[0]}, médiane de {REPEAT} passages\n")
    speed("lettre d'offre (40 pages)", letter_40_pages(), "lettre_offre")
    speed("dossier de présentation (200 p)", dossier(200), "dossier_presentation")
    heavy = heavy_pdf()
    speed("PDF lourd (photos)", heavy, "dossier_presentation")
    memory(heavy)


if __name__ == "__main__":
    main()
