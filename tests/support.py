"""Helpers shared by tests that drive the store directly on a provisioned emulation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ami.aws import table
from ami.models import DossierForm, Loan, LoanKind, Logements, Operation
from ami.settings import Settings


def empty_tables(s: Settings) -> None:
    """Delete every item of the dossiers, counters and audit tables (a fresh start for one test)."""
    for name in (s.dossiers_table, s.counters_table, s.audit_table):
        tbl = table(name)
        kwargs: dict[str, Any] = {"ProjectionExpression": "pk, sk"}
        keys: list[dict[str, Any]] = []
        while True:
            page = tbl.scan(**kwargs)
            keys += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        with tbl.batch_writer() as batch:
            for k in keys:
                batch.delete_item(Key=k)


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
