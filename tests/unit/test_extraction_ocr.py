"""Scanned lettres d'offre (no text layer) read by OCR: Tesseract with its French model here and in CI
(installed by `make tools`), the intake use case on in-memory fakes with an engine, the engine chosen by the
composition root from the settings. The Textract adapter is tested in tests/integration/test_ocr_textract.py.

Without Tesseract or its French model the first test fails and says what to install: the OCR tests are
never skipped silently.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from ami import bootstrap
from ami.adapters.ocr import OcrUnavailable, TesseractOcr, TextractOcr, ocr_engine, parse_tesseract_tsv
from ami.domain.deposit_keys import piece_key
from ami.domain.extraction import HIGH_CONFIDENCE
from ami.domain.extraction.ocr import OCR_CONFIDENCE, PageImage, render_page
from ami.domain.models import Bailleur, Dossier
from ami.domain.pieces import PieceContext, examine
from ami.services.idempotency import Idempotency
from ami.services.intake import Intake, Upload
from ami.settings import Settings
from fakes import InMemoryDeposits, InMemoryPersistenceLayer, InMemoryPublisher, InMemoryStore, TextLayerOcr
from pydantic import ValidationError

from infra import pdfgen

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
import families
from families import scanned

INSTALL = "installez tesseract-ocr et tesseract-ocr-fra (make tools, en root avec apt-get)"


@pytest.fixture(scope="module")
def tesseract() -> TesseractOcr:
    found = shutil.which("tesseract")
    assert found, f"tesseract est introuvable : {INSTALL}."
    engine = TesseractOcr(found)
    assert "fra" in engine.languages(), f"le modèle français de tesseract manque : {INSTALL}."
    return engine


def test_a_scanned_letter_is_read_by_tesseract_with_reduced_confidence(tesseract: TesseractOcr) -> None:
    letter = families.DEVELOPMENT["B"](1)
    data = scanned(letter.data)
    assert not "".join(pdfium.PdfDocument(data)[0].get_textpage().get_text_range().split())  # no text layer
    report = examine(data, "lettre_offre", context=PieceContext(siren=letter.siren), ocr=tesseract)
    codes = [c.code for c in report.checks]
    assert "lettre_scannee" in codes and "sans_texte" not in codes
    scanned_check = next(c for c in report.checks if c.code == "lettre_scannee")
    assert "scanné" in scanned_check.message_fr and "(Tesseract)" in scanned_check.message_fr
    fields = {f.name: f for f in report.fields}
    truth = letter.truth()
    assert fields["emprunteur.siren"].value == letter.siren
    read = [name for name in ("montant_eur", "duree_amortissement_mois", "nature")
            if fields.get(f"prets[0].{name}") and fields[f"prets[0].{name}"].value == truth[f"prets[0].{name}"]]
    assert len(read) == 3, {n: f.value for n, f in fields.items()}
    assert all(f.confidence <= OCR_CONFIDENCE < HIGH_CONFIDENCE for f in report.fields)


def test_a_blank_scan_still_says_it_has_no_text(tesseract: TesseractOcr) -> None:
    report = examine(pdfgen.scanned_pdf(), "lettre_offre", ocr=tesseract)
    assert [c.code for c in report.checks] == ["sans_texte"] and report.fields == ()


def test_without_an_engine_a_scan_is_left_to_the_instructor() -> None:
    report = examine(scanned(families.DEVELOPMENT["B"](1).data), "lettre_offre", ocr=None)
    assert [c.code for c in report.checks] == ["sans_texte"] and report.fields == ()


class _Failing:
    name = "en panne"

    def read(self, page: PageImage, timeout: float) -> list:  # type: ignore[type-arg]
        raise RuntimeError("throttled")


def test_an_engine_that_fails_leaves_the_letter_to_the_instructor() -> None:
    report = examine(scanned(families.DEVELOPMENT["B"](1).data), "lettre_offre", ocr=_Failing())
    assert [c.code for c in report.checks] == ["sans_texte"] and report.fields == ()


def test_tesseract_tsv_is_turned_into_page_coordinates() -> None:
    page = PageImage(b"", width_pt=595.0, height_pt=842.0, width_px=1190, height_px=1684)
    tsv = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
           "5\t1\t1\t1\t1\t1\t100\t200\t50\t20\t91.5\tMontant\n"
           "5\t1\t1\t1\t1\t2\t160\t200\t10\t20\t-1\t \n"
           "4\t1\t1\t1\t1\t0\t100\t200\t70\t20\t-1\t\n")
    [word] = parse_tesseract_tsv(tsv, page)
    assert (word.text, word.x0, word.x1, word.top, word.bottom) == ("Montant", 50.0, 75.0, 100.0, 110.0)
    assert word.confidence == pytest.approx(0.915)


def test_the_page_image_sent_to_an_engine_is_a_greyscale_png() -> None:
    page = pdfium.PdfDocument(families.DEVELOPMENT["B"](0).data)[0]
    image = render_page(page, dpi=50)
    assert image.png.startswith(b"\x89PNG\r\n\x1a\n") and abs(image.width_px - page.get_width() * 50 / 72) <= 1
    import io

    from PIL import Image

    decoded = Image.open(io.BytesIO(image.png))
    assert decoded.mode == "L" and decoded.size == (image.width_px, image.height_px)
    assert decoded.getextrema()[0] < 100  # black text on the white page


class _Aws:
    """The engines' choice makes no client: nothing of `ami.adapters.aws.Aws` is called."""

    def client(self, service: str) -> Any:
        raise AssertionError(f"no {service} client is made when the engine is chosen")


def test_the_engine_is_chosen_by_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    aws: Any = _Aws()
    assert ocr_engine("aucun", in_lambda=True, aws=aws) is None
    assert isinstance(ocr_engine("textract", in_lambda=False, aws=aws), TextractOcr)
    assert isinstance(ocr_engine("", in_lambda=True, aws=aws), TextractOcr)
    assert isinstance(ocr_engine("", in_lambda=False, aws=aws), TesseractOcr)  # installed here (make tools)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert ocr_engine("", in_lambda=False, aws=aws) is None
    with pytest.raises(OcrUnavailable, match="tesseract-ocr"):
        ocr_engine("tesseract", in_lambda=False, aws=aws)


def test_the_composition_root_wires_the_engine_into_intake() -> None:
    aws: Any = _Aws()
    in_lambda = Settings.model_validate({"AWS_LAMBDA_FUNCTION_NAME": "intake"})
    layer = InMemoryPersistenceLayer()
    app = bootstrap.build(in_lambda, aws=aws, idempotency=Idempotency(lambda: layer), store=InMemoryStore(),
                          deposits=InMemoryDeposits(), publisher=InMemoryPublisher())
    assert isinstance(app.ocr, TextractOcr) and app.intake.ocr is app.ocr
    assert bootstrap.build(Settings.model_validate({"AMI_OCR": "aucun"}), aws=aws).ocr is None
    with pytest.raises(ValidationError):  # a wrong choice fails at start, not on the first scanned letter
        Settings.model_validate({"AMI_OCR": "Textract"})
    engine = _Failing()
    assert bootstrap.build(in_lambda, aws=aws, ocr=engine).ocr is engine  # what the tests pass in
    assert bootstrap.build(in_lambda, aws=aws, ocr=None).ocr is None


def test_intake_reads_a_scanned_letter_with_the_engine_it_was_given() -> None:
    letter = families.DEVELOPMENT["A"](1)
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    store, publisher, layer = InMemoryStore(), InMemoryPublisher(), InMemoryPersistenceLayer()
    store.register_bailleur(Bailleur(siren=letter.siren, raison_sociale="Habitat Exemple", forme_juridique="5599",
                                     adresse="2 rue Y, 69001 Lyon", email_contact="a@bailleur.fr", registered_at=now))
    dossier = Dossier(dossier_id="d" * 32, siren=letter.siren, created_at=now, updated_at=now)
    store.create_dossier(dossier, "bailleur")
    key = piece_key(letter.siren, dossier.dossier_id, "lettre_offre")
    deposits = InMemoryDeposits()
    deposits.put(key, scanned(letter.data, dpi=72), version_id="v1")
    intake = Intake(deposits, store, publisher, Idempotency(lambda: layer),
                    lambda: now, ocr=TextLayerOcr(letter.data))
    outcome = intake.process(Upload(bucket="depots", key=key, version_id="v1", size=1, event_time=now))
    assert outcome.outcome == "accepted"
    record = store.piece_records(dossier.dossier_id)[("lettre_offre", "v1")]
    scanned_check = next(c for c in record.checks if c.code == "lettre_scannee")
    assert "(Lecteur de test)" in scanned_check.message_fr
    got = {f.name: f.value for f in record.fields}
    assert all(got.get(name) == value for name, value in letter.truth().items())
    assert max(f.confidence for f in record.fields) <= OCR_CONFIDENCE
    assert [m.queue for m in publisher.sent] == ["completeness"]
