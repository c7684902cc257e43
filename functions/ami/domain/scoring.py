"""Priority-2 score (housing need of employees on the territory): the pure computation.

The score informs the Commission de Crédit Nationale; priority 1 stays the deposit number. It is
computed from data only, never guessed:

- the grid (weights, scales, LLI rent ceilings) is `scoring_config.toml`, validated by
  `ScoringConfig`; every score records the grid's version and SHA-256;
- territory criteria read the bundled zonage ABC and the referentials imported by ops
  (`ami.domain.referentiel`), whose versions the score records so it can be recomputed as it was;
- operation criteria read the form and facts extracted from the pieces (`Fact`, with their page);
- a criterion whose data is missing says so (`statut = "donnee_manquante"`, `points = None`) and
  its weight is reported in `points_non_evalues`, never silently scored zero.

`score_dossier` is pure and deterministic (Decimal arithmetic, no clock, no randomness): the same
dossier, facts, referentials and grid give the same score, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from ami.domain.errors import InvalidInput, NotFound
from ami.domain.extraction import ExtractedField
from ami.domain.extraction.french import format_decimal_fr as fr
from ami.domain.grid import (
    BaremePaliers,
    Critere,
    DonneeFait,
    DonneeLoyer,
    DonneeReferentiel,
    DonneeSurfaces,
    DonneeTypologie,
    DonneeZonage,
    ScoringConfig,
    scoring_config,
)
from ami.domain.models import Dossier, PieceKind
from ami.domain.referentiel import Referentiel
from ami.domain.rules import commune
from ami.domain.score import Constat, CritereScore, Score, Source, Surcharge

PARIS = ZoneInfo("Europe/Paris")
CENT = Decimal("0.01")
TYPOLOGIES = ("t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus")

# ---------------------------------------------------------------- inputs and the score


class Fact(BaseModel):
    """A value read from the form or a piece (by extraction), with where it was read."""

    model_config = ConfigDict(frozen=True)
    valeur: str
    piece: PieceKind | None = None  # None: the form
    page: int | None = None


def _dec(value: Decimal, places: str = "0.01") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> str:
    return format(value, "f")


def lli_ceiling(cfg: ScoringConfig, zone: str, year: int, surface_m2: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(base ceiling €/m², coefficient, ceiling €/m²) for a home of `surface_m2` in `zone`.

    coefficient = min(base + numerateur / S, plafond), rounded to 2 decimals as for the other
    intermediate-rent schemes; the ceiling is rounded to the cent.
    """
    p = cfg.plafonds_lli
    base = p.annees[year][p.zones_equivalentes.get(zone, zone)]
    k = p.coefficient
    coef = _dec(min(k.base + k.numerateur / surface_m2, k.plafond))
    return base, coef, _dec(base * coef)


class _Inputs:
    """Everything a score depends on, gathered once."""

    def __init__(self, d: Dossier, faits: Mapping[str, Fact], refs: Mapping[str, Referentiel]) -> None:
        self.d = d
        self.op = d.form.operation
        self.faits = faits
        self.refs = refs
        self.commune = commune(self.op.commune_insee) if self.op.commune_insee else None


def _missing(c: Critere, why: str, sources: list[Source] | None = None, unite: str | None = None) -> CritereScore:
    return CritereScore(code=c.code, libelle=c.libelle, groupe=c.groupe, poids=c.poids, statut="donnee_manquante",
                        valeur=None, unite=unite, sources=sources or [], explication=f"Donnée manquante : {why}.")


def _scored(c: Critere, valeur: str, fraction: Decimal, sources: list[Source], why: str,
            unite: str | None = None) -> CritereScore:
    return CritereScore(code=c.code, libelle=c.libelle, groupe=c.groupe, poids=c.poids, statut="evalue",
                        valeur=valeur, unite=unite, sources=sources, fraction=fraction,
                        points=_dec(c.poids * fraction), explication=why)


def _apply(c: Critere, value: Decimal | str, sources: list[Source], why: str, unite: str | None = None) -> CritereScore:
    b = c.bareme
    if isinstance(b, BaremePaliers):
        if not isinstance(value, Decimal):
            return _missing(c, f"valeur « {value} » non numérique", sources, unite)
        return _scored(c, _plain(value), b.fraction(value), sources, why, unite)
    key = str(value)
    if key not in b.valeurs:
        return _missing(c, f"valeur « {key} » absente du barème ({', '.join(b.valeurs)})", sources, unite)
    return _scored(c, key, b.valeurs[key], sources, why, unite)


def _crit_zonage(c: Critere, x: _Inputs, cfg: ScoringConfig, found: list[Constat]) -> CritereScore:
    src = [Source(type="zonage", reference="zonage ABC (arrêté du 5 juillet 2024)", version="2024")]
    if x.commune is None:
        return _missing(c, "commune de l'opération non renseignée ou inconnue du zonage ABC", src)
    return _apply(c, x.commune.zone, src, f"Commune {x.commune.nom} ({x.commune.insee}) en zone {x.commune.zone}.")


def _crit_referentiel(c: Critere, d: DonneeReferentiel, x: _Inputs, cfg: ScoringConfig) -> CritereScore:
    decl = cfg.referentiels[d.nom]
    ref = x.refs.get(d.nom)
    if x.commune is None:
        return _missing(c, "commune de l'opération non renseignée ou inconnue", unite=decl.unite)
    if ref is None:
        return _missing(c, f"aucun référentiel « {d.nom} » n'a été importé", unite=decl.unite)
    src = [Source(type="referentiel", reference=d.nom, version=ref.label)]
    value = ref.valeurs.get(x.commune.insee)
    if value is None:
        return _missing(c, f"la commune {x.commune.insee} est absente du référentiel {ref.label}", src, decl.unite)
    return _apply(c, value, src, f"{decl.libelle} : {fr(value)} {decl.unite} ({x.commune.nom}).", decl.unite)


def _fact_source(f: Fact) -> Source:
    if f.piece is None:
        return Source(type="formulaire", reference="formulaire")
    return Source(type="document", reference=f.piece, page=f.page)


def _crit_fait(c: Critere, d: DonneeFait, x: _Inputs) -> CritereScore:
    f = x.faits.get(d.nom)
    if f is None:
        return _missing(c, f"« {d.nom} » n'est ni dans le formulaire ni relevé dans les pièces")
    src = [_fact_source(f)]
    where = "formulaire" if f.piece is None else f"{f.piece}, page {f.page}"
    if isinstance(c.bareme, BaremePaliers):
        try:
            value = Decimal(f.valeur.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except InvalidOperation:
            return _missing(c, f"« {d.nom} » illisible (« {f.valeur} », {where})", src)
        return _apply(c, value, src, f"{d.nom} = {fr(value)} ({where}).")
    return _apply(c, f.valeur.strip().upper(), src, f"{d.nom} = {f.valeur} ({where}).")


def _deposit_year(d: Dossier) -> int | None:
    return d.envoi.sent_at.astimezone(PARIS).year if d.envoi else None


@dataclass(frozen=True)
class RentCheck:
    """The proposed rent against the LLI ceiling, as the score and the registre show it."""

    rent_m2: Decimal  # € / m² SU / month
    ceiling_m2: Decimal
    ratio: Decimal
    base_m2: Decimal
    coefficient: Decimal
    surface_moyenne_m2: Decimal
    logements: int
    zone: str
    year: int
    wanted_year: int


def rent_check(d: Dossier, cfg: ScoringConfig) -> RentCheck | str:
    """The rent check of `d`, or why it cannot be made (in French)."""
    op = d.form.operation
    c = commune(op.commune_insee) if op.commune_insee else None
    lacking = [label for label, v in (
        ("loyers mensuels", op.loyer_mensuel_total_eur), ("surface utile", op.surface_utile_m2),
        ("logements", op.logements.total if op.logements else None), ("commune", c),
    ) if not v]
    if lacking:
        return ", ".join(lacking) + " non renseigné(s)"
    assert op.loyer_mensuel_total_eur and op.surface_utile_m2 and op.logements and c
    wanted = _deposit_year(d) or max(cfg.plafonds_lli.annees)
    year = cfg.plafonds_lli.year(wanted)
    if year is None:
        return f"aucun plafond LLI connu pour {wanted} ou avant"
    n = op.logements.total
    s_moy = _dec(op.surface_utile_m2 / n)
    base, coef, ceiling = lli_ceiling(cfg, c.zone, year, s_moy)
    rent = _dec(op.loyer_mensuel_total_eur / op.surface_utile_m2)
    return RentCheck(rent, ceiling, _dec(rent / ceiling, "0.0001"), base, coef, s_moy, n, c.zone, year, wanted)


def _crit_loyer(c: Critere, x: _Inputs, cfg: ScoringConfig, found: list[Constat],
                year_out: list[int]) -> CritereScore:
    r = rent_check(x.d, cfg)
    if isinstance(r, str):
        return _missing(c, r, unite="loyer/plafond")
    year_out.append(r.year)
    note = "" if r.year == r.wanted_year else f" (plafonds {r.wanted_year} inconnus : plafonds {r.year} appliqués)"
    why = (f"Loyer {fr(r.rent_m2)} €/m² SU/mois pour un plafond de {fr(r.ceiling_m2)} €/m² (zone {r.zone}, "
           f"plafond {r.year} {fr(r.base_m2)} € × coefficient {fr(r.coefficient)} pour une surface utile moyenne "
           f"de {fr(r.surface_moyenne_m2)} m² sur {r.logements} logements){note} : ratio {fr(r.ratio)}.")
    if r.ratio > 1:
        found.append(Constat(code="loyer_superieur_plafond", gravite="eligibilite",
                             message=f"Le loyer proposé ({fr(r.rent_m2)} €/m² SU) dépasse le plafond LLI de la "
                                     f"zone {r.zone} ({fr(r.ceiling_m2)} €/m² SU, {r.year})."))
    src = [Source(type="formulaire", reference="operation.loyer_mensuel_total_eur"),
           Source(type="formulaire", reference="operation.surface_utile_m2"),
           Source(type="formulaire", reference="operation.logements"),
           Source(type="configuration", reference="plafonds_lli", version=str(r.year))]
    return _apply(c, r.ratio, src, why, "loyer/plafond")


def _crit_typologie(c: Critere, d: DonneeTypologie, x: _Inputs) -> CritereScore:
    lg = x.op.logements
    if lg is None or lg.total == 0:
        return _missing(c, "nombre de logements par typologie non renseigné", unite="part")
    part = sum(getattr(lg, t) for t in d.typologies)
    share = _dec(Decimal(part) / lg.total, "0.0001")
    label = " + ".join(t.upper() for t in d.typologies)
    return _apply(c, share, [Source(type="formulaire", reference="operation.logements")],
                  f"{part} {label} sur {lg.total} logements : part {fr(share)}.", "part")


def _crit_surfaces(c: Critere, d: DonneeSurfaces, x: _Inputs) -> CritereScore:
    lg, sh = x.op.logements, x.op.surface_habitable_m2
    if lg is None or lg.total == 0 or sh is None:
        return _missing(c, "surface habitable ou logements par typologie non renseignés", unite="ratio")
    reference = sum((d.reference_m2[t] * getattr(lg, t) for t in TYPOLOGIES), Decimal(0))
    ratio = _dec(sh / reference, "0.0001")
    return _apply(c, ratio, [Source(type="formulaire", reference="operation.surface_habitable_m2"),
                             Source(type="configuration", reference="surfaces de référence")],
                  f"Surface habitable {fr(sh)} m² pour une référence de {fr(reference)} m² selon la typologie : "
                  f"ratio {fr(ratio)}.",
                  "ratio")


def _fingerprint(d: Dossier, faits: Mapping[str, Fact], refs: Mapping[str, Referentiel], sha: str) -> str:
    body = {
        "operation": d.form.operation.model_dump(mode="json"),
        "annee_depot": _deposit_year(d),
        "faits": {k: v.model_dump(mode="json") for k, v in sorted(faits.items())},
        "referentiels": {k: r.sha256 for k, r in sorted(refs.items())},
        "grille": sha,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def score_dossier(d: Dossier, faits: Mapping[str, Fact] | None = None,
                  referentiels: Mapping[str, Referentiel] | None = None,
                  config: tuple[ScoringConfig, str] | None = None) -> Score:
    """The priority-2 score of `d`. Pure and deterministic."""
    cfg, sha = config or scoring_config()
    faits = faits or {}
    refs = {k: v for k, v in (referentiels or {}).items() if k in cfg.referentiels}
    x = _Inputs(d, faits, refs)
    found: list[Constat] = []
    years: list[int] = []
    if x.commune is None:
        found.append(Constat(code="commune_inconnue", gravite="vigilance",
                             message="La commune de l'opération est absente ou inconnue du zonage ABC."))
    elif x.commune.zone not in cfg.zones.lli:
        found.append(Constat(code="zone_hors_lli", gravite="vigilance",
                             message=f"Commune en zone {x.commune.zone} : le LLI n'y est construit que sous "
                                     f"conditions (zones A bis, A, B1) ; à examiner par l'instructeur."))
    results: list[CritereScore] = []
    for c in cfg.criteres:
        dn = c.donnee
        if isinstance(dn, DonneeZonage):
            results.append(_crit_zonage(c, x, cfg, found))
        elif isinstance(dn, DonneeReferentiel):
            results.append(_crit_referentiel(c, dn, x, cfg))
        elif isinstance(dn, DonneeFait):
            results.append(_crit_fait(c, dn, x))
        elif isinstance(dn, DonneeLoyer):
            results.append(_crit_loyer(c, x, cfg, found, years))
        elif isinstance(dn, DonneeTypologie):
            results.append(_crit_typologie(c, dn, x))
        else:
            results.append(_crit_surfaces(c, dn, x))
    total = sum((r.points for r in results if r.points is not None), Decimal(0))
    missing = sum((r.poids for r in results if r.statut == "donnee_manquante"), Decimal(0))
    return Score(
        config_version=cfg.version, config_sha256=sha,
        referentiels={n: (refs[n].label if n in refs else "absent") for n in cfg.referentiels_utilises()},
        annee_plafonds=years[0] if years else None, criteres=results, total=_dec(total), sur=cfg.total,
        points_non_evalues=_dec(missing), complet=missing == 0, constats=found,
        empreinte=_fingerprint(d, faits, refs, sha), total_retenu=_dec(total),
    )


def override(score: Score | None, critere: str, points: Decimal, justification: str,
             par: str, le: datetime) -> Score:
    """The stored score with an instructor's override of `critere`; the computed points stay visible."""
    if score is None:
        raise InvalidInput("score_absent", "Ce dossier n'a pas encore de score calculé.")
    crit = score.critere(critere)
    if crit is None:
        raise NotFound("critere_inconnu", f"Le critère « {critere} » n'existe pas dans ce score.",
                       {"criteres": [c.code for c in score.criteres]})
    justification = justification.strip()
    if len(justification) < 10:
        raise InvalidInput("justification_requise", "Une justification d'au moins 10 caractères est obligatoire.",
                           [{"champ": "justification", "message": "Justification trop courte."}])
    if not Decimal(0) <= points <= crit.poids:
        raise InvalidInput("points_invalides", f"Les points doivent être compris entre 0 et {crit.poids}.",
                           [{"champ": "points", "message": f"Entre 0 et {crit.poids}."}])
    surcharges = dict(score.surcharges)
    surcharges[critere] = Surcharge(points=_dec(points), points_origine=crit.points, justification=justification,
                                    par=par, le=le)
    return _with_overrides(score, surcharges)


def rescored(stored: Score | None, fresh: Score) -> Score | None:
    """`fresh` as it replaces the `stored` score: the instructors' overrides kept (one on a criterion
    the grid no longer has is dropped), or None when nothing the score depends on has changed (same
    fingerprint: same dossier, facts, referentials and grid)."""
    if stored is not None and stored.empreinte == fresh.empreinte:
        return None
    kept = {code: s for code, s in (stored.surcharges if stored else {}).items() if fresh.critere(code)}
    return _with_overrides(fresh, kept)


def _with_overrides(score: Score, surcharges: dict[str, Surcharge]) -> Score:
    """`score` with these overrides and the total they give (an override replaces its criterion's points)."""
    retained = sum(((surcharges[c.code].points if c.code in surcharges else (c.points or Decimal(0)))
                    for c in score.criteres), Decimal(0))
    return score.model_copy(update={"surcharges": surcharges, "total_retenu": _dec(retained)})


_DISTANCE = re.compile(r"(\d+(?:,\d+)?)\s*(km|m)\b")


def facts_from_presentation(fields: Sequence[ExtractedField]) -> dict[str, Fact]:
    """The facts the grid reads from the dossier de présentation, each with its page.

    DPE class as read; distance to public transport = the nearest stop the document names.
    """
    by_name = {f.name: f for f in fields}
    facts: dict[str, Fact] = {}
    if (dpe := by_name.get("energie.dpe")) is not None:
        facts["dpe_classe"] = Fact(valeur=str(dpe.value), piece="dossier_presentation", page=dpe.page)
    if (stops := by_name.get("environnement.transports")) is not None:
        found = _DISTANCE.findall(str(stops.value))
        metres = [Decimal(n.replace(",", ".")) * (1000 if unit == "km" else 1) for n, unit in found]
        if metres:
            nearest = min(metres).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            facts["distance_transport_m"] = Fact(valeur=str(nearest), piece="dossier_presentation", page=stops.page)
    return facts
