"""The tarification of the guarantee (cahier des charges §3): one prime, paid once up front, priced loan by
loan from the grid of `tarification.toml` on the inputs the cahier des charges names: the bailleur's risk
profile (cotation FIBEN), each loan's duration and différé d'amortissement, and the programme's quality.

The grid's figures are placeholders until ALS sets them (`provisoire`), which every proposition says.
Pure: a dossier and the instructor's inputs in, a `Proposition` out.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from pydantic import ConfigDict, field_validator

from ami.domain.base import Model
from ami.domain.jours_ouvres import echeance, territoire
from ami.domain.models import FIBEN_COTES, Dossier, NotationFiben, PrimeLigne, Proposition, QualiteProgramme

CENT = Decimal("0.01")
QUALITE_LIBELLES: dict[str, str] = {"elevee": "élevée", "standard": "standard", "reservee": "réservée"}


class Grille(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    provisoire: bool
    jours_validite: int
    majoration_differe_par_an: Decimal
    taux_annuel_pct: dict[str, Decimal]
    coefficient_qualite: dict[str, Decimal]

    @field_validator("taux_annuel_pct")
    @classmethod
    def _every_cote(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        missing = [c for c in FIBEN_COTES if c not in v]
        if missing or set(v) - set(FIBEN_COTES):
            raise ValueError(f"grille tarifaire : cotations manquantes ou inconnues {missing or sorted(set(v))}")
        return v


@cache
def grille() -> Grille:
    raw = resources.files("ami.domain").joinpath("tarification.toml").read_text(encoding="utf-8")
    return Grille.model_validate(tomllib.loads(raw))


def prime_ligne(rang: int, loan: object, fiben: NotationFiben, qualite: QualiteProgramme, g: Grille) -> PrimeLigne:
    from ami.domain.models import Loan

    assert isinstance(loan, Loan)
    taux = g.taux_annuel_pct[fiben.cote]
    duree = Decimal(loan.duree_mois) / 12
    differe = 1 + g.majoration_differe_par_an * Decimal(loan.differe_mois) / 12
    coef_qualite = g.coefficient_qualite[qualite]
    prime = (loan.montant_eur * taux / 100 * duree * differe * coef_qualite).quantize(CENT, rounding=ROUND_HALF_UP)
    return PrimeLigne(
        rang=rang, kind=loan.kind, produit=loan.produit, montant_eur=loan.montant_eur, duree_mois=loan.duree_mois,
        differe_mois=loan.differe_mois, cote_fiben=fiben.cote, qualite=qualite, taux_annuel_pct=taux,
        coefficient_duree=duree.quantize(Decimal("0.0001")), coefficient_differe=differe.quantize(Decimal("0.0001")),
        coefficient_qualite=coef_qualite, prime_eur=prime,
    )


def proposition(d: Dossier, fiben: NotationFiben, qualite: QualiteProgramme, now: datetime,
                g: Grille | None = None) -> Proposition:
    """The proposition de tarification of `d`, emitted at `now`, valid `jours_validite` jours ouvrés of the
    operation's territory."""
    g = g or grille()
    lignes = [prime_ligne(i, loan, fiben, qualite, g) for i, loan in enumerate(d.form.prets, start=1)]
    where = territoire(d.form.operation.commune_insee)
    return Proposition(
        emise_le=now, expire_le=echeance(now, g.jours_validite, where), territoire=where,
        jours_ouvres=g.jours_validite, grille=g.version, grille_provisoire=g.provisoire, fiben=fiben,
        qualite=qualite, lignes=lignes, prime_eur=sum((x.prime_eur for x in lignes), Decimal(0)),
    )
