"""Properties of the priority-2 score (issue 17): the per-dwelling LLI ceiling is the brute-force sum over the
dwellings, the score is monotone in each criterion's input, and a missing input never counts as zero."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ami.domain import grid, scoring
from ami.domain.scoring import Fact, lli_ceiling, score_dossier
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_data import dossier, referentiels

CFG = grid.scoring_config()[0]
PROPS = settings(max_examples=60, deadline=None)

surfaces = st.decimals(min_value=Decimal("12"), max_value=Decimal("160"), places=2)
rents = st.decimals(min_value=Decimal("150"), max_value=Decimal("2500"), places=2)
line = st.fixed_dictionaries({
    "typologie": st.sampled_from(["t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus"]),
    "nombre": st.integers(min_value=1, max_value=30),
    "surface_utile_m2": surfaces,
    "loyer_mensuel_eur": rents,
})
lines = st.lists(line, min_size=1, max_size=6)
communes = st.sampled_from(["75056", "69123", "21231", "21054", "23096"])  # A bis, A, B1, B2, C


def form_lines(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**ln, "surface_habitable_m2": ln["surface_utile_m2"],
             "surface_utile_m2": ln["surface_utile_m2"], "loyer_mensuel_eur": ln["loyer_mensuel_eur"]} for ln in raw]


def cent(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@PROPS
@given(raw=lines, insee=communes)
def test_the_ceiling_is_the_brute_force_sum_over_every_dwelling(raw: list[dict[str, Any]], insee: str) -> None:
    d = dossier(commune_insee=insee, lignes=form_lines(raw))
    r = scoring.rent_check(d, CFG)
    assert isinstance(r, scoring.RentCheck)
    zone = {"75056": "Abis", "69123": "A", "21231": "B1", "21054": "B2", "23096": "C"}[insee]
    dwellings = [(ln["surface_utile_m2"], ln["loyer_mensuel_eur"]) for ln in raw for _ in range(ln["nombre"])]
    ceilings = [lli_ceiling(CFG, zone, r.year, s)[2] * s for s, _ in dwellings]
    surface = sum((s for s, _ in dwellings), Decimal(0))
    rent = sum((loyer for _, loyer in dwellings), Decimal(0))
    assert r.logements == len(dwellings)
    assert r.ceiling_m2 == cent(sum(ceilings, Decimal(0)) / surface)
    assert r.ratio == (rent / sum(ceilings, Decimal(0))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    above = any(loyer > c for (_, loyer), c in zip(dwellings, ceilings, strict=True))
    assert bool(r.above) == above
    s = score_dossier(d, {}, referentiels(insee=insee))
    assert ("loyer_superieur_plafond" in [c.code for c in s.constats]) == above


def _points(s: scoring.Score, code: str) -> Decimal:
    crit = s.critere(code)
    assert crit is not None and crit.points is not None, code
    return crit.points


@PROPS
@given(raw=lines, bump=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("900"), places=2),
       which=st.integers(min_value=0, max_value=5))
def test_a_higher_rent_never_scores_more(raw: list[dict[str, Any]], bump: Decimal, which: int) -> None:
    before = score_dossier(dossier(lignes=form_lines(raw)), {}, referentiels())
    raised = [dict(ln) for ln in raw]
    raised[which % len(raised)]["loyer_mensuel_eur"] += bump
    after = score_dossier(dossier(lignes=form_lines(raised)), {}, referentiels())
    assert _points(after, "niveau_loyer") <= _points(before, "niveau_loyer")


@PROPS
@given(near=st.integers(min_value=0, max_value=5000), farther=st.integers(min_value=0, max_value=5000))
def test_a_nearer_stop_never_scores_less(near: int, farther: int) -> None:
    near, farther = min(near, farther), max(near, farther)
    a = score_dossier(dossier(transport={"distance_m": near}), {}, referentiels())
    b = score_dossier(dossier(transport={"distance_m": farther}), {}, referentiels())
    assert _points(a, "desserte_transports") >= _points(b, "desserte_transports")


@PROPS
@given(services=st.lists(st.sampled_from(["commerces", "ecoles", "creches", "equipements_sportifs",
                                          "equipements_administratifs"]), unique=True),
       extra=st.sampled_from(["commerces", "ecoles", "creches", "equipements_sportifs", "equipements_administratifs"]),
       rayon=st.integers(min_value=50, max_value=5000))
def test_one_more_service_never_scores_less(services: list[str], extra: str, rayon: int) -> None:
    more = services if extra in services else [*services, extra]
    a = score_dossier(dossier(services_proximite={"rayon_m": rayon, "services": services}), {}, referentiels())
    b = score_dossier(dossier(services_proximite={"rayon_m": rayon, "services": more}), {}, referentiels())
    assert _points(b, "services_proximite") >= _points(a, "services_proximite")


@PROPS
@given(low=st.decimals(min_value=Decimal("-5"), max_value=Decimal("50"), places=2),
       high=st.decimals(min_value=Decimal("-5"), max_value=Decimal("50"), places=2))
def test_a_stronger_territory_never_scores_less(low: Decimal, high: Decimal) -> None:
    low, high = min(low, high), max(low, high)
    saturation = (abs(low), abs(high)) if abs(low) <= abs(high) else (abs(high), abs(low))
    a = score_dossier(dossier(), {}, referentiels(dynamisme=str(low), saturation=str(saturation[0])))
    b = score_dossier(dossier(), {}, referentiels(dynamisme=str(high), saturation=str(saturation[1])))
    for code in ("dynamisme_economique", "saturation_demande_li"):
        assert _points(b, code) >= _points(a, code)


@PROPS
@given(drop=st.sets(st.sampled_from(["lignes", "transport", "services_proximite", "qualite_construction",
                                     "referentiels"])),
       distance=st.integers(min_value=0, max_value=3000))
def test_a_missing_input_never_counts_as_zero_and_the_score_is_deterministic(drop: set[str], distance: int) -> None:
    over: dict[str, Any] = {name: None for name in drop if name != "referentiels"}
    if "transport" not in drop:
        over["transport"] = {"distance_m": distance}
    d = dossier(**over)
    refs = {} if "referentiels" in drop else referentiels()
    s = score_dossier(d, {}, refs)
    assert s == score_dossier(d.model_copy(deep=True), {}, refs)
    missing = [c for c in s.criteres if c.statut == "donnee_manquante"]
    assert all(c.points is None and c.fraction is None and c.a_fournir_par for c in missing)
    assert s.points_non_evalues == sum((c.poids for c in missing), Decimal(0))
    assert s.total == sum((c.points for c in s.criteres if c.points is not None), Decimal(0))
    assert s.complet == (not missing)
    expected = {"lignes": {"niveau_loyer"}, "transport": {"desserte_transports"},
                "services_proximite": {"services_proximite"}, "qualite_construction": {"qualite_construction"},
                "referentiels": {"dynamisme_economique", "saturation_demande_li"}}
    assert {c.code for c in missing} == set().union(*(expected[name] for name in drop))


def test_facts_are_read_from_the_presentation_with_their_page() -> None:
    from ami.domain.extraction import ExtractedField

    fields = [ExtractedField(name="environnement.transports", value="tramway 450 m ; bus 1,2 km", page=4,
                             source="…", confidence=0.8),
              ExtractedField(name="energie.dpe", value="A", page=7, source="…", confidence=0.9)]
    facts = scoring.facts_from_presentation(fields)
    assert facts["distance_transport_m"] == Fact(valeur="450", piece="dossier_presentation", page=4)
    assert facts["dpe_classe"] == Fact(valeur="A", piece="dossier_presentation", page=7)
    assert scoring.facts_from_presentation([]) == {}
