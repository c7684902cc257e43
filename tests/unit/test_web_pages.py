"""The plateforme's pure parts: reading the form the French way, errors next to their field in French,
fields built from the domain model, the receipt PDF, the duplicate warning and the security headers."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from ami.domain.duplicates import likely_duplicates
from ami.domain.models import DepositedPiece, Dossier, DossierForm, Envoi, Operation
from pypdf import PdfReader
from web import forms, receipt
from web.core import security_headers
from web.views import paris_ms


@pytest.mark.parametrize(("typed", "read"), [
    ("1 450 000,00", "1450000.00"), ("1\u202f450\u202f000,00 €", "1450000.00"), ("1.450.000,50", "1450000.50"),
    ("0,60 %", "0.60"), ("2 600,5 m²", "2600.5"), ("1450000", "1450000"), ("mille", "mille"),
])
def test_french_numbers_are_read(typed: str, read: str) -> None:
    assert forms.parse_decimal(typed) == read


def test_the_form_is_read_with_french_errors_next_to_each_field() -> None:
    raw = {
        "operation.nom": "Résidence du Parc", "operation.commune_insee": "Lyon",
        "operation.surface_utile_m2": "mille", "operation.date_debut_travaux": "01/03/2027",
        "operation.logements.t2": "12",
        "prets.0.kind": "foncier", "prets.0.montant_eur": "1 450 000,00", "prets.0.duree_mois": "600",
        "prets.0.marge_pct": "0,60",
        "prets.3.kind": "bati", "prets.3.montant_eur": "0", "prets.3.duree_mois": "480", "prets.3.marge_pct": "0,60",
    }
    form, errors = forms.parse(raw)
    assert form is None
    assert errors == {
        "operation.surface_utile_m2": "Surface utile : doit être un nombre.",
        "prets.3.montant_eur": "Montant : doit être supérieur à 0.",  # the page's index, not the model's
    }
    raw.update({"operation.surface_utile_m2": "1 060,00", "prets.3.montant_eur": "7 300 000"})
    form, errors = forms.parse(raw)
    assert errors == {} and form is not None
    assert form.operation.commune_insee == "69123"
    assert form.operation.date_debut_travaux.isoformat() == "2027-03-01"
    assert [(p.kind, p.montant_eur) for p in form.prets] == [("foncier", Decimal("1450000.00")),
                                                            ("bati", Decimal("7300000"))]


def test_a_commune_is_found_by_name_or_code_and_an_ambiguous_name_asks_for_the_code() -> None:
    assert forms.resolve_commune("saint etienne") == ("42218", None)
    assert forms.resolve_commune("Lyon (69123)") == ("69123", None)
    code, error = forms.resolve_commune("Saint-Denis")
    assert code is None and error is not None and "93066" in error
    assert forms.resolve_commune("Nullepart-sur-Mer")[1] == ("Aucune commune de ce nom : vérifiez l'orthographe "
                                                              "ou indiquez le code INSEE.")




def test_a_commune_is_found_by_its_postcode_and_a_code_meaning_several_communes_asks_which() -> None:
    assert [c.insee for c in forms.find_communes("38000")] == ["38185"]  # Grenoble
    # 69001 is both Affoux's INSEE code and the postcode of Lyon's 1st arrondissement: both offered.
    assert [c.insee for c in forms.find_communes("69001")] == ["69001", "69123"]
    assert {c.nom for c in forms.find_communes("01500")} >= {"Ambérieu-en-Bugey", "Ambronay", "Douvres"}
    started = forms.find_communes("7500")
    assert [c.insee for c in started] == ["75056"]  # Paris once, not once per arrondissement
    assert forms.resolve_commune("38000") == ("38185", None)
    assert forms.resolve_commune("75011") == ("75056", None)
    code, error = forms.resolve_commune("69001")
    assert code is None and error == ("Le code 69001 désigne plusieurs communes : choisissez-en une, par exemple "
                                      "Affoux (69001), Lyon (69123).")
    assert forms.resolve_commune("Affoux (69001)") == ("69001", None)
    assert forms.resolve_commune("99999") == (None, "Aucune commune n'a le code 99999 (ni code postal ni code "
                                                    "INSEE).")
    from ami.domain import rules

    assert "69003" in rules.postcodes("69123") and rules.postcodes("38185") == ("38000", "38100", "38700")


def test_every_field_of_the_model_becomes_an_input_with_its_label_and_unit() -> None:
    items = forms.widgets(Operation, "operation", DossierForm().operation.model_dump(), None)
    names = [i.name for i in items]
    # The detail of the dwellings is a list of rows, with its own section (forms.line_rows).
    assert names == [f"operation.{n}" for n in Operation.model_fields if n != "lignes"]
    by_name = {i.name: i for i in items}
    assert by_name["operation.surface_utile_m2"].unit == "m²"
    assert by_name["operation.loyer_mensuel_total_eur"].label == "Loyer mensuel total"
    assert isinstance(by_name["operation.logements"], forms.Group)
    from typing import Literal

    class WithDpe(Operation):
        classe_dpe: Literal["A", "B", "C"] | None = None

    extended = {i.name: i for i in forms.widgets(WithDpe, "operation", {}, None)}
    assert extended["operation.classe_dpe"].kind == "select"
    # Optional: the select may be left without a choice.
    assert [v for v, _ in extended["operation.classe_dpe"].options] == ["", "A", "B", "C"]
    services = {w.name: w for w in by_name["operation.services_proximite"].widgets}
    assert services["operation.services_proximite.services"].kind == "choices"
    assert services["operation.services_proximite.rayon_m"].unit == "m"


LINE = {"typologie": "t2", "nombre": "10", "surface_habitable_m2": "45,50", "surface_utile_m2": "48",
        "loyer_mensuel_eur": "650"}


def _line(i: int, **changes: str) -> dict[str, str]:
    return {f"operation.lignes.{i}.{k}": v for k, v in {**LINE, **changes}.items()}


def test_the_dwellings_are_read_line_by_line_and_give_the_totals() -> None:
    raw = {"operation.nom": "Résidence du Parc", **_line(0), **_line(3, typologie="t3", nombre="4",
           surface_habitable_m2="65", surface_utile_m2="60", loyer_mensuel_eur="800"),
           "operation.lignes.5.typologie": "t1",  # a line left empty is no line
           "operation.logements.t2": "3", "operation.surface_utile_m2": "1",  # stale totals: derived instead
           "operation.transport.distance_m": "300",
           "operation.services_proximite.rayon_m": "500", "operation.services_proximite.services.ecoles": "on",
           "operation.qualite_construction.classe_dpe": ""}
    form, errors = forms.parse(raw)
    # The page's index 3 is the model's second line: the error names it as the page shows it.
    assert errors == {"operation.lignes.3": "Détail des logements, ligne 2 : la surface utile ne peut pas être "
                                            "inférieure à la surface habitable."}
    form, errors = forms.parse({**raw, "operation.lignes.3.surface_utile_m2": "70"})
    assert errors == {} and form is not None
    op = form.operation
    assert op.logements is not None and (op.logements.t2, op.logements.t3, op.logements.total) == (10, 4, 14)
    assert (op.surface_habitable_m2, op.surface_utile_m2, op.loyer_mensuel_total_eur) == (
        Decimal("715.00"), Decimal("760"), Decimal("9700"))
    assert op.transport is not None and op.transport.distance_m == 300
    assert op.services_proximite is not None and op.services_proximite.services == ["ecoles"]
    assert op.qualite_construction is None
    rows = forms.line_rows(form)
    assert [(r.index, r.widgets[0].value) for r in rows] == [(0, "t2"), (1, "t3")]
    totals = {w.name: w for w in forms.operation_widgets(form) if isinstance(w, forms.Widget)}
    assert totals["operation.surface_utile_m2"].readonly and not totals["operation.nom"].readonly


def test_a_group_filled_in_part_says_what_it_lacks_in_french() -> None:
    form, errors = forms.parse({"operation.services_proximite.services.commerces": "on",
                                "operation.transport.voir_page": "0"})
    assert form is None
    assert errors == {
        "operation.services_proximite.rayon_m": "Services de proximité, distance à pied retenue : est obligatoire.",
        "operation.transport.voir_page": "Desserte en transports, page du dossier de présentation : doit être "
                                         "supérieur ou égal à 1.",
    }


def _sent(nom: str = "Résidence du Parc", number: int | None = 7) -> Dossier:
    now = datetime(2026, 12, 1, 13, 4, 5, 123456, tzinfo=UTC)
    return Dossier(
        dossier_id="a" * 32, siren="552081317", created_at=now, updated_at=now, deposit_number=number,
        form=DossierForm(operation=Operation(nom=nom, commune_insee="69123", adresse="1 rue de Lyon, 69001 Lyon")),
        envoi=Envoi(envoi_id="e", sent_at=now, pieces={
            "lettre_offre": DepositedPiece(key="k", version_id="v", sha256="f" * 64, size=1234)}),
    )


def test_the_deposit_time_is_shown_in_paris_to_the_millisecond() -> None:
    assert paris_ms(_sent().envoi.sent_at) == "1er décembre 2026 à 14 h 04 min 05,123 s (heure de Paris)"


def test_the_receipt_pdf_says_who_when_and_which_files() -> None:
    from ami.domain.dispositif import dispositif

    d = _sent()
    pieces = [{"kind": "lettre_offre", "libelle": "Lettre d'offre", "piece": d.envoi.pieces["lettre_offre"]},
              {"kind": "dossier_presentation", "libelle": "Dossier de présentation", "piece": None}]
    bailleur = type("B", (), {"raison_sociale": "Habitat (Lyon) & Cie", "siren": "552081317"})()
    text = PdfReader(io.BytesIO(receipt.pdf(d, bailleur, pieces, dispositif()))).pages[0].extract_text()
    for expected in ("Accusé de réception du dépôt", "Habitat (Lyon) & Cie, SIREN 552081317", "n° 7", "f" * 64,
                     "1er décembre 2026 à 14 h 04 min 05,123 s", "pièce absente au moment de l'envoi"):
        assert expected in text, expected


def test_the_same_operation_twice_is_flagged_and_another_is_not() -> None:
    first, again, other = _sent("Résidence du Parc"), _sent("RESIDENCE DU PARC"), _sent("Les Jardins")
    again = again.model_copy(update={"dossier_id": "b" * 32})
    other = other.model_copy(update={"dossier_id": "c" * 32, "form": DossierForm(operation=Operation(
        nom="Les Jardins", commune_insee="69123", adresse="9 rue Neuve, 69002 Lyon"))})
    stranger = again.model_copy(update={"dossier_id": "d" * 32, "siren": "732829320"})
    assert [d.dossier_id for d in likely_duplicates(first, [first, again, other, stranger])] == ["b" * 32]


def test_the_content_security_policy_allows_only_this_origin_and_the_upload_bucket() -> None:
    headers = security_headers({"https://depots.example"})
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert "connect-src 'self' https://depots.example;" in csp and "form-action 'self' https://depots.example;" in csp
    assert "unsafe" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
