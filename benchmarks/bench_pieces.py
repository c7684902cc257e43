"""Benchmark of piece examination (validation + extraction), printed, not asserted.

    .venv/bin/python benchmarks/bench_pieces.py

Lettres d'offre of 1 to 5 pages from the layout families (read with the words' positions): p95 of the
examination (target: under 100 ms) and the ratio to pypdfium2's raw text of the same letters in the same
run (target: at most 3x), in wall-clock and in CPU time. Milliseconds per page for a 40-page lettre
d'offre and a 200-page dossier de présentation beside raw text extraction (target for the dossier: at
most 1.5x); peak memory of examining a ~25 MB PDF in a fresh process (target: under 150 MB, so the
function fits in 256 MB); the seconds Tesseract takes to read a one-page scanned letter (reported).
"""

from __future__ import annotations

import datetime as dt
import os
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
REPEAT_SHORT = 21


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


def short_letters() -> list[tuple[str, bytes]]:
    """Lettres d'offre of 1 to 5 pages from the layout families of tests/corpus/families.py."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "corpus"))
    import families

    picks = [("A", 3), ("B", 4), ("C", 2), ("D", 2), ("F", 3), ("G", 5), ("H", 3), ("J", 2)]
    letters = [(f"famille {name}", (families.DEVELOPMENT | families.HELD_OUT)[name](number).data)
               for name, number in picks]
    loans = [Loan(kind="foncier" if i == 0 else "bati", montant_eur=Decimal("1234567.89") + i, duree_mois=480,
                  marge_pct=Decimal("0.60")) for i in range(6)]
    five = pdfgen.lettre_offre(raison_sociale="Habitat Forézien SA d'HLM", siren="732829320",
                               operation="Les Jardins d'Émile", commune="Saint-Étienne", loans=loans,
                               reference="BDT-2025-0042", date_lettre=dt.date(2025, 11, 30), preamble=24)
    return [*letters, ("historique, 5 pages", five)]


def short_letters_speed() -> None:
    """Each letter examined REPEAT_SHORT times, each examination followed by pypdfium2's raw text of the same
    letter (interleaved, so a change of load on a shared machine weighs on both alike): p95 of the
    examination, and the ratio of the summed medians, in wall-clock time and in CPU time (the work done,
    which other processes on the machine do not inflate)."""
    letters = short_letters()
    wall: dict[str, list[list[float]]] = {"ours": [], "raw": []}
    cpu: dict[str, list[list[float]]] = {"ours": [], "raw": []}
    pages = 0
    for _, data in letters:
        examine(data, "lettre_offre")  # warm: imports, caches
        raw_pdfium(data)
        for timings in (*wall.values(), *cpu.values()):
            timings.append([])
        for _ in range(REPEAT_SHORT):
            for key, action in (("ours", lambda data=data: examine(data, "lettre_offre")),
                                ("raw", lambda data=data: raw_pdfium(data))):
                started, started_cpu = time.perf_counter(), time.process_time()
                action()
                wall[key][-1].append((time.perf_counter() - started) * 1000)
                cpu[key][-1].append((time.process_time() - started_cpu) * 1000)
        pages += _pages(data)

    def medians(timings: list[list[float]]) -> float:
        return sum(statistics.median(one) for one in timings)

    p95 = statistics.quantiles([t for one in wall["ours"] for t in one], n=20)[-1]
    label = f"lettres d'offre 1 à 5 p ({len(letters)})"
    print(f"{label:<32} {pages:>4} p  examen médiane {medians(wall['ours']) / len(letters):6.2f} ms/lettre, "
          f"p95 {p95:6.2f} ms   pypdfium2 brut {medians(wall['raw']) / len(letters):6.2f} ms/lettre   "
          f"rapport {medians(wall['ours']) / medians(wall['raw']):4.2f}x")
    print(f"{'  en temps CPU':<32} {'':>4}    examen médiane {medians(cpu['ours']) / len(letters):6.2f} ms/lettre, "
          f"{'':>16}pypdfium2 brut {medians(cpu['raw']) / len(letters):6.2f} ms/lettre   "
          f"rapport {medians(cpu['ours']) / medians(cpu['raw']):4.2f}x")


def ocr_speed() -> None:
    """A one-page lettre d'offre scanned (an image, no text layer) read by Tesseract, in seconds."""
    import shutil

    from ami.adapters.ocr import TesseractOcr
    from fpdf import FPDF

    if not shutil.which("tesseract"):
        print("OCR : tesseract absent (make tools), non mesuré")
        return
    page = __import__("pypdfium2").PdfDocument(short_letters()[1][1])[0]
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(page.render(scale=150 / 72, grayscale=True).to_pil(), x=0, y=0, w=210, h=297)
    scan = bytes(pdf.output())
    engine = TesseractOcr()
    timings = _timings(lambda: examine(scan, "lettre_offre", ocr=engine), 3)
    median = statistics.median(timings) / 1000
    print(f"OCR d'une lettre scannée d'une page (Tesseract fra, 250 dpi) : médiane {median:.1f} s"
          f" (de {min(timings) / 1000:.1f} à {max(timings) / 1000:.1f} s)")


def _timings(action: object, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    load = ", ".join(f"{x:.1f}".replace(".", ",") for x in os.getloadavg())
    print(f"Python {sys.version.split()[0]}, médiane de {REPEAT} passages ; charge de la machine {load} "
          f"pour {os.cpu_count()} processeurs\n")
    short_letters_speed()
    speed("lettre d'offre (40 pages)", letter_40_pages(), "lettre_offre")
    speed("dossier de présentation (200 p)", dossier(200), "dossier_presentation")
    heavy = heavy_pdf()
    speed("PDF lourd (photos)", heavy, "dossier_presentation")
    memory(heavy)
    ocr_speed()


if __name__ == "__main__":
    main()
