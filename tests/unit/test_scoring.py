"""Priority-2 scoring: the grid, each criterion from its data, missing data, findings, overrides,
determinism, and the scoring step after numbering."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from ami.domain import grid, scoring
from ami.domain.errors import InvalidInput, NotFound
from ami.domain.grid import ScoringConfig, load_config
from ami.domain.models import LABELS_ENERGETIQUES, DepositNumbered, Dossier
from ami.domain.scoring import Fact, lli_ceiling, score_dossier
from ami.services.after_numbering import AfterNumbering
from ami.services.idempotency import Idempotency
from ami.services.outbox import OutboxRelay
from fakes import InMemoryPersistenceLayer, InMemoryPublisher, InMemoryReferentiels, InMemoryStore
from pydantic import ValidationError
from scoring_data import BAILLEUR, dossier, lignes, referentiels

FACTS = {
    "distance_transport_m": Fact(valeur="250", piece="dossier_presentation", page=14),
    "dpe_classe": Fact(valeur="b", piece="dossier_presentation", page=31),
}


TOTAL = Decimal("77.50")


def points(score: scoring.Score) -> dict[str, Decimal | None]:
    return {c.code: c.points for c in score.criteres}


# ---------------------------------------------------------------- the grid


def test_the_shipped_grid_is_valid_versioned_and_adds_up_to_100() -> None:
    cfg, sha = grid.scoring_config()
    assert cfg.version == "2026.1" and len(sha) == 64
    assert sum(c.poids for c in cfg.criteres) == Decimal(100) == cfg.total
    assert cfg.plafonds_lli.annees[2024] == {"Abis": Decimal("18.89"), "A": Decimal("14.03"),
                                             "B1": Decimal("11.31"), "B2_C": Decimal("9.83")}
    assert cfg.plafonds_lli.annees[2025] == {"Abis": Decimal("19.51"), "A": Decimal("14.49"),
                                             "B1": Decimal("11.68"), "B2_C": Decimal("10.15")}
    assert cfg.referentiels_utilises() == ("dynamisme_economique", "saturation_demande_li")


def _raw() -> dict[str, Any]:
    return tomllib.loads(grid.config_text())


@pytest.mark.parametrize("breaks", [
    lambda g: g["criteres"][0].update(poids="16"),  # weights add up to 101
    lambda g: g["criteres"][0]["bareme"]["paliers"].reverse(),  # unordered scale
    lambda g: g["criteres"][0]["bareme"]["paliers"][0].update(fraction="1.5"),  # fraction above 1
    lambda g: g["criteres"][0]["donnee"].update(nom="inconnu"),  # undeclared referential
    lambda g: g["plafonds_lli"]["annees"]["2025"].pop("B1"),  # a zone without ceiling
    lambda g: g["criteres"][1].update(code="dynamisme_economique"),  # duplicate code
    lambda g: g["criteres"][0].update(ponderation="3"),  # unknown key
])
def test_a_broken_grid_is_refused(breaks: Any) -> None:
    grid = _raw()
    breaks(grid)
    with pytest.raises(ValidationError):
        ScoringConfig.model_validate(grid)


# ---------------------------------------------------------------- LLI ceilings


@pytest.mark.parametrize(("zone", "year", "surface", "expected"), [
    ("Abis", 2024, "50", ("18.89", "1.08", "20.40")),
    ("Abis", 2024, "10", ("18.89", "1.20", "22.67")),  # capped at 1.2
    ("A", 2025, "63.33", ("14.49", "1.00", "14.49")),
    ("B1", 2025, "38", ("11.68", "1.20", "14.02")),  # 0.7 + 19/38 = 1.2 exactly
    ("C", 2025, "100", ("10.15", "0.89", "9.03")),  # B2 and C share a ceiling
    ("B2", 2024, "76", ("9.83", "0.95", "9.34")),
])
def test_lli_ceiling(zone: str, year: int, surface: str, expected: tuple[str, str, str]) -> None:
    cfg, _ = grid.scoring_config()
    assert lli_ceiling(cfg, zone, year, Decimal(surface)) == tuple(Decimal(v) for v in expected)


# ---------------------------------------------------------------- scoring


def test_every_criterion_scored_from_its_data_with_its_source() -> None:
    s = score_dossier(dossier(), FACTS, referentiels())
    assert points(s) == {
        "dynamisme_economique": Decimal("10.50"), "tension_marche": Decimal("16.00"),
        "saturation_demande_li": Decimal("12.00"), "desserte_transports": Decimal("6.00"),
        "services_proximite": Decimal("2.80"), "niveau_loyer": Decimal("14.00"),
        "mixite_typologique": Decimal("5.60"), "surfaces": Decimal("5.00"), "qualite_construction": Decimal("5.60"),
    }
    assert s.total == s.total_retenu == TOTAL and s.sur == 100
    assert s.complet and s.points_non_evalues == 0 and s.constats == []
    assert s.config_version == "2026.1" and s.annee_plafonds == 2025
    assert s.referentiels == {"dynamisme_economique": "dynamisme_economique v1",
                              "saturation_demande_li": "saturation_demande_li v1"}
    by = {c.code: c for c in s.criteres}
    assert all(c.a_fournir_par is None for c in s.criteres)
    assert by["dynamisme_economique"].valeur == "0.8"
    assert by["dynamisme_economique"].sources[0].model_dump() == {
        "type": "referentiel", "reference": "dynamisme_economique", "version": "dynamisme_economique v1", "page": None}
    # the form refers to page 14 of the presentation, where the distance was read
    assert by["desserte_transports"].sources[0].page == 14 and by["desserte_transports"].sources[0].type == "document"
    assert by["qualite_construction"].valeur == "B" and by["qualite_construction"].sources[0].type == "formulaire"
    assert "confirmé par le dossier de présentation, page 31" in by["qualite_construction"].explication
    assert by["services_proximite"].valeur == "3"
    assert "commerces, écoles, crèches" in by["services_proximite"].explication
    assert by["tension_marche"].valeur == "A" and by["tension_marche"].sources[0].type == "zonage"
    loyer = by["niveau_loyer"]
    # 10 T2 of 58 m² SU (coefficient 1,03: 14,92 €/m²) and 5 T3 of 74 m² (0,96: 13,91 €/m²), zone A, 2025
    assert loyer.valeur == "0.8695" and "12,63 €/m²" in loyer.explication and "14,53 €/m²" in loyer.explication
    assert loyer.explication.endswith(": ratio 0,8695.")  # as French writes numbers; `valeur` stays data
    assert all(c.poids and c.explication for c in s.criteres)


def test_missing_data_is_said_with_who_provides_it_and_not_scored_zero() -> None:
    s = score_dossier(dossier(lignes=None, transport=None, services_proximite=None, qualite_construction=None),
                      {}, {})
    by = {c.code: c for c in s.criteres}
    who = {"dynamisme_economique": "exploitation", "saturation_demande_li": "exploitation",
           "desserte_transports": "bailleur", "services_proximite": "bailleur", "qualite_construction": "bailleur",
           "niveau_loyer": "bailleur"}
    for code, par in who.items():
        assert by[code].statut == "donnee_manquante" and by[code].points is None, code
        assert by[code].explication.startswith("Donnée manquante") and by[code].a_fournir_par == par, code
        assert "À fournir par" in by[code].explication, code
    assert "aucun référentiel « dynamisme_economique » n'a été importé" in by["dynamisme_economique"].explication
    assert "ami score recalculer" in by["dynamisme_economique"].explication
    assert "surfaces utiles et les loyers de chaque logement" in by["niveau_loyer"].explication
    assert s.points_non_evalues == Decimal("67.00") and not s.complet
    assert s.total == Decimal("16.00") + Decimal("5.60") + Decimal("5.00")
    assert s.referentiels == {"dynamisme_economique": "absent", "saturation_demande_li": "absent"}


def test_a_commune_absent_from_a_referential_is_missing_data() -> None:
    s = score_dossier(dossier(commune_insee="75056"), FACTS, referentiels(insee="69123"))
    crit = s.critere("dynamisme_economique")
    assert crit is not None and crit.statut == "donnee_manquante" and crit.a_fournir_par == "exploitation"
    assert "75056 est absente du référentiel dynamisme_economique v1" in crit.explication


def test_an_unreadable_fact_is_missing_data_with_its_page() -> None:
    s = score_dossier(dossier(), {"distance_transport_m": Fact(valeur="proche", piece="dossier_presentation",
                                                               page=3)}, referentiels())
    crit = s.critere("desserte_transports")
    assert crit is not None and crit.statut == "donnee_manquante" and "page 3" in crit.explication
    assert crit.a_fournir_par == "instructeur"


def test_a_page_of_the_presentation_where_nothing_was_read_is_for_the_instructor() -> None:
    """A scan: the form says « voir page 14 », intake read nothing; the instructor reads it and overrides."""
    s = score_dossier(dossier(), {}, referentiels())
    crit = s.critere("desserte_transports")
    assert crit is not None and crit.statut == "donnee_manquante" and crit.a_fournir_par == "instructeur"
    assert "renvoie au dossier de présentation, page 14" in crit.explication
    quality = s.critere("qualite_construction")
    assert quality is not None and quality.statut == "evalue"  # the form gave the class itself


def test_the_form_comes_first_and_a_document_that_disagrees_is_said() -> None:
    s = score_dossier(dossier(transport={"distance_m": 700}, qualite_construction={"classe_dpe": "C"}), FACTS,
                      referentiels())
    transport, quality = s.critere("desserte_transports"), s.critere("qualite_construction")
    assert transport is not None and transport.valeur == "700" and transport.points == Decimal("2.40")
    assert "le dossier de présentation indique « 250 », page 14 : écart à vérifier" in transport.explication
    assert quality is not None and quality.valeur == "C" and "indique « b », page 31" in quality.explication


def test_a_targeted_label_scores_the_build_quality_when_no_class_is_given() -> None:
    s = score_dossier(dossier(qualite_construction={"label_vise": "BEPOS"}), {}, referentiels())
    crit = s.critere("qualite_construction")
    assert crit is not None and crit.valeur == "BEPOS" and crit.points == Decimal("7.00")
    cfg, _ = grid.scoring_config()
    bareme = cfg.critere("qualite_construction").bareme
    assert isinstance(bareme, grid.BaremeCategories)
    assert set(LABELS_ENERGETIQUES) | set("ABCDEFG") == set(bareme.valeurs)  # every choice of the form is scored


def test_services_within_the_grid_distance_are_counted_and_farther_ones_are_not() -> None:
    five = ["commerces", "ecoles", "creches", "equipements_sportifs", "equipements_administratifs"]
    near = score_dossier(dossier(services_proximite={"rayon_m": 800, "services": five}), FACTS, referentiels())
    assert near.critere("services_proximite").points == Decimal("4.00")  # type: ignore[union-attr]
    far = score_dossier(dossier(services_proximite={"rayon_m": 1500, "services": ["commerces"]}), FACTS,
                        referentiels())
    crit = far.critere("services_proximite")
    assert crit is not None and crit.statut == "evalue" and crit.points == Decimal("0.00")
    assert "(commerces), au-delà des 1\u202f000 m de la grille : non comptés" in crit.explication
    none = score_dossier(dossier(services_proximite={"rayon_m": 500, "services": []}), FACTS, referentiels())
    assert none.critere("services_proximite").points == Decimal("0.00")  # type: ignore[union-attr]
    silent = score_dossier(dossier(services_proximite=None), {
        "services": Fact(valeur="commerces ; école", piece="dossier_presentation", page=5)}, referentiels())
    crit = silent.critere("services_proximite")
    assert crit is not None and crit.statut == "donnee_manquante" and crit.a_fournir_par == "bailleur"
    assert "le dossier de présentation cite : commerces ; école, page 5, sans distance" in crit.explication


def test_zones_outside_lli_are_eligibility_findings_for_the_instructor() -> None:
    s = score_dossier(dossier(commune_insee="23096", lignes=lignes("500", "600")), FACTS,
                      referentiels(insee="23096"))  # Guéret, zone C
    assert [c.code for c in s.constats] == ["zone_hors_lli"]
    assert s.constats[0].gravite == "eligibilite" and "zone C" in s.constats[0].message
    assert "L'instructeur doit confirmer l'éligibilité" in s.constats[0].message
    assert s.critere("tension_marche").points == Decimal("0.00")  # type: ignore[union-attr]
    assert s.complet  # scored all the same


def test_a_dwelling_above_its_ceiling_is_an_eligibility_finding_even_below_on_average() -> None:
    """The T2 rents 14,92 €/m² SU at most (coefficient 1,03), the T3 13,91 €/m²: a T2 at 900 € (15,52 €/m²)
    is above its own ceiling while the whole operation stays under the average ceiling."""
    s = score_dossier(dossier(lignes=lignes("900", "600")), FACTS, referentiels())
    (finding,) = s.constats
    assert finding.code == "loyer_superieur_plafond" and finding.gravite == "eligibilite"
    assert "T2 (10 logements de 58 m² SU) : 15,52 €/m² SU pour un plafond de 14,92 €/m² SU" in finding.message
    assert "T3" not in finding.message and "zone A, 2025" in finding.message
    crit = s.critere("niveau_loyer")
    assert crit is not None and Decimal(crit.valeur or "9") < 1  # 12 000 € on 13 800,30 € of ceilings


def test_rent_above_the_ceiling_everywhere_scores_zero() -> None:
    s = score_dossier(dossier(lignes=lignes("1300", "1400")), FACTS, referentiels())
    crit = s.critere("niveau_loyer")
    assert crit is not None and crit.points == Decimal("0.00") and crit.valeur == "1.4492"
    assert [c.code for c in s.constats] == ["loyer_superieur_plafond"]


def test_the_ceiling_is_applied_dwelling_by_dwelling_as_in_the_issue() -> None:
    """Zone B1, 2024: 10 homes of 25 m² (coefficient 1,2) and 10 of 100 m² (0,89) allow 10,77 €/m² SU on
    average; the coefficient of the average 62,5 m² would have allowed 11,31 €/m² (1,00 once rounded)."""
    homes = [{"typologie": "t1", "nombre": 10, "surface_habitable_m2": "25", "surface_utile_m2": "25",
              "loyer_mensuel_eur": "250"},
             {"typologie": "t4", "nombre": 10, "surface_habitable_m2": "95", "surface_utile_m2": "100",
              "loyer_mensuel_eur": "1000"}]
    d = dossier(commune_insee="21231", lignes=homes, sent_at=datetime(2024, 6, 3, 9, tzinfo=UTC))  # Dijon, B1
    r = scoring.rent_check(d, grid.scoring_config()[0])
    assert isinstance(r, scoring.RentCheck)
    assert r.ceiling_m2 == Decimal("10.77") and r.rent_m2 == Decimal("10.00") and r.year == 2024
    assert [(ln.coefficient, ln.plafond_m2) for ln in r.lines] == [(Decimal("1.20"), Decimal("13.57")),
                                                                 (Decimal("0.89"), Decimal("10.07"))]
    assert lli_ceiling(grid.scoring_config()[0], "B1", 2024, Decimal("62.5"))[2] == Decimal("11.31")


def test_overseas_dossiers_are_not_given_the_metropolitan_ceilings() -> None:
    d = dossier(commune_insee="97411")  # Saint-Denis (La Réunion), zone B1 of the zonage
    s = score_dossier(d, FACTS, referentiels(insee="97411"))
    crit = s.critere("niveau_loyer")
    assert crit is not None and crit.statut == "donnee_manquante" and crit.a_fournir_par == "exploitation"
    assert "2 terdecies F" in crit.explication
    text = grid.config_text().replace("annees = {}", 'annees = { 2025 = "12.00" }')
    with_dom = score_dossier(d, FACTS, referentiels(insee="97411"), config=load_config(text))
    crit = with_dom.critere("niveau_loyer")
    assert crit is not None and crit.statut == "evalue" and "outre-mer, plafond 2025 de 12,00 €" in crit.explication


def test_ceilings_of_the_deposit_year_or_the_latest_before() -> None:
    cfg, _ = grid.scoring_config()
    y2024 = score_dossier(dossier(sent_at=datetime(2024, 12, 31, 23, 30, tzinfo=UTC)), FACTS, referentiels())
    assert y2024.annee_plafonds == 2025  # 1 January 2025 at 00:30 in Paris
    y2026 = score_dossier(dossier(sent_at=datetime(2026, 5, 1, tzinfo=UTC)), FACTS, referentiels())
    assert y2026.annee_plafonds == 2025
    assert "plafonds 2026 inconnus : plafonds 2025 appliqués" in y2026.critere("niveau_loyer").explication  # type: ignore[union-attr]
    y2023 = score_dossier(dossier(sent_at=datetime(2023, 6, 1, tzinfo=UTC)), FACTS, referentiels())
    assert y2023.critere("niveau_loyer").statut == "donnee_manquante"  # type: ignore[union-attr]
    assert y2023.critere("niveau_loyer").a_fournir_par == "exploitation"  # type: ignore[union-attr]
    assert y2023.annee_plafonds is None and cfg.plafonds_lli.year(2023) is None


def test_scoring_is_deterministic_and_records_what_it_used() -> None:
    d = dossier()
    first = score_dossier(d, FACTS, referentiels())
    again = score_dossier(d.model_copy(deep=True), dict(reversed(FACTS.items())), referentiels())
    assert first.model_dump_json() == again.model_dump_json()
    newer = score_dossier(d, FACTS, referentiels(dynamisme="2", version=2))
    assert newer.empreinte != first.empreinte
    assert newer.referentiels["dynamisme_economique"] == "dynamisme_economique v2"
    stored = d.model_copy(update={"scoring": first}).model_dump_json()  # as the dossier is stored
    assert Dossier.model_validate_json(stored).scoring == first and first.total == TOTAL


def test_another_grid_version_gives_its_own_version() -> None:
    text = grid.config_text().replace('version = "2026.1"', 'version = "2026.2"').replace(
        'poids = "20"\ndonnee = { type = "zonage" }', 'poids = "20"\ndonnee = { type = "zonage" }\n# changed')
    s = score_dossier(dossier(), FACTS, referentiels(), config=load_config(text))
    assert s.config_version == "2026.2" and s.config_sha256 != grid.scoring_config()[1]


# ---------------------------------------------------------------- overrides


def test_an_override_keeps_the_original_and_needs_a_justification() -> None:
    record = score_dossier(dossier(), FACTS, referentiels())
    at = datetime(2025, 4, 1, tzinfo=UTC)
    out = scoring.override(record, "niveau_loyer", Decimal("18"), "Loyer revu à la baisse par avenant.",
                           "instructeur:x@al.fr", at)
    crit = out.critere("niveau_loyer")
    assert crit is not None and crit.points == Decimal("14.00")  # the computed points stay visible
    assert out.surcharges["niveau_loyer"].points == Decimal("18.00")
    assert out.surcharges["niveau_loyer"].points_origine == Decimal("14.00")
    assert out.total == TOTAL and out.total_retenu == TOTAL + 4
    assert record.surcharges == {}  # the score overridden is a new one
    with pytest.raises(InvalidInput) as exc:
        scoring.override(record, "niveau_loyer", Decimal("18"), "  court ", "i", at)
    assert exc.value.code == "justification_requise"
    with pytest.raises(InvalidInput) as exc:
        scoring.override(record, "niveau_loyer", Decimal("21"), "Au-delà du poids du critère.", "i", at)
    assert exc.value.code == "points_invalides"
    with pytest.raises(NotFound):
        scoring.override(record, "beaute", Decimal("1"), "Critère qui n'existe pas.", "i", at)
    with pytest.raises(InvalidInput):
        scoring.override(None, "niveau_loyer", Decimal("1"), "Pas encore de score calculé.", "i", at)


def test_an_override_can_score_a_missing_criterion() -> None:
    record = score_dossier(dossier(qualite_construction=None), {}, referentiels())
    assert record.critere("qualite_construction").statut == "donnee_manquante"  # type: ignore[union-attr]
    out = scoring.override(record, "qualite_construction", Decimal("7"), "DPE A vu en visite de site.", "i",
                           datetime(2025, 4, 1, tzinfo=UTC))
    assert out.surcharges["qualite_construction"].points_origine is None
    assert out.total_retenu == record.total + 7


def test_a_score_computed_again_keeps_the_overrides_and_counts_the_new_data() -> None:
    """After an import of referentials: the criteria that lacked data are evaluated, an instructor's
    override still stands, and the same inputs give no new score at all."""
    at = datetime(2025, 4, 1, tzinfo=UTC)
    before = score_dossier(dossier(), FACTS, {})  # no referential imported yet
    before = scoring.override(before, "niveau_loyer", Decimal("18"), "Loyer revu à la baisse par avenant.",
                              "instructeur:x@al.fr", at)
    before.surcharges["ancien_critere"] = before.surcharges["niveau_loyer"]  # a criterion the grid dropped
    assert before.points_non_evalues > 0

    fresh = score_dossier(dossier(), FACTS, referentiels())
    after = scoring.rescored(before, fresh)
    assert after is not None
    assert after.points_non_evalues == 0 and after.total == TOTAL
    assert list(after.surcharges) == ["niveau_loyer"]
    assert after.surcharges["niveau_loyer"].justification == "Loyer revu à la baisse par avenant."
    assert after.total_retenu == TOTAL + 4  # niveau_loyer's 14 points replaced by 18
    assert scoring.rescored(after, score_dossier(dossier(), FACTS, referentiels())) is None  # same fingerprint
    assert scoring.rescored(None, fresh) == fresh  # never scored: the fresh score as is


# ---------------------------------------------------------------- after numbering


def after_numbering(store: InMemoryStore, publisher: InMemoryPublisher) -> AfterNumbering:
    """The step as the composition root wires it, on the in-memory fakes (Powertools idempotency included)."""
    layer = InMemoryPersistenceLayer()
    return AfterNumbering(store, OutboxRelay(store, publisher), InMemoryReferentiels(referentiels()),
                          Idempotency(lambda: layer), lambda: datetime(2025, 4, 1, tzinfo=UTC),
                          facts=lambda d: FACTS)


def numbered(store: InMemoryStore) -> Dossier:
    d = dossier()
    store.register_bailleur(BAILLEUR)
    store.t.dossiers[d.dossier_id] = d.model_copy(update={"deposit_number": 1})
    return store.t.dossiers[d.dossier_id]


def test_after_numbering_scores_once_and_keeps_overrides() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = numbered(store)
    step = after_numbering(store, publisher)
    event = DepositNumbered(dossier_id=d.dossier_id, deposit_number=1, deposited_at=d.created_at)
    step.process(event)
    scored = store.get_dossier(d.dossier_id)
    assert scored is not None and scored.scoring is not None and scored.scoring.total == TOTAL
    # the emails and the work item left through the outbox, with the score
    assert [m.queue for m in publisher.sent] == ["notifications", "notifications", "instruction"]
    assert list(store.outbox_items()) == []
    kept = store.override_score(scored, scoring.override(
        scored.scoring, "surfaces", Decimal("1"), "Surfaces relevées inférieures au plan.", "i",
        datetime(2025, 4, 1, tzinfo=UTC)), "i", "surfaces")
    step.process(event)  # a redelivery: Powertools answers the first result, nothing runs again
    after_numbering(store, publisher).process(event)  # a rerun without the record: the score stands
    assert store.get_dossier(d.dossier_id) == kept and len(publisher.sent) == 3


def test_after_numbering_keeps_the_outbox_when_the_queue_is_down() -> None:
    store, publisher = InMemoryStore(), InMemoryPublisher()
    d = numbered(store)
    publisher.fail_next = True
    event = DepositNumbered(dossier_id=d.dossier_id, deposit_number=1, deposited_at=d.created_at)
    with pytest.raises(ConnectionError):
        after_numbering(store, publisher).process(event)
    assert publisher.sent == [] and len(list(store.outbox_items())) == 1  # score saved, messages kept
    # Redelivered at once: the failed relay gave its claim back, so the messages leave now, and the score
    # is not computed again.
    after_numbering(store, publisher).process(event)
    assert store.get_dossier(d.dossier_id) == scored_once(store, d)
    assert [m.queue for m in publisher.sent] == ["notifications", "notifications", "instruction"]
    assert list(store.outbox_items()) == []


def scored_once(store: InMemoryStore, d: Dossier) -> Dossier:
    """The dossier as saved by the one scoring (version + 1, a score)."""
    now = store.get_dossier(d.dossier_id)
    assert now is not None and now.scoring is not None and now.version == d.version + 1
    return now
