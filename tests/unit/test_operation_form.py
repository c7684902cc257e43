"""The operation form's detail (issue 17): dwellings line by line, transport, services de proximité, build
quality; totals derived from the lines or checked against them; every refusal in French, field by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from ami.domain.models import DossierForm, Operation
from ami.domain.validation_fr import field_errors, summary
from pydantic import ValidationError

LINE = {"typologie": "t2", "nombre": 4, "surface_habitable_m2": "45.5", "surface_utile_m2": "48",
        "loyer_mensuel_eur": "610.40"}


def errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as exc:
        DossierForm.model_validate({"operation": body})
    return field_errors(exc.value)


def test_the_totals_are_derived_from_the_lines() -> None:
    op = Operation.model_validate({"lignes": [LINE, {**LINE, "typologie": "t3", "nombre": 1,
                                                     "surface_utile_m2": "70", "loyer_mensuel_eur": "800"}]})
    assert op.logements is not None and (op.logements.t2, op.logements.t3, op.logements.total) == (4, 1, 5)
    assert op.surface_habitable_m2 == Decimal("227.5") and op.surface_utile_m2 == Decimal("262")
    assert op.loyer_mensuel_total_eur == Decimal("3241.60")
    again = Operation.model_validate(op.model_dump(mode="json"))  # as stored and read back: totals agree
    assert again == op


def test_totals_that_disagree_with_the_lines_are_refused_in_french() -> None:
    (err,) = errors({"lignes": [LINE], "loyer_mensuel_total_eur": "2500"})
    assert err["msg"] == "Opération : le loyer mensuel total ne correspond pas au détail des logements."
    (err,) = errors({"lignes": [LINE], "logements": {"t2": 3}})
    assert "le nombre de logements par typologie ne correspond pas" in err["msg"]
    Operation.model_validate({"lignes": [LINE], "surface_habitable_m2": "182.00"})  # the same total: accepted


@pytest.mark.parametrize(("line", "expected"), [
    ({"surface_utile_m2": "40"}, "Détail des logements, ligne 1 : la surface utile ne peut pas être inférieure à la "
                                 "surface habitable."),
    ({"nombre": 0}, "Détail des logements, ligne 1, nombre de logements : doit être supérieur ou égal à 1."),
    ({"typologie": "t9"}, "Détail des logements, ligne 1, typologie : doit valoir"),
    ({"loyer_mensuel_eur": "-3"}, "Détail des logements, ligne 1, loyer mensuel d'un logement : doit être supérieur "
                                  "à 0."),
])
def test_a_bad_line_is_refused_field_by_field(line: dict[str, Any], expected: str) -> None:
    (err,) = errors({"lignes": [{**LINE, **line}]})
    assert err["msg"].startswith(expected)


def test_transport_services_and_quality_are_validated_in_french() -> None:
    (err,) = errors({"transport": {}})
    assert err["msg"] == ("Desserte en transports en commun : indiquez la distance ou la page du dossier de "
                          "présentation.")
    (err,) = errors({"transport": {"distance_m": -1}})
    assert err["msg"].startswith("Distance à pied jusqu'à l'arrêt de transport en commun le plus proche : doit être")
    (err,) = errors({"services_proximite": {"rayon_m": 500, "services": ["ecoles", "ecoles"]}})
    assert err["msg"] == "Services de proximité : un service est cité deux fois."
    (err,) = errors({"services_proximite": {"rayon_m": 500, "services": ["piscine"]}})
    assert err["champ"] == "operation.services_proximite.services.0" and "doit valoir" in err["msg"]
    (err,) = errors({"qualite_construction": {}})
    assert err["msg"].startswith("Qualité de construction : indiquez la classe DPE, le label visé ou la page")
    (err,) = errors({"qualite_construction": {"classe_dpe": "H"}})
    assert err["msg"].startswith("Classe DPE : doit valoir")
    many = errors({"transport": {}, "qualite_construction": {}})
    assert summary(many).startswith("Les données envoyées comportent 2 erreurs.")
    op = Operation.model_validate({"transport": {"voir_page": 12}, "qualite_construction": {"label_vise": "BBCA"},
                                   "services_proximite": {"rayon_m": 400, "services": []}})
    assert op.transport is not None and op.transport.voir_page == 12 and op.transport.distance_m is None


def test_the_form_carries_french_titles_for_the_platform() -> None:
    schema = DossierForm.model_json_schema()
    defs = schema["$defs"]
    assert defs["LigneLogements"]["properties"]["surface_utile_m2"]["title"] == "Surface utile d'un logement (m²)"
    assert defs["Transport"]["properties"]["voir_page"]["title"] == "Voir le dossier de présentation, page"
    assert defs["ServicesProximite"]["properties"]["services"]["title"] == "Services présents dans cette distance"
    assert defs["Operation"]["properties"]["qualite_construction"]["title"] == "Qualité de construction"


def test_completeness_names_each_missing_field_with_its_own_agreement() -> None:
    from ami.domain.models import Dossier
    from ami.domain.rules import form_gaps
    from scoring_data import DEPOSIT

    d = Dossier(dossier_id="d" * 32, siren="732829320", created_at=DEPOSIT, updated_at=DEPOSIT)
    messages = [r.message for r in form_gaps(d)]
    assert "Formulaire incomplet : la surface utile n'est pas renseignée." in messages
    assert "Formulaire incomplet : les loyers mensuels prévus ne sont pas renseignés." in messages
    assert "Formulaire incomplet : le nom de l'opération n'est pas renseigné." in messages
    assert not any("(e)" in m or "(s)" in m for m in messages)


def _field(name: str, value: str, page: int) -> Any:
    from ami.domain.extraction import ExtractedField

    return ExtractedField(name=name, value=value, page=page, source="…", confidence=0.9)


def test_the_presentation_beside_the_form_and_a_disagreement_on_a_scored_value_is_a_check() -> None:
    from ami.domain.extraction.compare import presentation_vs_form

    op = Operation.model_validate({"lignes": [LINE], "transport": {"distance_m": 600},
                                   "qualite_construction": {"classe_dpe": "B"}})
    fields = [_field("environnement.transports", "bus 150 m ; gare 1,2 km", 3), _field("energie.dpe", "A", 5)]
    rows, checks = presentation_vs_form(fields, op)
    by = {r.champ: r for r in rows}
    assert (by["transport.distance_m"].document, by["transport.distance_m"].formulaire) == ("150", "600")
    assert (by["qualite.classe_dpe"].document, by["qualite.classe_dpe"].formulaire) == ("A", "B")
    assert by["loyer_m2_su_eur"].formulaire == "12.72" and by["loyer_m2_su_eur"].document is None  # 610,40 / 48
    found = {c.message_fr.split(" :")[0]: c for c in checks}
    transport = found["Arrêt de transport en commun le plus proche (m)"]
    assert transport.severity == "attention" and transport.page == 3
    dpe = found["Classe DPE"]
    assert dpe.severity == "attention" and "le score retient le formulaire" in dpe.message_fr
    agreeing = Operation.model_validate({"transport": {"distance_m": 150}, "qualite_construction": {"classe_dpe": "A"}})
    assert presentation_vs_form(fields, agreeing)[1] == []


@pytest.mark.parametrize("where", ["ligne", "pret", "marge"])
def test_a_number_given_as_an_array_is_a_french_field_error_not_a_crash(where: str) -> None:
    """pydantic's JSON mode reads an array of three items as a Decimal tuple and failed with a bare ValueError
    (a 500 on PUT /dossiers/{id}, found by schemathesis)."""
    triple = "[[], {}, []]"
    body = {
        "ligne": '{"operation": {"lignes": [{"typologie": "t2", "nombre": 1, "surface_habitable_m2": 40, '
                 f'"surface_utile_m2": {triple}, "loyer_mensuel_eur": 500}}]}}}}',
        "pret": f'{{"prets": [{{"kind": "bati", "produit": "PLI", "montant_eur": {triple}, "duree_mois": 480, '
                '"marge_pct": "0.6"}]}',
        "marge": f'{{"prets": [{{"kind": "bati", "produit": "PLI", "montant_eur": "1000", "duree_mois": 480, '
                 f'"marge_pct": {triple}}}]}}',
    }[where]
    with pytest.raises(ValidationError) as exc:
        DossierForm.model_validate_json(body)
    [error] = field_errors(exc.value)
    assert error["msg"].endswith("doit être un nombre."), error
