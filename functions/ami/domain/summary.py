"""The summary of a numbered dossier: what the instructors' list shows and filters on, a few hundred bytes
instead of the whole dossier (issue 13: reading 4,000 dossiers in full made one view of the list take a
minute on the emulation).

One source of truth: `summarize` derives it from the dossier, and the storage writes it with every write of
the dossier (the DynamoDB adapter in the same item, projected alone by a sparse index), so a summary never
says something its dossier does not. The dossier page still reads the full dossier.

The commune's région and zone are not copied: the list looks them up from the INSEE code when it reads
(`ami.domain.rules.commune`, a dictionary lookup), so the writers do not load the zonage and a new zonage
applies to every summary at once.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ami.domain.models import Dossier, DossierStatus, Model, SeanceCcn


class DossierSummary(Model):
    dossier_id: str
    deposit_number: int
    status: DossierStatus
    siren: str
    dispositif: str
    departement: str | None = None
    nom: str | None = None
    commune_insee: str | None = None
    logements: int = 0
    principal: Decimal = Decimal(0)
    score: Decimal | None = None
    seance_ccn: SeanceCcn | None = None
    deposited_at: datetime | None = None


def summarize(d: Dossier) -> DossierSummary | None:
    """The summary of `d` as the list shows it; None before numbering (such a dossier is not listed)."""
    if d.deposit_number is None:
        return None
    op = d.form.operation
    return DossierSummary(
        dossier_id=d.dossier_id,
        deposit_number=d.deposit_number,
        status=d.status,
        siren=d.siren,
        dispositif=d.dispositif,
        departement=d.form.programmation.departement if d.form.programmation is not None else None,
        nom=op.nom,
        commune_insee=op.commune_insee,
        logements=op.logements.total if op.logements else 0,
        principal=d.loan_total,
        score=d.scoring.total_retenu if d.scoring else None,
        seance_ccn=d.seance_ccn,
        deposited_at=d.envoi.sent_at if d.envoi else None,
    )
