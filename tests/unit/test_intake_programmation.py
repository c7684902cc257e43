"""Intake of a DROM dossier's tableau de programmation: accepted with its recomputed synthesis, or refused
(macros) and quarantined with the French reason; a PDF slot of the LLI is no piece of a DROM dossier."""

from __future__ import annotations

import datetime as dt

from ami.domain.deposit_keys import piece_key
from ami.domain.models import Dossier
from ami.services.idempotency import Idempotency
from ami.services.intake import Intake, Upload
from fakes import InMemoryDeposits, InMemoryPersistenceLayer, InMemoryPublisher, InMemoryStore

from infra import xlsxgen

NOW = dt.datetime(2024, 9, 2, 9, 0, tzinfo=dt.UTC)
SIREN = "552100554"


def run(data: bytes, piece: str = "tableau_programmation") -> tuple[str, InMemoryStore, InMemoryDeposits, Dossier]:
    store, publisher, layer = InMemoryStore(), InMemoryPublisher(), InMemoryPersistenceLayer()
    d = Dossier(dossier_id="e" * 32, siren=SIREN, dispositif="drom-2024", created_at=NOW, updated_at=NOW)
    store.create_dossier(d, "bailleur")
    deposits = InMemoryDeposits()
    intake = Intake(deposits, store, publisher, Idempotency(lambda: layer), lambda: NOW)
    key = piece_key(SIREN, d.dossier_id, piece)  # type: ignore[arg-type]
    version = deposits.put(key, data, version_id="v1")
    outcome = intake.process(Upload(bucket="depots", key=key, version_id=version, size=len(data), event_time=NOW))
    return outcome.outcome, store, deposits, d


def test_a_programmation_is_accepted_with_its_synthesis_recomputed() -> None:
    rows = xlsxgen.operations(12, seed=5)
    outcome, store, deposits, d = run(xlsxgen.workbook(rows, tamper={"PLS": 1}))
    assert outcome == "accepted" and deposits.reasons == []
    record = store.piece_records(d.dossier_id)[("tableau_programmation", "v1")]
    fields = {f.name: f.value for f in record.fields}
    assert fields["synthese.PLS.operations"] == str(sum(r.filiere == "PLS" for r in rows))
    assert any(c.code == "synthese_differente" and "filière PLS" in c.message_fr for c in record.checks)


def test_a_workbook_with_macros_is_refused_and_quarantined() -> None:
    outcome, store, deposits, d = run(xlsxgen.with_macros(xlsxgen.workbook(xlsxgen.operations(2))))
    assert outcome == "refused" and deposits.reasons == ["macros"]
    record = store.piece_records(d.dossier_id)[("tableau_programmation", "v1")]
    assert record.message is not None and "contient des macros" in record.message


def test_a_pdf_slot_is_no_piece_of_a_drom_dossier() -> None:
    outcome, _, deposits, _ = run(b"%PDF-1.7", piece="lettre_offre")
    assert outcome == "quarantined" and deposits.reasons == ["cle_inconnue"]
