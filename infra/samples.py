"""Sample data and stand-ins for the tests and benchmarks that drive the domain code directly."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from ami.adapters.s3 import Deposits, piece_key
from ami.domain.dispositif import dispositif
from ami.domain.models import (
    DepositedPiece,
    Dossier,
    DossierForm,
    Loan,
    LoanKind,
    Logements,
    Operation,
    PieceRecord,
)
from ami.services.ports import Dossiers


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

    def snapshot(self, key: str, known: Mapping[str, str] | None = None) -> DepositedPiece | None:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return DepositedPiece(key=key, version_id=f"v-{digest[:16]}", sha256=digest, size=4096)

    def hold(self, key: str, version_id: str) -> None:
        """These versions are nowhere to hold."""

    def hold_all(self, versions: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        return []


def land_pieces(store: Dossiers, d: Dossier, at: datetime, refuse_presentation: bool = False) -> None:
    """Intake's verdict on each piece version of `d` (as `StubDeposits` has them), for the pieces of its dispositif."""
    for kind in dispositif(d.dispositif).piece_kinds:
        p = StubDeposits().snapshot(piece_key(d.siren, d.dossier_id, kind))
        assert p is not None
        ok = not (refuse_presentation and kind == "dossier_presentation")
        store.record_piece(
            d.dossier_id,
            PieceRecord(
                piece=kind,
                key=p.key,
                version_id=p.version_id,
                size=p.size,
                sha256=p.sha256,
                accepted=ok,
                reason_code=None if ok else "pdf_illisible",
                message=None if ok else "Le fichier ne peut pas être lu.",
                received_at=at,
                checked_at=at,
            ),
        )


def complete_dossier(store: Dossiers, siren: str, actor: str) -> Dossier:
    """A brouillon whose form is complete and whose pieces intake has already accepted."""
    now = datetime.now(UTC)
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=siren, form=complete_form(), created_at=now, updated_at=now)
    store.create_dossier(d, actor)
    land_pieces(store, d, now)
    return d
