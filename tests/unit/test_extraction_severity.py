"""Severities mean what they say (docs/intake.md): a `bloquant` check makes the dossier incomplete, an
`attention` one is for the instructor and blocks nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ami.domain.extraction import Check, ExtractedField, compare
from ami.domain.models import DepositedPiece, Dossier, DossierForm, Envoi, Loan, Logements, Operation, PieceRecord
from ami.domain.pieces import PieceContext, examine
from ami.domain.rules import assess

from infra import pdfgen

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
LOANS = [Loan(kind="foncier", montant_eur=Decimal("1234567.89"), duree_mois=480, marge_pct=Decimal("0.60"))]


def _dossier() -> Dossier:
    form = DossierForm(
        operation=Operation(nom="Résidence", commune_insee="69123", adresse="2 rue Y, 69001 Lyon",
                            logements=Logements(t2=4, t3=2), surface_habitable_m2=Decimal(400),
                            surface_utile_m2=Decimal(420), loyer_mensuel_total_eur=Decimal(5000),
                            date_debut_travaux=dt.date(2027, 1, 1)),
        prets=LOANS,
    )
    pieces = {p: DepositedPiece(key=f"k/{p}", version_id="v1", sha256="0" * 64, size=10)
              for p in ("lettre_offre", "dossier_presentation")}
    return Dossier(dossier_id="d" * 32, siren="552100554", form=form, created_at=NOW, updated_at=NOW,
                   envoi=Envoi(envoi_id="e", sent_at=NOW, pieces=pieces))  # type: ignore[arg-type]


def _records(*checks: Check) -> dict[tuple[str, str], PieceRecord]:
    return {
        (piece, "v1"): PieceRecord(piece=piece, key=f"k/{piece}", version_id="v1", size=10, sha256="0" * 64,
                                   accepted=True, received_at=NOW, checked_at=NOW,
                                   checks=list(checks) if piece == "lettre_offre" else [])
        for piece in ("lettre_offre", "dossier_presentation")
    }  # type: ignore[misc]


def _letter_for(siren: str) -> bytes:
    return pdfgen.lettre_offre(raison_sociale="Habitat Forézien SA d'HLM", siren=siren, operation="Résidence",
                               commune="Lyon", loans=LOANS, reference="BDT-9", date_lettre=dt.date(2026, 11, 3))


def test_a_letter_for_another_siren_blocks_and_makes_the_dossier_incomplete() -> None:
    report = examine(_letter_for("732829320"), "lettre_offre", context=PieceContext(siren="552100554"), ocr=None)
    [other] = [c for c in report.checks if c.code == "autre_bailleur"]
    assert other.severity == "bloquant" and "732829320" in other.message_fr and "552100554" in other.message_fr
    result = assess(_dossier(), _records(*report.checks))
    assert result.verdict == "incomplet"
    assert [r.code for r in result.reasons] == ["autre_bailleur"]
    assert result.reasons[0].message == other.message_fr


def test_a_letter_for_this_siren_and_warnings_leave_the_dossier_complete() -> None:
    report = examine(_letter_for("552100554"), "lettre_offre", context=PieceContext(siren="552100554"), ocr=None)
    assert not [c for c in report.checks if c.severity == "bloquant"]
    warning = Check(code="autre_garant", severity="attention", message_fr="Une autre garantie est mentionnée.")
    assert assess(_dossier(), _records(*report.checks, warning)).verdict == "complet"


def test_a_siren_read_without_certainty_is_for_the_instructor() -> None:
    unsure = ExtractedField(name="emprunteur.siren", value="732829320", page=1, source="SIREN : 732829320",
                            confidence=0.75)  # read by OCR
    [check] = compare.letter_context([unsure], "552100554", None, dt.date(2026, 12, 1))
    assert check.code == "autre_bailleur" and check.severity == "attention"
    assert assess(_dossier(), _records(check)).verdict == "complet"


def test_differences_with_the_form_are_warnings_written_in_plain_french() -> None:
    report = examine(_letter_for("552100554"), "lettre_offre", ocr=None)
    other_amount = compare.letter_vs_form(report.fields, [LOANS[0].model_copy(update={"montant_eur": Decimal("1")})])
    two_loans = compare.letter_vs_form(report.fields, [LOANS[0], LOANS[0]])
    assert {c.code for c in other_amount} == {"ecart_montant", "ecart_total"}
    assert {c.code for c in two_loans} == {"ecart_nombre_prets", "ecart_total"}
    assert {c.severity for c in other_amount + two_loans} == {"attention"}
    count = next(c for c in two_loans if c.code == "ecart_nombre_prets")
    assert count.message_fr == "La lettre d'offre compte 1 prêt, le formulaire 2 prêts."
    assert assess(_dossier(), _records(*other_amount, *two_loans)).verdict == "complet"
