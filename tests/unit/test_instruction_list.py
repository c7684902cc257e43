"""The instructors' list, pure: filters read from a query string with French errors, each filter applied,
deposit-number order, paging, and the séances offered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ami.domain import instruction_list as il
from ami.domain.models import Dossier, DossierStatus, Seance, SeanceCcn, Suivi
from ami.domain.scoring import Fact, score_dossier
from ami.domain.summary import DossierSummary, summarize
from scoring_data import dossier, referentiels

SEANCE = SeanceCcn(seance_id="CCN-2026-12-15", date_seance=date(2026, 12, 15))


def presented(seance: SeanceCcn) -> Suivi:
    """What the lifecycle records when the dossier is presented at that sitting."""
    return Suivi(ccn=Seance(libelle=seance.seance_id, le=seance.date_seance))


def corpus() -> list[Dossier]:
    """12 numbered dossiers: Lyon (zone A, Auvergne-Rhône-Alpes), Paris (A bis, Île-de-France), Guéret (C,
    Nouvelle-Aquitaine) in turn; n° 5 and 9 on the waiting list; n° 1 to 4 scored; n° 2 and 3 at a séance."""
    insee = ["69123", "75056", "23096"]
    out = []
    for n in range(12, 0, -1):  # any order in
        d = dossier(n, commune_insee=insee[n % 3]).model_copy(update={"status": DossierStatus.COMPLET})
        if n in (5, 9):
            d = d.model_copy(update={"status": DossierStatus.LISTE_ATTENTE})
        if n <= 4:
            refs = referentiels(insee=d.form.operation.commune_insee or "")
            d = d.model_copy(update={"scoring": score_dossier(d, {"distance_transport_m": Fact(valeur="250")}, refs)})
        if n in (2, 3):
            d = d.model_copy(update={"suivi": presented(SEANCE)})
        out.append(d)
    out.append(dossier(13).model_copy(update={"status": DossierStatus.BROUILLON}))  # never listed
    return out


def summaries(dossiers: list[Dossier]) -> list[DossierSummary]:
    """What the storage keeps for the list: one summary per numbered dossier."""
    return [s for d in dossiers if (s := summarize(d)) is not None]


def test_the_summary_is_read_from_the_dossier_and_only_once_numbered() -> None:
    d = next(x for x in corpus() if x.deposit_number == 2)
    s = summarize(d)
    assert s is not None and d.scoring is not None and d.form.operation.logements is not None
    assert (s.dossier_id, s.deposit_number, s.status, s.siren, s.dispositif) == (
        d.dossier_id, 2, DossierStatus.COMPLET, d.siren, d.dispositif)
    assert (s.nom, s.commune_insee, s.logements, s.principal, s.score, s.seance_ccn) == (
        d.form.operation.nom, "23096", d.form.operation.logements.total, d.loan_total, d.scoring.total_retenu,
        SEANCE)
    assert s.principal > 0 and s.score is not None
    assert DossierSummary.model_validate_json(s.model_dump_json()) == s  # what the storage writes, read back
    assert summarize(d.model_copy(update={"deposit_number": None})) is None


def numbers(p: il.Page) -> list[int]:
    return [line.dossier.deposit_number or 0 for line in p.lignes]


def test_no_filter_lists_every_numbered_dossier_in_number_order() -> None:
    p = il.page(summaries(corpus()), il.Filtres())
    assert numbers(p) == list(range(1, 13)) and p.total == 12 and p.pages == 1
    assert [s.seance_id for s in p.seances] == ["CCN-2026-12-15"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"zone": "A"}, [3, 6, 9, 12]),
    ({"zone": "Abis"}, [1, 4, 7, 10]),
    ({"region": "75"}, [2, 5, 8, 11]),  # Nouvelle-Aquitaine: Guéret
    ({"region": "84", "zone": "A"}, [3, 6, 9, 12]),
    ({"attente": "oui"}, [5, 9]),
    ({"attente": "non", "zone": "A"}, [3, 6, 12]),
    ({"statut": "liste_attente"}, [5, 9]),
    ({"seance": "CCN-2026-12-15"}, [2, 3]),
    ({"seance": "CCN-inconnue"}, []),
])
def test_each_filter(params: dict[str, str], expected: list[int]) -> None:
    f, errors = il.lire(params)
    assert errors == {}
    assert numbers(il.page(summaries(corpus()), f)) == expected


def test_the_score_filter_keeps_scored_dossiers_within_bounds() -> None:
    ds = corpus()
    scores = {d.deposit_number: d.scoring.total_retenu for d in ds if d.scoring}
    low = min(scores.values())
    f, errors = il.lire({"score_min": f"{low + Decimal('0.01')}".replace(".", ",")})
    assert errors == {}
    kept = numbers(il.page(summaries(ds), f))
    assert kept == sorted(n for n, s in scores.items() if s > low)
    f, _ = il.lire({"score_max": "100"})
    assert numbers(il.page(summaries(ds), f)) == [1, 2, 3, 4]  # a dossier without a score passes no score filter


def test_wrong_values_are_reported_in_french_and_ignored() -> None:
    f, errors = il.lire({"statut": "brouillon", "region": "99", "zone": "D", "score_min": "beaucoup",
                         "score_max": "120", "attente": "peut-être", "page": "-3"})
    assert errors == {
        "statut": "Ce statut n'existe pas : choisissez-en un dans la liste.",
        "region": "Cette région n'existe pas : choisissez-en une dans la liste.",
        "zone": "Cette zone n'existe pas : choisissez A bis, A, B1, B2 ou C.",
        "score_min": "Indiquez un nombre de points entre 0 et 100, par exemple 62,5.",
        "score_max": "Indiquez un nombre de points entre 0 et 100, par exemple 62,5.",
        "attente": "Choisissez une option de la liste.",
    }
    assert f == il.Filtres()
    _, errors = il.lire({"score_min": "60", "score_max": "40"})
    assert errors == {"score_max": "Le score maximal est inférieur au score minimal."}


def test_paging_and_the_links_keep_the_filters() -> None:
    ds = corpus()
    f, _ = il.lire({"attente": "non", "page": "2"})
    p = il.page(summaries(ds), f, taille=4)
    assert (numbers(p), p.numero, p.pages, p.total, p.premier, p.dernier) == ([6, 7, 8, 10], 2, 3, 10, 5, 8)
    assert f.query(page=3) == "attente=non&page=3" and f.query(page=1) == "attente=non"
    past, _ = il.lire({"page": "40"})
    assert il.page(summaries(ds), past, taille=5).numero == 3  # past the end: the last page
    decimal, _ = il.lire({"score_min": "62,5"})
    assert decimal.query() == "score_min=62%2C5"
    empty = il.page([], il.Filtres())
    assert (empty.total, empty.pages, empty.premier, empty.dernier) == (0, 1, 0, 0)
