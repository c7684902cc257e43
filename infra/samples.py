"""Sample data and stand-ins for the tests and benchmarks that drive the domain code directly."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from ami.deposits import Deposits
from ami.models import DepositedPiece, DossierForm, Loan, LoanKind, Logements, Operation


def complete_form(kind: LoanKind = "bati", amount: Decimal = Decimal("1000000")) -> DossierForm:
    """An operation form with every field the AMI requires, and one BdT loan."""
    return DossierForm(
        operation=Operation(
            nom="Les Tilleuls",
            commune_insee="75056",
            adresse="3 rue des Tilleuls, 75011 Paris",
            logements=Logements(t2=10, t3=5),
            surface_habitable_m2=Decimal("900.50"),
            surface_utile_m2=Decimal("950"),
            loyer_mensuel_total_eur=Decimal("15000"),
            date_debut_travaux=date(2026, 3, 1),
        ),
        prets=[Loan(kind=kind, montant_eur=amount, duree_mois=480, marge_pct=Decimal("0.6"))],
    )


class StubDeposits(Deposits):
    """Every piece is in the bucket, with one version whose id and hash derive from its key."""

    def __init__(self) -> None:
        pass

    def snapshot(self, key: str) -> DepositedPiece | None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return DepositedPiece(key=key, version_id=f"v-{digest[:16]}", sha256=digest, size=4096)
