"""ami.domain.pieces: every refusal code on a realistic bad file, good pieces accepted, and no other outcome."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from ami.domain import pieces
from ami.domain.dispositif import dispositif
from ami.domain.errors import PieceRefused
from ami.domain.models import Loan, Logements, Operation, PieceKind
from ami.domain.pieces import examine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from infra import pdfgen

LOANS = [
    Loan(kind="foncier", montant_eur=Decimal("1234567.89"), duree_mois=480, marge_pct=Decimal("0.60")),
    Loan(kind="bati", montant_eur=Decimal("4500000.00"), duree_mois=600, marge_pct=Decimal("0.60")),
    Loan(
        kind="bati",
        produit="PLS",
        montant_eur=Decimal("750000.50"),
        duree_mois=486,
        index="taux_fixe",
        marge_pct=Decimal("3.20"),
    ),
]
OPERATION = Operation(
    nom="Les Jardins d'Émile",
    commune_insee="42218",
    adresse="12 rue de la Résistance",
    logements=Logements(t1=2, t2=10, t3=12, t4=4, t6_plus=1),
    surface_habitable_m2=Decimal("1850.50"),
    surface_utile_m2=Decimal("1920.00"),
    loyer_mensuel_total_eur=Decimal("26500.00"),
    date_debut_travaux=dt.date(2025, 10, 1),
)


def letter() -> bytes:
    return pdfgen.lettre_offre(
        raison_sociale="Habitat Forézien SA d'HLM",
        siren="732829320",
        operation="Les Jardins d'Émile",
        commune="Saint-Étienne",
        loans=LOANS,
        reference="BDT-2025-0042",
        date_lettre=dt.date(2025, 11, 30),
    )


def dossier(pages: int = 3) -> bytes:
    return pdfgen.dossier_presentation(
        operation=OPERATION,
        commune_nom="Saint-Étienne",
        zone="B1",
        raison_sociale="Habitat Forézien",
        pages=pages,
    )


def refusal(data: bytes, piece: PieceKind = "lettre_offre", declared_size: int | None = None) -> PieceRefused:
    with pytest.raises(PieceRefused) as caught:
        examine(data, piece, declared_size)
    return caught.value


def with_limits(monkeypatch: pytest.MonkeyPatch, **limits: int) -> None:
    real = dispositif()
    rules = {kind: rule.model_copy(update=limits) for kind, rule in real.pieces.items()}
    monkeypatch.setattr(pieces, "piece_rules", lambda kind: rules[kind])


# ---------------------------------------------------------------- accepted pieces


def test_offer_letter_is_accepted_with_its_text_layer() -> None:
    data = letter()
    report = examine(data, "lettre_offre", context=pieces.PieceContext(today=dt.date(2025, 12, 1)))
    assert (report.pages, report.sha256, report.size, report.text_layer, report.kind) == (
        1, hashlib.sha256(data).hexdigest(), len(data), True, "lettre_offre"
    )
    assert report.checks == ()
    assert {f.name: f.value for f in report.fields}["prets[0].montant_eur"] == "1234567.89"


def test_offer_letter_text_round_trips() -> None:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter())).pages)
    assert "Habitat Forézien SA d'HLM" in text
    assert "732829320" in text
    # fpdf2 wraps lines without breaking at a no-break space, then writes it as a plain space.
    for loan in LOANS:
        assert pdfgen.format_euros(loan.montant_eur).replace(pdfgen.NBSP, " ") in text
    assert "1 234 567,89 €" in text
    assert "Livret A + 0,60 %" in text
    assert "Action Logement Services" in text
    assert "Offre valable jusqu'au 28 février 2026" in text  # 30 novembre + 3 mois, clamped


@pytest.mark.parametrize("pages", [1, 3, 7])
def test_dossier_is_accepted_with_the_requested_page_count(pages: int) -> None:
    report = examine(dossier(pages), "dossier_presentation")
    assert report.pages == pages
    assert report.text_layer


def test_scan_without_ocr_is_accepted_without_text_layer() -> None:
    report = examine(pdfgen.scanned_pdf(), "dossier_presentation")
    assert (report.pages, report.text_layer) == (1, False)


def test_header_after_some_leading_bytes_is_accepted() -> None:
    assert examine(b"\r\n" * 100 + letter(), "lettre_offre").pages == 1


def test_declared_size_at_the_limit_is_accepted() -> None:
    limit = dispositif().pieces["lettre_offre"].max_bytes
    assert examine(letter(), "lettre_offre", declared_size=limit).pages == 1


# ---------------------------------------------------------------- refusals


def test_empty_file() -> None:
    assert refusal(b"").code == "vide_octets"


def test_declared_size_over_the_limit_says_the_limit_in_mo() -> None:
    limit = dispositif().pieces["lettre_offre"].max_bytes
    refused = refusal(letter(), declared_size=limit + 1)
    assert refused.code == "trop_volumineux"
    assert "25 Mo" in refused.message


def test_actual_size_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    with_limits(monkeypatch, max_bytes=1_048_576)
    refused = refusal(b"%PDF-1.7\n" + b"0" * 1_300_000)
    assert refused.code == "trop_volumineux"
    assert "1,2 Mo" in refused.message and "1 Mo" in refused.message


def test_word_document_is_named() -> None:
    refused = refusal(pdfgen.not_a_pdf())
    assert refused.code == "pas_un_pdf"
    assert "« PK »" in refused.message and "Word" in refused.message
    assert "Déposez la lettre d'offre au format PDF." in refused.message


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(64), "JPEG"),
        (b"GIF89a" + bytes(64), "GIF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), ".doc"),
        (b"  <!DOCTYPE html><html><body>Erreur 404</body></html>", "HTML"),
        ("Lettre d'offre — brouillon à compléter\n".encode(), "texte"),
        (bytes(range(256)), "%PDF-"),
    ],
)
def test_impostors_are_named(data: bytes, named: str) -> None:
    refused = refusal(data, "dossier_presentation")
    assert refused.code == "pas_un_pdf"
    assert named in refused.message
    assert "le dossier de présentation" in refused.message


def test_header_beyond_the_first_kilobyte_is_not_a_pdf() -> None:
    assert refusal(b" " * 1024 + letter()).code == "pas_un_pdf"


def test_truncated_upload_is_corrupt() -> None:
    refused = refusal(pdfgen.truncated_pdf())
    assert refused.code == "corrompu"
    assert "interrompu" in refused.message


def test_unreadable_body_is_corrupt() -> None:
    assert refusal(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF\n").code == "corrompu"


@pytest.mark.parametrize("password", ["secret", ""])
def test_encrypted_file_is_refused_even_with_an_empty_password(password: str) -> None:
    refused = refusal(pdfgen.encrypted_pdf(password))
    assert refused.code == "chiffre"
    assert "mot de passe" in refused.message


def test_pdf_without_pages() -> None:
    assert refusal(pdfgen.empty_pdf()).code == "sans_page"


def test_too_many_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    with_limits(monkeypatch, max_pages=2)
    refused = refusal(dossier(3), "dossier_presentation")
    assert refused.code == "trop_de_pages"
    assert "3 pages" in refused.message and "au plus 2" in refused.message


def test_real_page_limit_of_the_letter() -> None:
    limit = dispositif().pieces["lettre_offre"].max_pages
    assert refusal(dossier(limit + 1)).code == "trop_de_pages"


# ---------------------------------------------------------------- no other outcome, whatever the bytes


def test_pypdf_is_not_imported_at_module_import() -> None:
    code = "import sys, ami.domain.pieces; sys.exit('pypdf' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


VALID = letter()
mutated_pdf = st.builds(
    lambda cut, flips, keep_eof: _flip(VALID, flips)[:cut] + (b"\n%%EOF\n" if keep_eof else b""),
    cut=st.integers(0, len(VALID)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=8),
    keep_eof=st.booleans(),
)
# Random bodies dressed as a PDF reach pypdf instead of stopping at the header check.
dressed_bytes = st.binary(max_size=2048).map(lambda body: b"%PDF-1.7\n" + body + b"\n%%EOF\n")


def _flip(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    mutable = bytearray(data)
    for position, value in flips:
        mutable[position] = value
    return bytes(mutable)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=4096), mutated_pdf, dressed_bytes))
def test_any_bytes_give_a_report_or_a_refusal(data: bytes) -> None:
    try:
        report = examine(data, "lettre_offre")
    except PieceRefused as refused:
        assert refused.code in pieces.REFUSAL_CODES
        assert refused.message
    else:
        assert report.pages >= 1
        assert report.size == len(data)
