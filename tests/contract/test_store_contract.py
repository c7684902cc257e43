"""One contract for the storage ports (Dossiers, DepositSequence, Outbox, AuditLog), run against the
in-memory fake of the unit tests and the DynamoDB adapter on the emulation: the fake stays honest."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ami.adapters.dynamodb import Store as DynamoStore
from ami.adapters.dynamodb.dossiers import SUMMARY_INDEX
from ami.domain.audit import verify_log
from ami.domain.deposit_keys import piece_key
from ami.domain.dispositif import dispositif
from ami.domain.errors import ConditionFailed, Conflict
from ami.domain.messages import Message, OutboxClaim
from ami.domain.models import Bailleur, Dossier, DossierStatus, Envoi, Reason, Seance, SeanceCcn, Suivi
from ami.domain.scoring import score_dossier
from ami.domain.sequence import AuditDraft, DepositCounter, PendingEnvoi, ToNumber
from ami.domain.summary import DossierSummary, summarize
from ami.services.ports import Store
from boto3.dynamodb.conditions import Key
from fakes import InMemoryStore
from support import empty_tables

from infra.samples import StubDeposits, complete_form, land_pieces

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SIREN = "552100554"


@pytest.fixture(params=["memoire", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "memoire":
        return InMemoryStore()
    env = request.getfixturevalue("emulation")
    empty_tables(env)
    return DynamoStore(env)


def brouillon(store: Store, siren: str = SIREN) -> Dossier:
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=siren, form=complete_form(), created_at=T0, updated_at=T0)
    store.create_dossier(d, "bailleur:test")
    return d


def sent(store: Store, at: datetime = T0) -> Dossier:
    d = brouillon(store)
    land_pieces(store, d, at)
    pieces = {k: StubDeposits().snapshot(piece_key(d.siren, d.dossier_id, k)) for k in dispositif().piece_kinds}
    e = Envoi(envoi_id=uuid.uuid4().hex, sent_at=at, pieces={k: p for k, p in pieces.items() if p})
    store.reserve_envoi(PendingEnvoi.new(d.dossier_id, e.envoi_id, at))
    return store.record_envoi(d, e, "bailleur:test")


def note(queue: Any, text: str, order: str = "") -> Message:
    return Message(queue, text, group_id="g", dedup_id=text, order=order)


# ---------------------------------------------------------------- Dossiers


def test_bailleurs_are_registered_once(store: Store) -> None:
    b = Bailleur(siren=SIREN, raison_sociale="Habitat Test", forme_juridique="esh", adresse="1 rue A, 75001 Paris",
                 email_contact="jeanne@example.org", registered_at=T0)
    store.register_bailleur(b)
    assert store.get_bailleur(SIREN) == b and store.get_bailleur("000000000") is None
    assert store.get_bailleurs([SIREN, "000000000", SIREN]) == {SIREN: b}
    with pytest.raises(Conflict) as exc:
        store.register_bailleur(b)
    assert exc.value.code == "bailleur_existant"


def test_a_dossier_is_created_once_and_read_back(store: Store) -> None:
    d = brouillon(store)
    assert store.get_dossier(d.dossier_id) == d
    with pytest.raises(ConditionFailed):
        store.create_dossier(d, "bailleur:test")
    other = brouillon(store, siren="732829320")
    assert {x.dossier_id for x in store.list_dossiers(SIREN)} == {d.dossier_id}
    assert set(store.get_dossiers([d.dossier_id, other.dossier_id, "absent"])) == {d.dossier_id, other.dossier_id}


def test_edits_are_optimistic_and_guarded_by_status(store: Store) -> None:
    d = brouillon(store)
    saved = store.save_form(d, "bailleur:test")
    assert saved.version == d.version + 1 and store.get_dossier(d.dossier_id) == saved
    with pytest.raises(Conflict) as exc:
        store.save_form(d, "bailleur:test")  # written from a stale read
    assert exc.value.code == "dossier_modifie"
    moved = store.transition(saved, DossierStatus.EN_INSTRUCTION, "instructeur:x", "prise_en_instruction")
    assert moved.status == DossierStatus.EN_INSTRUCTION and moved.version == saved.version + 1
    with pytest.raises(Conflict):
        store.save_form(moved, "bailleur:test")  # no longer editable


def test_piece_records_are_idempotent_and_read_by_deposit(store: Store) -> None:
    d = sent(store)
    land_pieces(store, d, T0)  # the same verdicts again: nothing new
    records = store.piece_records(d.dossier_id)
    assert len(records) == len(dispositif().piece_kinds) and all(r.accepted for r in records.values())
    assert store.deposit_records([d]) == {d.dossier_id: records}


def test_a_dossier_is_read_with_its_piece_records_in_one_go(store: Store) -> None:
    d = sent(store)
    bare = brouillon(store, siren="732829320")  # no piece examined yet
    assert store.dossier_with_records(d.dossier_id) == (store.get_dossier(d.dossier_id),
                                                        store.piece_records(d.dossier_id))
    assert len(store.dossier_with_records(d.dossier_id)[1]) == len(dispositif().piece_kinds)
    assert store.dossier_with_records(bare.dossier_id) == (store.get_dossier(bare.dossier_id), {})
    assert store.dossier_with_records(uuid.uuid4().hex) == (None, {})


def test_scores_are_saved_with_what_follows_and_overrides_audited(store: Store) -> None:
    d = sent(store)
    score = score_dossier(d, {}, {})
    scored = store.save_score(d, score, [note("notifications", "accuse")])
    assert store.get_dossier(d.dossier_id) == scored and scored.scoring == score
    assert [m.body for i in store.outbox_items() for m in i.messages] == ["accuse"]
    from ami.domain import scoring

    overridden = scoring.override(score, "surfaces", Decimal("1"), "Surfaces relevées au plan.", "instructeur:x", T0)
    saved = store.override_score(scored, overridden, "instructeur:x", "surfaces")
    assert saved.scoring == overridden
    entry = store.audit_entries()[-1]
    assert entry.action == "surcharge_score" and entry.details["points"] == "1.00"
    assert entry.reason == "Surfaces relevées au plan."


# ---------------------------------------------------------------- DepositSequence


def test_an_envoi_needs_a_live_reservation_and_is_final(store: Store) -> None:
    d = brouillon(store)
    e = Envoi(envoi_id=uuid.uuid4().hex, sent_at=T0, pieces={})
    with pytest.raises(Conflict) as exc:
        store.record_envoi(d, e, "bailleur:test")  # nothing reserved
    assert exc.value.code == "envoi_impossible"
    store.reserve_envoi(PendingEnvoi.new(d.dossier_id, e.envoi_id, T0))
    assert [p.reserved for p in store.pending_envois()] == [True]
    out = store.record_envoi(d, e, "bailleur:test")
    assert out.status == DossierStatus.ENVOYE and [p.reserved for p in store.pending_envois()] == [False]
    store.cancel_reservation(PendingEnvoi.of(out))  # a recorded envoi is no longer a reservation
    assert len(store.pending_envois()) == 1
    with pytest.raises(Conflict):
        store.record_envoi(out, e, "bailleur:test")


def test_pending_envois_come_in_deposit_order(store: Store) -> None:
    late, early = sent(store, T0 + timedelta(seconds=2)), sent(store, T0 + timedelta(seconds=1))
    assert [p.dossier_id for p in store.pending_envois()] == [early.dossier_id, late.dossier_id]
    assert [p.dossier_id for p in store.pending_envois(limit=1)] == [early.dossier_id]


def test_one_walker_holds_the_lease(store: Store) -> None:
    assert store.acquire_lease("a", T0, timedelta(seconds=30))
    assert not store.acquire_lease("b", T0 + timedelta(seconds=10), timedelta(seconds=30))
    store.release_lease("b")  # not b's to release
    assert not store.acquire_lease("b", T0 + timedelta(seconds=10), timedelta(seconds=30))
    assert store.acquire_lease("b", T0 + timedelta(seconds=31), timedelta(seconds=30))  # a's lapsed
    store.release_lease("b")
    assert store.acquire_lease("c", T0 + timedelta(seconds=32), timedelta(seconds=30))


def test_numbers_are_given_once_in_one_transaction(store: Store) -> None:
    first, second = sent(store, T0), sent(store, T0 + timedelta(seconds=1))
    assert store.counter() == DepositCounter()
    pending = store.pending_envois()
    batch = [ToNumber(p, d, DossierStatus.COMPLET, [note("scoring", d.dossier_id, order=f"{n:09d}")])
             for n, (p, d) in enumerate(zip(pending, (first, second), strict=True), start=1)]
    after = DepositCounter(2, first.loan_total + second.loan_total, False)
    numbered = store.conclude_numbered_batch(DepositCounter(), after, batch)
    assert [(d.dossier_id, d.deposit_number) for d in numbered] == [(first.dossier_id, 1), (second.dossier_id, 2)]
    assert store.counter() == after and store.pending_envois() == []
    assert verify_log(store.audit_entries()) == []  # numbers 1 and 2 proven from the log alone
    assert [e.chain for e in store.audit_entries() if e.action == "numerotation"] == ["numerotation"] * 2
    assert [d.deposit_number for d in store.list_numbered()] == [1, 2]
    with pytest.raises(ConditionFailed):  # another worker already numbered them: nothing written
        store.conclude_numbered_batch(DepositCounter(), after, batch)
    assert store.counter() == after


def test_an_incomplete_conclusion_ends_the_pending_envoi(store: Store) -> None:
    d = sent(store)
    (pending,) = store.pending_envois()
    reasons = [Reason(code="piece_manquante", message="La lettre d'offre manque.")]
    out = store.conclude_incomplete(pending, d, reasons, [note("notifications", "incomplet")])
    assert out.status == DossierStatus.INCOMPLET and out.incomplete_reasons == reasons
    assert store.pending_envois() == [] and store.get_dossier(d.dossier_id) == out
    with pytest.raises(ConditionFailed):
        store.conclude_incomplete(pending, d, reasons, [])


def test_an_unsequenced_envoi_is_concluded_on_its_own_without_a_number(store: Store) -> None:
    """A dispositif without numbering (the DROM's): no reservation, no pending envoi, no number."""
    d = brouillon(store)
    e = Envoi(envoi_id=uuid.uuid4().hex, sent_at=T0, pieces={})
    out = store.record_envoi(d, e, "bailleur:test", sequenced=False)
    assert out.status == DossierStatus.ENVOYE and store.pending_envois() == []
    with pytest.raises(Conflict):
        store.record_envoi(out, e, "bailleur:test", sequenced=False)  # final, as any envoi
    done = store.conclude_complete(out, [note("notifications", "programmation-complete")])
    assert done.status == DossierStatus.COMPLET and done.deposit_number is None
    assert store.get_dossier(d.dossier_id) == done and store.counter() == DepositCounter()
    assert [i.messages[0].body for i in store.outbox_items()] == ["programmation-complete"]
    with pytest.raises(ConditionFailed):  # concluded already
        store.conclude_complete(out, [])
    again = brouillon(store)
    sent_again = store.record_envoi(again, Envoi(envoi_id=uuid.uuid4().hex, sent_at=T0), "b", sequenced=False)
    reasons = [Reason(code="formulaire_departement", message="Le département manque.")]
    incomplete = store.conclude_incomplete(None, sent_again, reasons, [])
    assert incomplete.status == DossierStatus.INCOMPLET and store.pending_envois() == []
    assert [h.action for h in store.history(d.dossier_id)] == ["creation", "envoi", "completude"]
    assert verify_log(store.audit_entries()) == []


def test_a_delegation_lists_the_sent_programmations_of_a_departement(store: Store) -> None:
    from ami.domain.models import DossierForm, ProgrammationForm

    def programmation(dep: str) -> Dossier:
        d = Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, dispositif="drom-2024", created_at=T0, updated_at=T0,
                    form=DossierForm(programmation=ProgrammationForm(departement=dep)))  # type: ignore[arg-type]
        store.create_dossier(d, "bailleur:test")
        return d

    draft, reunion, mayotte = programmation("974"), programmation("974"), programmation("976")
    sent_reunion = store.record_envoi(reunion, Envoi(envoi_id=uuid.uuid4().hex, sent_at=T0), "b", sequenced=False)
    store.record_envoi(mayotte, Envoi(envoi_id=uuid.uuid4().hex, sent_at=T0), "b", sequenced=False)
    brouillon(store)  # an LLI dossier: never in a territoire
    assert [d.dossier_id for d in store.list_territoire("drom-2024", "974")] == [sent_reunion.dossier_id]
    assert draft.dossier_id not in {d.dossier_id for d in store.list_territoire("drom-2024", "974")}
    assert [d.dossier_id for d in store.list_territoire("drom-2024", "976")] == [mayotte.dossier_id]
    assert store.list_territoire("drom-2024", "971") == []
    done = store.conclude_complete(sent_reunion, [])  # still listed once concluded
    assert [d.status for d in store.list_territoire("drom-2024", "974")] == [done.status]


# ---------------------------------------------------------------- Outbox and AuditLog


def test_the_outbox_is_sent_in_order_and_claimed_once(store: Store) -> None:
    d = sent(store)
    store.save_score(d, score_dossier(d, {}, {}), [note("scoring", "deux", order="000000002")])
    (pending,) = store.pending_envois()
    store.conclude_incomplete(pending, store.get_dossier(d.dossier_id) or d, [], [note("scoring", "un", "000000001")])
    items = list(store.outbox_items())
    assert [m.body for i in items for m in i.messages] == ["un", "deux"]
    now = T0 + timedelta(days=1000)
    key, soon, later = items[0].key, now + timedelta(seconds=10), now + timedelta(seconds=20)
    assert store.claim_outbox_item(key, "a", now, soon) == OutboxClaim(True, until=soon)
    assert store.claim_outbox_item(key, "b", now, soon) == OutboxClaim(False, held_until=soon)  # a holds it
    store.release_outbox_item(key, "b")  # not b's claim: nothing
    store.delete_outbox_item(key, "b")  # nor b's to delete
    assert store.claim_outbox_item(key, "b", now, soon).held_until == soon
    # a's claim lapsed (a died between its claim and its send): b takes the item over
    assert store.claim_outbox_item(key, "b", soon + timedelta(seconds=1), later).taken
    store.delete_outbox_item(key, "a")  # a's send outlasted its claim: b's own send deletes the item
    assert [i.key for i in store.outbox_items()] == [key, items[1].key]
    store.release_outbox_item(key, "b")  # b's send failed: the claim is given back at once
    assert store.claim_outbox_item(key, "c", now, soon).taken
    store.delete_outbox_item(key, "c")
    assert store.claim_outbox_item(key, "d", now, soon).gone
    assert [i.key for i in store.outbox_items()] == [items[1].key]


def test_every_audited_change_is_in_the_chain_and_the_history(store: Store) -> None:
    d = sent(store)
    store.transition(store.get_dossier(d.dossier_id) or d, DossierStatus.COMPLET, "systeme:test", "test")
    entries = store.audit_entries()
    assert verify_log(entries) == []
    assert [e.action for e in entries] == ["creation", "envoi", "test"]
    history = store.history(d.dossier_id)
    assert [(h.action, h.to_status) for h in history] == [("creation", "brouillon"), ("envoi", "envoyé"),
                                                          ("test", "complet")]
    assert store.history("absent") == []


# ---------------------------------------------------------------- the instructors' list


def test_the_list_reads_summaries_that_follow_every_write_of_the_dossier(store: Store) -> None:
    first, second = sent(store, T0), sent(store, T0 + timedelta(seconds=1))
    assert store.list_summaries() == []  # sent, not numbered: not listed yet
    batch = [ToNumber(p, d, DossierStatus.COMPLET, [note("scoring", d.dossier_id, order=f"{n:09d}")])
             for n, (p, d) in enumerate(zip(store.pending_envois(), (first, second), strict=True), start=1)]
    first, second = store.conclude_numbered_batch(
        DepositCounter(), DepositCounter(2, first.loan_total + second.loan_total, False), batch)

    def listed() -> list[DossierSummary]:
        """The list's read, which must say what the dossiers as stored say."""
        found = store.list_summaries()
        assert found == [summarize(d) for d in store.list_numbered()]
        if isinstance(store, DynamoStore):  # written with the dossier, not made up on read
            items = store.dossiers.query(IndexName=SUMMARY_INDEX, KeyConditionExpression=Key("numbering").eq("depot"))
            assert [DossierSummary.model_validate_json(i["summary"]) for i in items["Items"]] == found
        return found

    assert [(s.deposit_number, s.status, s.score, s.deposited_at, s.principal) for s in listed()] == [
        (1, DossierStatus.COMPLET, None, T0, first.loan_total),
        (2, DossierStatus.COMPLET, None, T0 + timedelta(seconds=1), second.loan_total)]
    score = score_dossier(first, {}, {})
    first = store.save_score(first, score, [note("notifications", "accuse")])
    assert listed()[0].score == score.total_retenu
    from ami.domain import scoring

    overridden = scoring.override(score, "surfaces", Decimal("1"), "Surfaces relevées au plan.", "instructeur:x", T0)
    first = store.override_score(first, overridden, "instructeur:x", "surfaces")
    assert listed()[0].score == overridden.total_retenu != score.total_retenu
    first = store.transition(first, DossierStatus.EN_INSTRUCTION, "instructeur:x", "prise_en_instruction")
    assert listed()[0].status == DossierStatus.EN_INSTRUCTION
    seance = Seance(libelle="CCN-2025-04-10", le=date(2025, 4, 10))
    store.lifecycle_move(first, first.model_copy(update={"status": DossierStatus.PRESENTE_CCN,
                                                        "suivi": Suivi(ccn=seance)}),
                         AuditDraft(first.dossier_id, "instructeur:x", "presentation_ccn",
                                    DossierStatus.EN_INSTRUCTION.value, DossierStatus.PRESENTE_CCN.value), [])
    now = listed()
    assert (now[0].status, now[0].seance_ccn) == (DossierStatus.PRESENTE_CCN,
                                                  SeanceCcn(seance_id="CCN-2025-04-10", date_seance=date(2025, 4, 10)))
    assert now[1] == summarize(second)  # the other dossier's summary did not move
    if isinstance(store, DynamoStore):  # a dossier last written before summaries existed is summarised on read
        store.dossiers.update_item(Key={"pk": f"DOSSIER#{second.dossier_id}", "sk": "DOSSIER"},
                                   UpdateExpression="REMOVE summary")
        assert store.list_summaries() == now
