"""The `OcrEngine` port: Tesseract (the engine of the local emulation and the tests) and the test
engine that reads the text layer agree on what extraction relies on: words in page coordinates
(points from the top-left corner, inside the page), each with a confidence between 0 and 1, the
letter's SIREN and amounts among them. The Textract adapter is held to the same shape on a stubbed
client in tests/unit/test_extraction_ocr.py (there is no Textract in the emulation)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from ami.adapters.ocr import TesseractOcr
from ami.domain.extraction.ocr import OcrEngine, render_page
from fakes import TextLayerOcr

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
import families
from families import scanned

LETTER = families.DEVELOPMENT["B"](1)


@pytest.fixture(params=["texte", "tesseract"])
def engine(request: pytest.FixtureRequest) -> OcrEngine:
    if request.param == "texte":
        return TextLayerOcr(LETTER.data)
    found = shutil.which("tesseract")
    assert found, "tesseract est introuvable : installez tesseract-ocr et tesseract-ocr-fra (make tools)."
    return TesseractOcr(found)


def test_words_come_back_in_page_coordinates_with_a_confidence(engine: OcrEngine) -> None:
    page = render_page(pdfium.PdfDocument(scanned(LETTER.data))[0])
    words = engine.read(page, timeout=60)
    assert len(words) > 20
    for w in words:
        assert 0 <= w.x0 < w.x1 <= page.width_pt + 1 and 0 <= w.top < w.bottom <= page.height_pt + 1, w
        assert 0 < w.confidence <= 1, w
    texts = {w.text.strip(".,;:()") for w in words}
    assert LETTER.siren in texts or LETTER.siren in "".join(w.text for w in words)
    assert engine.name
