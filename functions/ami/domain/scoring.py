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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from pydantic import ConfigDict

from ami.domain.base import Model
from ami.domain.dispositif import PARIS
from ami.domain.errors import InvalidInput, NotFound
from ami.domain.extraction import ExtractedField
from ami.domain.extraction.french import format_decimal_fr as fr
from ami.domain.extraction.presentation import nearest_transport_m
from ami.domain.grid import (
    BaremePaliers,
    Critere,
    DonneeFait,
    DonneeLoyer,
    DonneeReferentiel,
    DonneeServices,
    DonneeSurfaces,
    DonneeTypologie,
    DonneeZonage,
    ScoringConfig,
    scoring_config,
)
from ami.domain.models import SERVICE_LIBELLES, TYPOLOGIE_LIBELLES, TYPOLOGIES, Dossier, PieceKind
from ami.domain.referentiel import Referentiel
from ami.domain.rules import commune
from ami.domain.score import FOURNISSEURS, Constat, CritereScore, Fournisseur, Score, Source, Surcharge

CENT = Decimal("0.01")

# ---------------------------------------------------------------- inputs and the score


class Fact(Model):
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
    """(base ceiling €/m², coefficient, ceiling €/m²) for a metropolitan home of `surface_m2` in `zone`."""
    p = cfg.plafonds_lli
    return ceiling_of(cfg, p.annees[year][p.zones_equivalentes.get(zone, zone)], surface_m2)


def ceiling_of(cfg: ScoringConfig, base: Decimal, surface_m2: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(base, coefficient, ceiling €/m²) of one home: coefficient = min(base + numerateur / S, plafond), rounded
    to the nearest second decimal as the CGI says (III of art. 2 terdecies D of annexe III); the ceiling is
    rounded to the cent."""
    k = cfg.plafonds_lli.coefficient
    coef = _dec(min(k.base + k.numerateur / surface_m2, k.plafond))
    return base, coef, _dec(base * coef)


class _Inputs:
    """Everything a score depends on, gathered once."""

    def __init__(self, d: Dossier, faits: Mapping[str, Fact], refs: Mapping[str, Referentiel]) -> None:
        self.d = d
        self.op = d.form.operation
        self.faits = faits  # read from the dossier de présentation
        self.refs = refs
        self.commune = commune(self.op.commune_insee) if self.op.commune_insee else None


def _missing(c: Critere, why: str, par: Fournisseur, sources: list[Source] | None = None,
             unite: str | None = None) -> CritereScore:
    return CritereScore(code=c.code, libelle=c.libelle, groupe=c.groupe, poids=c.poids, statut="donnee_manquante",
                        valeur=None, unite=unite, sources=sources or [], a_fournir_par=par,
                        explication=f"Donnée manquante : {why}. À fournir par {FOURNISSEURS[par]}.")


def _scored(c: Critere, valeur: str, fraction: Decimal, sources: list[Source], why: str,
            unite: str | None = None) -> CritereScore:
    return CritereScore(code=c.code, libelle=c.libelle, groupe=c.groupe, poids=c.poids, statut="evalue",
                        valeur=valeur, unite=unite, sources=sources, fraction=fraction,
                        points=_dec(c.poids * fraction), explication=why)


def _apply(c: Critere, value: Decimal | str, sources: list[Source], why: str, unite: str | None = None,
           par: Fournisseur = "bailleur") -> CritereScore:
    b = c.bareme
    if isinstance(b, BaremePaliers):
        if not isinstance(value, Decimal):
            return _missing(c, f"valeur « {value} » non numérique", par, sources, unite)
        return _scored(c, _plain(value), b.fraction(value), sources, why, unite)
    key = str(value)
    if key not in b.valeurs:
        return _missing(c, f"valeur « {key} » absente du barème ({', '.join(b.valeurs)})", par, sources, unite)
    return _scored(c, key, b.valeurs[key], sources, why, unite)


def _crit_zonage(c: Critere, x: _Inputs, cfg: ScoringConfig, found: list[Constat]) -> CritereScore:
    src = [Source(type="zonage", reference="zonage ABC (arrêté du 5 juillet 2024)", version="2024")]
    if x.commune is None:
        return _missing(c, "commune de l'opération non renseignée ou inconnue du zonage ABC", "bailleur", src)
    return _apply(c, x.commune.zone, src, f"Commune {x.commune.nom} ({x.commune.insee}) en zone {x.commune.zone}.",
                  par="exploitation")


def _crit_referentiel(c: Critere, d: DonneeReferentiel, x: _Inputs, cfg: ScoringConfig) -> CritereScore:
    decl = cfg.referentiels[d.nom]
    ref = x.refs.get(d.nom)
    if x.commune is None:
        return _missing(c, "commune de l'opération non renseignée ou inconnue", "bailleur", unite=decl.unite)
    if ref is None:
        return _missing(c, f"aucun référentiel « {d.nom} » n'a été importé (ami referentiel import, puis ami score "
                        f"recalculer)", "exploitation", unite=decl.unite)
    src = [Source(type="referentiel", reference=d.nom, version=ref.label)]
    value = ref.valeurs.get(x.commune.insee)
    if value is None:
        return _missing(c, f"la commune {x.commune.insee} est absente du référentiel {ref.label}", "exploitation",
                        src, decl.unite)
    return _apply(c, value, src, f"{decl.libelle} : {fr(value)} {decl.unite} ({x.commune.nom}).", decl.unite,
                  par="exploitation")


def _fact_source(f: Fact) -> Source:
    if f.piece is None:
        return Source(type="formulaire", reference="formulaire")
    return Source(type="document", reference=f.piece, page=f.page)


@dataclass(frozen=True)
class _Resolved:
    """A fact the grid reads, from the form or the dossier de présentation, or why there is none."""

    fact: Fact | None
    note: str = ""
    why: str = ""
    par: Fournisseur = "bailleur"


_FACT_LABELS = {"distance_transport_m": "la distance à pied au plus proche arrêt de transport en commun",
                "qualite_construction": "la classe DPE ou le label visé"}


def _resolve(nom: str, x: _Inputs) -> _Resolved:
    """The form's value first; the dossier de présentation's when the form refers to it or is silent; a
    disagreement between the two is said beside the value."""
    op = x.op
    form: str | None = None
    page: int | None = None
    doc = x.faits.get(nom)
    if nom == "distance_transport_m":
        doc = x.faits.get("distance_transport_m")
        if op.transport is not None:
            form = None if op.transport.distance_m is None else str(op.transport.distance_m)
            page = op.transport.voir_page
    elif nom == "qualite_construction":
        doc = x.faits.get("dpe_classe")
        q = op.qualite_construction
        if q is not None:
            form, page = q.classe_dpe or q.label_vise, q.voir_page
    label = _FACT_LABELS.get(nom, f"« {nom} »")
    if form is not None:
        comparable = nom != "qualite_construction" or (op.qualite_construction and op.qualite_construction.classe_dpe)
        if doc is None or not comparable:
            return _Resolved(Fact(valeur=form))
        if doc.valeur.strip().upper() == form.upper():
            return _Resolved(Fact(valeur=form), f" ; confirmé par le dossier de présentation, page {doc.page}")
        return _Resolved(Fact(valeur=form), f" ; le dossier de présentation indique « {doc.valeur} », page "
                                            f"{doc.page} : écart à vérifier")
    if doc is not None:
        return _Resolved(doc)
    if page is not None:
        return _Resolved(None, why=f"le formulaire renvoie au dossier de présentation, page {page}, où {label} n'a "
                                   f"pas pu être lue", par="instructeur")
    return _Resolved(None, why=f"{label} n'est ni dans le formulaire ni relevée dans le dossier de présentation")


def _crit_fait(c: Critere, d: DonneeFait, x: _Inputs) -> CritereScore:
    r = _resolve(d.nom, x)
    f = r.fact
    if f is None:
        return _missing(c, r.why, r.par)
    src = [_fact_source(f)]
    where = ("formulaire" if f.piece is None else f"dossier de présentation, page {f.page}") + r.note
    par: Fournisseur = "bailleur" if f.piece is None else "instructeur"
    if isinstance(c.bareme, BaremePaliers):
        try:
            value = Decimal(f.valeur.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except InvalidOperation:
            return _missing(c, f"« {f.valeur} » illisible ({where})", par, src)
        return _apply(c, value, src, f"{fr(value)} ({where}).", par=par)
    return _apply(c, f.valeur.strip() if len(f.valeur.strip()) > 1 else f.valeur.strip().upper(), src,
                  f"{f.valeur} ({where}).", par=par)


def _crit_services(c: Critere, d: DonneeServices, x: _Inputs) -> CritereScore:
    sp = x.op.services_proximite
    if sp is None:
        doc = x.faits.get("services")
        seen = f" (le dossier de présentation cite : {doc.valeur}, page {doc.page}, sans distance)" if doc else ""
        return _missing(c, f"services de proximité non déclarés dans le formulaire{seen}", "bailleur",
                        unite="services")
    src = [Source(type="formulaire", reference="operation.services_proximite", page=sp.voir_page)]
    named = ", ".join(SERVICE_LIBELLES[s] for s in sp.services) or "aucun service"
    if sp.rayon_m > d.rayon_max_m:
        return _apply(c, Decimal(0), src, f"Services déclarés à moins de {fr(Decimal(sp.rayon_m))} m ({named}), "
                      f"au-delà des {fr(d.rayon_max_m)} m de la grille : non comptés.", "services")
    n = Decimal(len(sp.services))
    return _apply(c, n, src, f"{len(sp.services)} sur 5 à moins de {fr(Decimal(sp.rayon_m))} m à pied : {named}.",
                  "services")


def _deposit_year(d: Dossier) -> int | None:
    return d.envoi.sent_at.astimezone(PARIS).year if d.envoi else None


@dataclass(frozen=True)
class RentLine:
    """One line of dwellings against its own ceiling (each dwelling's coefficient depends on its surface)."""

    typologie: str
    nombre: int
    surface_utile_m2: Decimal
    loyer_eur: Decimal  # one dwelling, per month
    coefficient: Decimal
    plafond_m2: Decimal  # € / m² SU / month, for this dwelling

    @property
    def loyer_m2(self) -> Decimal:
        return _dec(self.loyer_eur / self.surface_utile_m2)

    @property
    def loyer_plafond_eur(self) -> Decimal:
        """The highest rent this dwelling may have."""
        return self.plafond_m2 * self.surface_utile_m2

    @property
    def depasse(self) -> bool:
        return self.loyer_eur > self.loyer_plafond_eur

    def libelle(self) -> str:
        n = f"{self.nombre} logement" + ("s" if self.nombre > 1 else "")
        return f"{TYPOLOGIE_LIBELLES[self.typologie]} ({n} de {fr(self.surface_utile_m2)} m² SU)"


@dataclass(frozen=True)
class RentCheck:
    """The proposed rents against the LLI ceilings, dwelling by dwelling, as the score and the registre show it."""

    rent_m2: Decimal  # sum of rents / sum of surfaces utiles, € / m² SU / month
    ceiling_m2: Decimal  # sum of the dwellings' ceiling rents / sum of surfaces utiles
    ratio: Decimal  # sum of rents / sum of ceiling rents
    base_m2: Decimal
    logements: int
    zone: str
    year: int
    wanted_year: int
    lines: tuple[RentLine, ...]
    outre_mer: bool = False

    @property
    def above(self) -> tuple[RentLine, ...]:
        return tuple(ln for ln in self.lines if ln.depasse)


@dataclass(frozen=True)
class RentUnknown:
    """Why the rent check cannot be made, and who must provide what it lacks."""

    why: str
    par: Fournisseur


def rent_check(d: Dossier, cfg: ScoringConfig) -> RentCheck | RentUnknown:
    """The rent check of `d`, dwelling by dwelling, or why it cannot be made (in French)."""
    op = d.form.operation
    c = commune(op.commune_insee) if op.commune_insee else None
    if c is None:
        return RentUnknown("la commune de l'opération n'est pas renseignée ou est inconnue du zonage ABC", "bailleur")
    if not op.lignes:
        return RentUnknown("les surfaces utiles et les loyers de chaque logement ne sont pas renseignés (détail des "
                           "logements par typologie)", "bailleur")
    wanted = _deposit_year(d) or max(cfg.plafonds_lli.annees)
    p = cfg.plafonds_lli
    dom = c.departement in p.outre_mer.departements
    if dom:
        year = p.outre_mer.year(wanted)
        if year is None:
            return RentUnknown(f"le plafond de loyer outre-mer ({p.outre_mer.source}) n'est pas saisi dans la grille "
                               f"{cfg.version} pour {wanted} ou avant", "exploitation")
        base = p.outre_mer.annees[year]
    else:
        year = p.year(wanted)
        if year is None:
            return RentUnknown(f"aucun plafond LLI connu pour {wanted} ou avant", "exploitation")
        base = p.annees[year][p.zones_equivalentes.get(c.zone, c.zone)]
    lines = tuple(RentLine(ln.typologie, ln.nombre, ln.surface_utile_m2, ln.loyer_mensuel_eur,
                           *ceiling_of(cfg, base, ln.surface_utile_m2)[1:]) for ln in op.lignes)
    surface = sum((ln.nombre * ln.surface_utile_m2 for ln in lines), Decimal(0))
    rents = sum((ln.nombre * ln.loyer_eur for ln in lines), Decimal(0))
    ceilings = sum((ln.nombre * ln.loyer_plafond_eur for ln in lines), Decimal(0))
    return RentCheck(_dec(rents / surface), _dec(ceilings / surface), _dec(rents / ceilings, "0.0001"), base,
                     sum(ln.nombre for ln in lines), c.zone, year, wanted, lines, dom)


def _crit_loyer(c: Critere, x: _Inputs, cfg: ScoringConfig, found: list[Constat],
                year_out: list[int]) -> CritereScore:
    r = rent_check(x.d, cfg)
    if isinstance(r, RentUnknown):
        return _missing(c, r.why, r.par, unite="loyer/plafond")
    year_out.append(r.year)
    note = "" if r.year == r.wanted_year else f" (plafonds {r.wanted_year} inconnus : plafonds {r.year} appliqués)"
    where = "outre-mer" if r.outre_mer else f"zone {r.zone}"
    why = (f"Loyers {fr(r.rent_m2)} €/m² SU/mois en moyenne pour un plafond moyen de {fr(r.ceiling_m2)} €/m² SU "
           f"({where}, plafond {r.year} de {fr(r.base_m2)} € multiplié par le coefficient de chaque logement, "
           f"{r.logements} logements){note} : ratio {fr(r.ratio)}.")
    if r.above:
        shown = " ; ".join(f"{ln.libelle()} : {fr(ln.loyer_m2)} €/m² SU pour un plafond de {fr(ln.plafond_m2)} €/m² SU"
                           for ln in r.above)
        found.append(Constat(code="loyer_superieur_plafond", gravite="eligibilite",
                             message=f"Loyer au-dessus du plafond LLI ({where}, {r.year}) : {shown}. L'instructeur "
                                     f"doit confirmer l'éligibilité au LLI."))
    src = [Source(type="formulaire", reference="operation.lignes"),
           Source(type="configuration", reference="plafonds_lli", version=str(r.year))]
    return _apply(c, r.ratio, src, why, "loyer/plafond")


def _crit_typologie(c: Critere, d: DonneeTypologie, x: _Inputs) -> CritereScore:
    lg = x.op.logements
    if lg is None or lg.total == 0:
        return _missing(c, "nombre de logements par typologie non renseigné", "bailleur", unite="part")
    part = sum(getattr(lg, t) for t in d.typologies)
    share = _dec(Decimal(part) / lg.total, "0.0001")
    label = " + ".join(t.upper() for t in d.typologies)
    return _apply(c, share, [Source(type="formulaire", reference="operation.logements")],
                  f"{part} {label} sur {lg.total} logements : part {fr(share)}.", "part")


def _crit_surfaces(c: Critere, d: DonneeSurfaces, x: _Inputs) -> CritereScore:
    lg, sh = x.op.logements, x.op.surface_habitable_m2
    if lg is None or lg.total == 0 or sh is None:
        return _missing(c, "surface habitable ou nombre de logements par typologie non renseigné", "bailleur",
                        unite="ratio")
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
        found.append(Constat(code="zone_hors_lli", gravite="eligibilite",
                             message=f"Commune en zone {x.commune.zone} : le LLI n'est ouvert de droit qu'en zones "
                                     f"A bis, A et B1, et ailleurs sous conditions. L'instructeur doit confirmer "
                                     f"l'éligibilité au LLI."))
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
        elif isinstance(dn, DonneeServices):
            results.append(_crit_services(c, dn, x))
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


def facts_from_presentation(fields: Sequence[ExtractedField]) -> dict[str, Fact]:
    """The facts the grid reads from the dossier de présentation, each with its page: the DPE class as read,
    the distance to the nearest public transport stop the document names, the services it names."""
    by_name = {f.name: f for f in fields}
    facts: dict[str, Fact] = {}
    if (dpe := by_name.get("energie.dpe")) is not None:
        facts["dpe_classe"] = Fact(valeur=str(dpe.value), piece="dossier_presentation", page=dpe.page)
    if (stops := by_name.get("environnement.transports")) is not None:
        nearest = nearest_transport_m(str(stops.value))
        if nearest is not None:
            facts["distance_transport_m"] = Fact(valeur=str(nearest), piece="dossier_presentation", page=stops.page)
    if (services := by_name.get("environnement.services")) is not None:
        facts["services"] = Fact(valeur=str(services.value), piece="dossier_presentation", page=services.page)
    return facts
