"""Pure rules of the AMI: identification, zoning, completeness."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ami.domain.errors import InvalidInput
from ami.domain.models import (
    BailleurRegistration,
    DepositedPiece,
    Dossier,
    DossierForm,
    Envoi,
    Loan,
    Logements,
    Operation,
    PieceRecord,
)
from ami.domain.rules import assess, check_registration, commune, form_gaps, luhn_ok
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def luhn_reference(digits: str) -> bool:
    """The textbook definition, written differently from the implementation."""
    total = 0
    for i, d in enumerate(int(c) for c in reversed(digits)):
        total += sum(divmod(d * 2, 10)) if i % 2 else d
    return total % 10 == 0


@given(st.text(alphabet="0123456789", min_size=9, max_size=14))
def test_luhn_matches_the_reference(digits: str) -> None:
    assert luhn_ok(digits) == luhn_reference(digits)


def test_known_sirens() -> None:
    assert luhn_ok("552100554")  # a well-known valid SIREN
    assert not luhn_ok("552100555")


def registration(**changes: str) -> BailleurRegistration:
    base = {
        "raison_sociale": "Habitat Exemple",
        "siren": "552100554",
        "forme_juridique": "oph",
        "adresse": "1 rue de la Paix, 75002 Paris",
        "email_contact": "a@b.fr",
        "mot_de_passe": "x" * 12,
    }
    return BailleurRegistration.model_validate({**base, **changes})


def test_registration_refuses_bad_siren_and_ineligible_form_at_once() -> None:
    check_registration(registration())
    with pytest.raises(InvalidInput) as refused:
        check_registration(registration(siren="552100555", forme_juridique="sci"))
    fields = {d["champ"] for d in refused.value.details}  # type: ignore[union-attr]
    assert fields == {"siren", "forme_juridique"}
    eligible = next(d for d in refused.value.details if d["champ"] == "forme_juridique")  # type: ignore[union-attr]
    assert {f["code"] for f in eligible["formes_eligibles"]} >= {"sa_hlm", "oph", "sem", "sac", "scic_hlm"}


@pytest.mark.parametrize(
    ("insee", "zone"),
    [("75056", "Abis"), ("69123", "A"), ("21231", "B1"), ("21054", "B2"), ("23096", "C"), ("97411", "B1")],
)
def test_zonage_abc(insee: str, zone: str) -> None:
    found = commune(insee)
    assert found is not None and found.zone == zone


def full_form() -> DossierForm:
    return DossierForm(
        operation=Operation(
            nom="Résidence",
            commune_insee="69123",
            adresse="2 rue Y, 69001 Lyon",
            logements=Logements(t2=4, t3=2),
            surface_habitable_m2=Decimal(400),
            surface_utile_m2=Decimal(420),
            loyer_mensuel_total_eur=Decimal(5000),
            date_debut_travaux=date(2027, 1, 1),
        ),
        prets=[Loan(kind="bati", montant_eur=Decimal("1000000"), duree_mois=480, marge_pct=Decimal("0.6"))],
    )


def sent(form: DossierForm, pieces: dict[str, str]) -> Dossier:
    deposited = {p: DepositedPiece(key=f"k/{p}", version_id=v, sha256="0" * 64, size=10) for p, v in pieces.items()}
    return Dossier(
        dossier_id="d" * 32,
        siren="552100554",
        form=form,
        created_at=NOW,
        updated_at=NOW,
        envoi=Envoi(envoi_id="e", sent_at=NOW, pieces=deposited),
    )  # type: ignore[arg-type]


def record(piece: str, version: str, accepted: bool) -> PieceRecord:
    return PieceRecord(
        piece=piece,
        key=f"k/{piece}",
        version_id=version,
        size=10,
        sha256="0" * 64,  # type: ignore[arg-type]
        accepted=accepted,
        message=None if accepted else "Le fichier est chiffré.",
        received_at=NOW,
        checked_at=NOW,
    )


def test_form_gaps_name_each_missing_field() -> None:
    assert form_gaps(sent(full_form(), {})) == []
    empty = sent(DossierForm(), {})
    codes = {r.code for r in form_gaps(empty)}
    assert {"formulaire_nom", "formulaire_commune_insee", "formulaire_surface_utile_m2", "formulaire_prets"} <= codes
    said = {r.code: r.message for r in form_gaps(empty)}  # agreed with the noun, never « renseigné(e) »
    assert said["formulaire_surface_utile_m2"] == "Formulaire incomplet : la surface utile n'est pas renseignée."
    assert said["formulaire_loyer_mensuel_total_eur"] == (
        "Formulaire incomplet : les loyers mensuels prévus ne sont pas renseignés.")
    assert not [m for m in said.values() if "(" in m.replace("(code INSEE)", "")]
    odd = full_form()
    odd.operation.commune_insee = "99999"
    odd.operation.surface_utile_m2 = Decimal(100)
    assert {r.code for r in form_gaps(sent(odd, {}))} == {"formulaire_commune", "formulaire_surfaces"}


def test_assess_complete_waiting_and_incomplete() -> None:
    both = {"lettre_offre": "v1", "dossier_presentation": "v2"}
    good = {
        ("lettre_offre", "v1"): record("lettre_offre", "v1", True),
        ("dossier_presentation", "v2"): record("dossier_presentation", "v2", True),
    }
    assert assess(sent(full_form(), both), good).verdict == "complet"
    assert assess(sent(full_form(), both), {k: v for k, v in good.items() if k[0] == "lettre_offre"}).verdict == (
        "en_attente"
    )
    refused = {**good, ("dossier_presentation", "v2"): record("dossier_presentation", "v2", False)}
    result = assess(sent(full_form(), both), refused)
    assert result.verdict == "incomplet" and result.reasons[0].code == "piece_refusee_dossier_presentation"


def test_a_version_uploaded_after_envoi_does_not_count() -> None:
    """Only the versions recorded at envoi belong to the deposit."""
    deposited = sent(full_form(), {"lettre_offre": "v1", "dossier_presentation": "v2"})
    later = {
        ("lettre_offre", "v9"): record("lettre_offre", "v9", True),
        ("dossier_presentation", "v2"): record("dossier_presentation", "v2", True),
    }
    assert assess(deposited, later).verdict == "en_attente"


def test_a_missing_piece_says_its_last_upload_was_refused() -> None:
    records = {("lettre_offre", "v0"): record("lettre_offre", "v0", False)}
    result = assess(sent(full_form(), {"dossier_presentation": "v2"}), records)
    assert result.verdict == "incomplet"
    assert "refusé" in result.reasons[0].message and "chiffré" in result.reasons[0].message
