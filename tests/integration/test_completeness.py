"""completeness (and the numbering, and what scoring does after it) against the local stack."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from ami.adapters.dynamodb import Store
from ami.domain.models import CompletenessRequest, DepositedPiece, DepositNumbered, Envoi, PieceRecord, utcnow
from ami.domain.sequence import PendingEnvoi
from ami.settings import settings

from infra import pdfgen


def incomplete_emails(ami: Any, who: Any) -> list[Any]:
    return [e for e in ami.emails_to(who.email) if "incomplet" in e.subject.lower()]


def receipts(ami: Any, who: Any) -> list[Any]:
    return [e for e in ami.emails_to(who.email) if "accusé de réception" in e.subject.lower()]


def dossier(client: Any, dossier_id: str) -> dict[str, Any]:
    return client.call("GET", f"/dossiers/{dossier_id}")["dossier"]


def numberings(dossier_id: str) -> list[Any]:
    return [h for h in Store(settings()).history(dossier_id) if h.action == "numerotation"]


@pytest.fixture
def watermark_guard(ami):
    """A test that holds the numbering back must not leave it held if it fails."""
    yield
    if Store(settings()).pending_envois():
        ami.release_watermark()


def test_a_complete_dossier_is_numbered(ami, register_bailleur, upload_good_pieces, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    sent = bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    assert sent["status"] == "envoyé"
    settle()

    d = dossier(bailleur, dossier_id)
    assert d["status"] == "complet"
    assert isinstance(d["deposit_number"], int) and d["deposit_number"] > 0
    assert d["incomplete_reasons"] == []
    assert len(receipts(ami, bailleur)) == 1
    assert f"n° {d['deposit_number']}" in receipts(ami, bailleur)[0].subject
    assert len(ami.mailbox_emails_about(bailleur)) == 1
    assert incomplete_emails(ami, bailleur) == []


INCOMPLETE = {
    "piece manquante": ("piece_manquante_dossier_presentation", "Pièce manquante"),
    "champ manquant": ("formulaire_surface_utile_m2", "Formulaire incomplet : la surface utile"),
    # A refused version leaves the bucket at once: sent afterwards, the piece is simply missing.
    "piece refusee avant l'envoi": ("piece_manquante_lettre_offre", "Pièce manquante"),
    # Sent while the bad version was still there, refused by intake afterwards.
    "piece refusee apres l'envoi": ("piece_refusee_lettre_offre", "Pièce refusée"),
}


@pytest.fixture(scope="module")
def incomplete_dossiers(ami, register_bailleur, settle) -> dict[str, tuple[Any, str]]:
    store = Store(settings())
    out = {}
    for case in INCOMPLETE:
        bailleur = register_bailleur()
        dossier_id = ami.new_dossier(bailleur, drop="surface_utile_m2" if case == "champ manquant" else None)
        if case.startswith("piece refusee"):
            bailleur.upload(dossier_id, "lettre_offre", pdfgen.encrypted_pdf(), "offre.pdf")
        else:
            bailleur.upload(dossier_id, "lettre_offre", ami.good_pdf(bailleur, "lettre_offre"), "offre.pdf")
        if case != "piece manquante":
            bailleur.upload(dossier_id, "dossier_presentation", ami.good_pdf(bailleur, "dossier_presentation"))
        out[case] = (bailleur, dossier_id)
    settle()
    for case, (bailleur, dossier_id) in out.items():
        if case != "piece refusee apres l'envoi":
            bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
            continue
        # The envoi took the bad version as it stood; intake's verdict on it came later.
        d = store.get_dossier(dossier_id)
        assert d is not None
        pieces = {r.piece: DepositedPiece(key=r.key, version_id=r.version_id, sha256=r.sha256 or "0" * 64,
                                          size=r.size) for r in store.piece_records(dossier_id).values()}
        assert set(pieces) == {"lettre_offre", "dossier_presentation"}
        envoi = Envoi(envoi_id=uuid.uuid4().hex, sent_at=utcnow(), pieces=pieces)
        store.reserve_envoi(PendingEnvoi.of(d.model_copy(update={"envoi": envoi})))
        store.record_envoi(d, envoi, f"bailleur:{bailleur.siren}:{bailleur.email}")
        ami.send("CompletenessQueue", CompletenessRequest(dossier_id=dossier_id, cause="envoi").model_dump_json(),
                 group=dossier_id)
    settle()
    return out


@pytest.mark.parametrize("case", list(INCOMPLETE))
def test_an_incomplete_dossier_is_told_why_once(case, incomplete_dossiers, ami):
    bailleur, dossier_id = incomplete_dossiers[case]
    code, message = INCOMPLETE[case]
    d = dossier(bailleur, dossier_id)
    assert d["status"] == "incomplet"
    assert d["deposit_number"] is None
    assert [r["code"] for r in d["incomplete_reasons"]] == [code]
    assert d["incomplete_reasons"][0]["message"].startswith(message)
    emails = incomplete_emails(ami, bailleur)
    assert len(emails) == 1
    assert message in emails[0].text
    assert receipts(ami, bailleur) == []


def test_an_unexamined_piece_holds_back_later_deposits(ami, register_bailleur, upload_good_pieces, settle,
                                                        sqs, watermark_guard):
    store = Store(settings())
    first, second = register_bailleur(), register_bailleur()
    first_id, second_id = ami.new_dossier(first), ami.new_dossier(second)
    upload_good_pieces(first, first_id)
    upload_good_pieces(second, second_id)
    settle()

    # The first dossier is sent with a presentation whose version intake has not examined yet.
    d = store.get_dossier(first_id)
    assert d is not None
    letter = next(r for r in store.piece_records(first_id).values() if r.piece == "lettre_offre")
    unseen = DepositedPiece(key=ami.key(first, first_id, "dossier_presentation"), version_id=f"v-{uuid.uuid4().hex}",
                            sha256="0" * 64, size=12345)
    envoi = Envoi(envoi_id=uuid.uuid4().hex, sent_at=utcnow(), pieces={
        "lettre_offre": DepositedPiece(key=letter.key, version_id=letter.version_id, sha256=letter.sha256,
                                       size=letter.size),
        "dossier_presentation": unseen,
    })
    store.reserve_envoi(PendingEnvoi.of(d.model_copy(update={"envoi": envoi})))
    store.record_envoi(d, envoi, f"bailleur:{first.siren}:{first.email}")
    # The second one, complete, is sent after it.
    second_sent = second.call("POST", f"/dossiers/{second_id}/envoi")
    assert second_sent["envoi"]["sent_at"] > envoi.sent_at.isoformat()
    settle()

    assert dossier(first, first_id)["status"] == "envoyé"
    held = dossier(second, second_id)
    assert (held["status"], held["deposit_number"]) == ("envoyé", None)

    # Intake's record of the presentation arrives: both are numbered, in envoi order.
    now = utcnow()
    store.record_piece(first_id, PieceRecord(
        piece="dossier_presentation", key=unseen.key, version_id=unseen.version_id, size=unseen.size,
        sha256=unseen.sha256, accepted=True, pages=3, received_at=now, checked_at=now,
    ))
    ami.send("CompletenessQueue", CompletenessRequest(dossier_id=first_id, cause="piece").model_dump_json(),
             group=first_id)
    settle()

    a, b = dossier(first, first_id), dossier(second, second_id)
    assert (a["status"], b["status"]) == ("complet", "complet")
    assert b["deposit_number"] == a["deposit_number"] + 1
    assert len(receipts(ami, first)) == 1 and len(receipts(ami, second)) == 1


def test_an_undecided_head_keeps_its_rank_past_the_alarm(ami, register_bailleur, settle, watermark_guard):
    """Issue 16: a piece check that does not end is the service's fault (intake down, a queue stuck):
    the deposit keeps its place and holds the numbering, the sweep reports it to the alarm, and the
    numbering resumes when the verdicts land (before, it ended `incomplet`, `controle_non_termine`)."""
    store = Store(settings())
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    d = store.get_dossier(dossier_id)
    assert d is not None
    pieces = {kind: DepositedPiece(key=ami.key(bailleur, dossier_id, kind), version_id=f"v-{uuid.uuid4().hex}",
                                   sha256="0" * 64, size=1000) for kind in ("lettre_offre", "dossier_presentation")}
    envoi = Envoi(envoi_id=uuid.uuid4().hex, sent_at=utcnow() - timedelta(seconds=1), pieces=pieces)
    store.reserve_envoi(PendingEnvoi.of(d.model_copy(update={"envoi": envoi})))
    store.record_envoi(d, envoi, f"bailleur:{bailleur.siren}:{bailleur.email}")

    later = ami.sequencer()
    later.clock = lambda: utcnow() + timedelta(hours=1)  # intake down an hour
    kept = later.advance()
    assert dossier_id not in [c.dossier_id for c in kept]
    assert store.get_dossier(dossier_id).status == "envoyé"
    head, seconds = later.held_back()
    assert head is not None and head.dossier_id == dossier_id and seconds >= 3600

    for kind, p in pieces.items():  # intake is back: its verdicts land
        store.record_piece(dossier_id, PieceRecord(
            piece=kind, key=p.key, version_id=p.version_id, size=p.size, sha256=p.sha256, accepted=True,
            received_at=utcnow(), checked_at=utcnow()))
    concluded = ami.sequencer().advance()
    assert [(c.dossier_id, c.outcome) for c in concluded] == [(dossier_id, "complet")]
    settle()

    after = dossier(bailleur, dossier_id)
    assert after["status"] == "complet" and after["deposit_number"] is not None
    assert incomplete_emails(ami, bailleur) == []
    assert all(p.dossier_id != dossier_id for p in store.pending_envois())


def test_duplicate_completeness_requests_give_one_number(ami, register_bailleur, upload_good_pieces, settle):
    store = Store(settings())
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    before = store.last_deposit_number()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    body = CompletenessRequest(dossier_id=dossier_id, cause="envoi").model_dump_json()
    for _ in range(3):  # same body, other deduplication ids: SQS delivers each
        ami.send("CompletenessQueue", body, group=dossier_id)
    settle()

    d = dossier(bailleur, dossier_id)
    assert d["status"] == "complet"
    assert store.last_deposit_number() == before + 1 == d["deposit_number"]
    assert len(numberings(dossier_id)) == 1
    assert [x.dossier_id for x in store.list_numbered()].count(dossier_id) == 1
    assert len(receipts(ami, bailleur)) == 1


def test_a_redelivered_deposit_numbered_is_handled_once(ami, register_bailleur, upload_good_pieces, settle):
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()
    d = Store(settings()).get_dossier(dossier_id)
    assert d is not None and d.deposit_number is not None and d.envoi is not None
    items = ami.take_work_items()
    assert [i["deposit_number"] for i in items if i["dossier_id"] == dossier_id] == [d.deposit_number]

    event = DepositNumbered(dossier_id=dossier_id, deposit_number=d.deposit_number, deposited_at=d.envoi.sent_at)
    for _ in range(2):
        ami.send("ScoringQueue", event.model_dump_json(), group="depots")
    settle()

    assert [i for i in ami.take_work_items() if i["dossier_id"] == dossier_id] == []
    assert len(receipts(ami, bailleur)) == 1
    assert len(ami.mailbox_emails_about(bailleur)) == 1


def test_a_malformed_request_fails_itself_and_those_after_it_the_others_are_examined(ami, register_bailleur):
    """The completeness function parses its FIFO batch record by record, then examines the valid
    requests before the first malformed one together; that one and those after it come back."""
    from ami.domain.errors import RetryLater
    from ami.services import envoi

    from infra.samples import StubDeposits

    bailleur = register_bailleur()
    store = Store(settings())
    sent = []
    for _ in range(2):
        d = store.get_dossier(ami.new_dossier(bailleur, drop="adresse"))
        assert d is not None
        for _ in range(10):  # the API's envoi without its message (the test sends it); a busy machine may ask to retry
            try:
                sent.append(envoi.send(store, store, StubDeposits(), d, "bailleur:test"))
                break
            except RetryLater:
                continue
    assert len(sent) == 2
    first, second = (CompletenessRequest(dossier_id=d.dossier_id, cause="envoi").model_dump_json() for d in sent)

    response = ami.invoke("CompletenessFunction", [first, '{"dossier_id": 42}', second])

    assert len(response["batchItemFailures"]) == 2  # the malformed request and the one after it
    concluded = store.get_dossier(sent[0].dossier_id)
    assert concluded is not None and concluded.status == "incomplet"
    assert [r.code for r in concluded.incomplete_reasons][:1] == ["formulaire_adresse"]
