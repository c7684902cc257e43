"""The demo's scenario: who registers, which operations they enter, and what must become of each.

Four bailleurs of different legal forms; twelve operations across every zone of the ABC zoning, some
incomplete, some with a bad file uploaded first. Data only: `driver` plays it, `checks` judges it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ami.domain.models import Loan, LoanKind, Logements, Operation

PASSWORD = "Demo-AMI-garantie-2026!"
INSTRUCTOR = ("instruction@actionlogement.fr", "Instructeur-AMI-2026!")


def luhn_siren(prefix: str) -> str:
    """Complete an 8-digit prefix into a SIREN whose Luhn key is right."""
    from ami.domain.rules import luhn_ok

    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


@dataclass(frozen=True)
class DemoBailleur:
    raison_sociale: str
    forme_juridique: str
    siren: str
    email: str
    adresse: str


BAILLEURS = [
    DemoBailleur(
        "Habitat Rhône Intermédiaire",
        "filiale_lli_sa_hlm",
        luhn_siren("41203579"),
        "garanties@habitat-rhone.example",
        "12 quai Perrache, 69002 Lyon",
    ),
    DemoBailleur(
        "Office Métropolitain de l'Habitat",
        "oph",
        luhn_siren("27750015"),
        "financements@omh.example",
        "21 bis rue Claude-Bernard, 75005 Paris",
    ),
    DemoBailleur(
        "SEM Habitat Bourgogne",
        "sem",
        luhn_siren("38640421"),
        "direction.financiere@sem-bourgogne.example",
        "4 place Darcy, 21000 Dijon",
    ),
    DemoBailleur(
        "Coopérative Logis Atlantique",
        "sa_cooperative_hlm",
        luhn_siren("57880124"),
        "contact@logis-atlantique.example",
        "3 allée Baco, 44000 Nantes",
    ),
]


@dataclass
class DemoDossier:
    """One operation of the scenario, and what must become of it."""

    bailleur: int
    nom: str
    insee: str
    commune: str
    logements: Logements
    surface_habitable: int
    loyer_m2: Decimal
    loans: list[tuple[LoanKind, int, int]]  # (kind, amount €, months)
    expect: str = "complet"
    missing_piece: str | None = None
    bad_upload: tuple[str, str] | None = None  # (piece, kind of bad file) uploaded first
    fix_after_bad: bool = False
    drop_field: str | None = None
    dossier_id: str = ""
    sent_at: str = ""
    notes: list[str] = field(default_factory=list)

    def operation(self) -> Operation:
        su = Decimal(self.surface_habitable) * Decimal("1.06")
        op = Operation(
            nom=self.nom,
            commune_insee=self.insee,
            adresse=f"Îlot {self.nom.split()[-1]}, {self.commune}",
            logements=self.logements,
            surface_habitable_m2=Decimal(self.surface_habitable),
            surface_utile_m2=su.quantize(Decimal("0.01")),
            loyer_mensuel_total_eur=(su * self.loyer_m2).quantize(Decimal("0.01")),
            date_debut_travaux=date(2027, 3, 1),
        )
        if self.drop_field:
            return op.model_copy(update={self.drop_field: None})
        return priority2_form(op, self)

    def prets(self) -> list[Loan]:
        return [
            Loan(kind=k, produit="PLI", montant_eur=Decimal(a), duree_mois=m, marge_pct=Decimal("0.60"))
            for k, a, m in self.loans
        ]


def scenario() -> list[DemoDossier]:
    L = Logements
    return [
        DemoDossier(
            1,
            "Résidence Buffon",
            "75056",
            "Paris",
            L(t1=6, t2=14, t3=10, t4=4),
            2150,
            Decimal("18.20"),
            [("foncier", 3_200_000, 720), ("bati", 9_850_000, 480)],
        ),
        DemoDossier(
            0,
            "Les Terrasses de Gerland",
            "69123",
            "Lyon",
            L(t2=18, t3=16, t4=6),
            2600,
            Decimal("13.40"),
            [("foncier", 1_450_000, 600), ("bati", 7_300_000, 480)],
        ),
        DemoDossier(
            2,
            "Clos des Ducs",
            "21231",
            "Dijon",
            L(t2=8, t3=10, t4=4),
            1480,
            Decimal("10.90"),
            [("bati", 3_950_000, 480)],
        ),
        DemoDossier(
            2,
            "Domaine des Hospices",
            "21054",
            "Beaune",
            L(t2=6, t3=6),
            780,
            Decimal("9.50"),
            [("bati", 1_900_000, 420)],
            expect="incomplet",
            missing_piece="dossier_presentation",
        ),
        DemoDossier(
            2,
            "Résidence de la Creuse",
            "23096",
            "Guéret",
            L(t2=4, t3=6, t4=2),
            820,
            Decimal("8.70"),
            [("bati", 1_350_000, 420)],
        ),
        DemoDossier(
            3,
            "Quai des Chartrons",
            "33063",
            "Bordeaux",
            L(t1=4, t2=12, t3=8),
            1590,
            Decimal("12.80"),
            [("foncier", 1_100_000, 600), ("bati", 5_200_000, 480)],
            expect="incomplet",
            bad_upload=("lettre_offre", "chiffre"),
        ),
        DemoDossier(
            3,
            "Île de Nantes — Prairie",
            "44109",
            "Nantes",
            L(t2=10, t3=12, t4=4),
            1850,
            Decimal("11.90"),
            [("bati", 5_600_000, 480)],
            bad_upload=("dossier_presentation", "pas_un_pdf"),
            fix_after_bad=True,
        ),
        DemoDossier(
            1,
            "Euralille Horizon",
            "59350",
            "Lille",
            L(t1=8, t2=16, t3=8),
            2050,
            Decimal("12.10"),
            [("foncier", 2_050_000, 600), ("bati", 6_900_000, 480)],
        ),
        DemoDossier(
            0,
            "Belle de Mai",
            "13055",
            "Marseille",
            L(t2=12, t3=10, t5=2),
            1700,
            Decimal("12.60"),
            [("bati", 5_100_000, 480)],
            expect="incomplet",
            drop_field="surface_utile_m2",
        ),
        DemoDossier(
            0,
            "Montaudran Aerospace",
            "31555",
            "Toulouse",
            L(t2=14, t3=12, t4=6),
            2300,
            Decimal("11.40"),
            [("foncier", 1_700_000, 600), ("bati", 6_400_000, 480)],
        ),
        DemoDossier(
            1,
            "Ravine Blanche",
            "97411",
            "Saint-Denis (La Réunion)",
            L(t2=10, t3=10, t4=4),
            1760,
            Decimal("11.20"),
            [("bati", 4_800_000, 480)],
        ),
        DemoDossier(
            3,
            "Les Balcons du Lac",
            "74010",
            "Annecy",
            L(t2=8, t3=8, t4=4, t6_plus=1),
            1600,
            Decimal("13.80"),
            [("foncier", 1_900_000, 600), ("bati", 4_700_000, 480)],
        ),
    ]


# ---------------------------------------------------------------- the form's priority-2 detail

# Typical surface habitable of one dwelling of each typology: the operation's surface is shared in proportion.
TYPICAL_M2 = {"t1": 25, "t1_bis": 30, "t2": 45, "t3": 62, "t4": 79, "t5": 96, "t6_plus": 110}


def priority2_form(op: Operation, d: DemoDossier) -> Operation:
    """The form's detail the priority-2 score reads: one line per typology (surfaces and rent of one dwelling,
    the totals derived from them), the nearest stop (or the page of the presentation), services, DPE class."""
    counts = {t: n for t, n in d.logements.model_dump().items() if n}
    typical_total = sum(TYPICAL_M2[t] * n for t, n in counts.items())
    lines = []
    for t, n in counts.items():
        sh = (Decimal(d.surface_habitable) * TYPICAL_M2[t] / typical_total).quantize(Decimal("0.01"))
        su = (sh * Decimal("1.06")).quantize(Decimal("0.01"))
        lines.append({"typologie": t, "nombre": n, "surface_habitable_m2": sh, "surface_utile_m2": su,
                      "loyer_mensuel_eur": (su * d.loyer_m2).quantize(Decimal("0.01"))})
    transport = {"voir_page": 2} if d.bailleur == 2 else {"distance_m": 150}  # the presentation: bus at 150 m
    return Operation.model_validate({
        **op.model_dump(exclude={"logements", "surface_habitable_m2", "surface_utile_m2", "loyer_mensuel_total_eur"},
                        exclude_none=True),
        "lignes": lines, "transport": transport, "qualite_construction": {"classe_dpe": "A"},
        "services_proximite": {"rayon_m": 900, "services": ["commerces", "ecoles", "creches"]},
    })


# ---------------------------------------------------------------- the DROM programmations (dispositif drom-2024)


@dataclass
class DemoProgrammation:
    """One département's programmation 2024, and what must become of it."""

    bailleur: int
    departement: str
    operations: int
    seed: int
    expect: str = "complet"  # or "incomplet", or "brouillon" (sent after the deadline: refused)
    macros: bool = False  # the workbook deposited is an .xlsm renamed: refused
    ecart: bool = False  # the form's synthesis differs from the workbook's: a check the bailleur sees
    late: bool = False  # sent after 30 September 23:59 (Paris)
    dossier_id: str = ""


def programmations() -> list[DemoProgrammation]:
    return [
        DemoProgrammation(1, "971", 6, seed=71),
        DemoProgrammation(3, "972", 4, seed=72, expect="incomplet", macros=True),
        DemoProgrammation(2, "973", 3, seed=73),
        DemoProgrammation(1, "974", 8, seed=74, ecart=True),
        DemoProgrammation(0, "976", 2, seed=76, expect="brouillon", late=True),
    ]
