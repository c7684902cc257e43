"""The envoi: the bailleur sends the dossier; the server time of that moment is its deposit time.

The place in the deposit sequence is reserved as soon as the time is taken, before the pieces are
hashed, so that no deposit taken later can be numbered first (docs/numbering.md). A reservation
that is not written within half the clock margin is given up and the bailleur is asked to retry:
the numbering only trusts reservations it could not have missed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from ami.domain import messages
from ami.domain.deposit_keys import piece_key
from ami.domain.dispositif import dispositif
from ami.domain.errors import Conflict, RetryLater
from ami.domain.models import (
    CompletenessRequest,
    DepositedPiece,
    Dossier,
    Envoi,
    PieceKind,
    PieceRecord,
    utcnow,
)
from ami.domain.rules import assess
from ami.domain.sequence import PendingEnvoi
from ami.services.drafts import check_unique, require_editable
from ami.services.ports import Deposits, DepositSequence, Dossiers, Publisher

log = logging.getLogger("ami.envoi")
RESERVATION_ATTEMPTS = 3  # deposit times taken for one envoi before the bailleur is asked to send again


def submit(
    sequence: DepositSequence,
    dossiers: Dossiers,
    deposits: Deposits,
    publisher: Publisher,
    d: Dossier,
    actor: str,
    idempotency_key: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    records: Mapping[tuple[str, str], PieceRecord] | None = None,
) -> Dossier:
    """The bailleur's envoi of `d`, as the API and the plateforme take it: the dossier as sent.

    `records`: intake's records on the dossier's piece versions when the caller read them with `d`
    (`Dossiers.dossier_with_records`, one query); otherwise `send` reads them.

    A request repeating one that made the deposit (same `idempotency_key`: a lost answer, a double
    click, even two posts at once) gets that deposit, not a conflict; any other request on a dossier
    no longer editable is a conflict (`envoi_impossible`). Once the deposit is recorded, the
    completeness check is asked to look at it; should that fail, the deposit stands (its pending item
    holds its place and the completeness sweep picks it up)."""
    if repeated(d, idempotency_key):
        return d
    require_editable(d, "envoi_impossible")
    try:
        sent = send(sequence, dossiers, deposits, d, actor, clock=clock, idempotency_key=idempotency_key,
                    records=records)
    except Conflict:
        # The same request, sent twice at once: the other one recorded the deposit.
        current = dossiers.get_dossier(d.dossier_id)
        if current is not None and repeated(current, idempotency_key):
            return current
        raise
    try:
        request_completeness(publisher, sent)
    except Exception:
        log.exception("demande de contrôle de complétude non envoyée (dossier %s)", d.dossier_id)
    return sent


def send(
    store: DepositSequence, dossiers: Dossiers, deposits: Deposits, d: Dossier, actor: str,
    clock: Callable[[], datetime] = utcnow, idempotency_key: str | None = None,
    records: Mapping[tuple[str, str], PieceRecord] | None = None,
) -> Dossier:
    """Record the deposit of `d`: final, with its server time and its pieces as they stand.

    The deposit's versions are never deleted: a version intake has accepted is never moved away by
    anyone (only intake quarantines, and only what it refuses or what came after the envoi), and the
    numbering puts its legal hold before concluding the deposit (`Sequencer`), off the answer's path;
    a version intake has not accepted yet (still being examined) is held here, before the answer.

    `idempotency_key` (the client's, one per click) is recorded with the envoi, so that a repeated
    request finds the deposit it made (`repeated`) instead of a conflict. `records`: intake's records
    as read with `d` (else read here, after the reservation). Either way they are only a shortcut: a
    version intake had not recorded when they were read is hashed from the bucket and held here, and
    its deposit is examined by the completeness check."""
    rules = dispositif(d.dispositif)
    now = clock()
    rules.check_open(now)  # after the close (or before the opening), nothing is reserved nor recorded
    check_unique(dossiers, d.siren, d.dispositif, d.form, own=d.dossier_id)  # the DROM: one per département
    # A dispositif without numbering (the DROM's, instructed by département) takes no place in the sequence.
    reservation = reserve(store, d, rules.clock_margin_seconds, clock) if rules.numbered else None
    envoi_id = reservation.envoi_id if reservation is not None else uuid.uuid4().hex
    sent_at = reservation.sent_at if reservation is not None else now
    try:
        records = intake_records(dossiers, d.dossier_id) if records is None else dict(records)
        # A version intake examined has its SHA-256 already (S3 versions never change): not read again.
        known = {version: rec.sha256 for (_, version), rec in records.items()}
        accepted = {version for (_, version), rec in records.items() if rec.accepted}
        pieces: dict[PieceKind, DepositedPiece] = {}
        for kind in rules.piece_kinds:
            snapshot = deposits.snapshot(piece_key(d.siren, d.dossier_id, kind), known)
            if snapshot is not None:
                if snapshot.version_id not in accepted:
                    # Intake may still refuse this version and move it away: held now, before the answer.
                    deposits.hold(snapshot.key, snapshot.version_id)
                pieces[kind] = snapshot
        deposit = Envoi(envoi_id=envoi_id, sent_at=sent_at, pieces=pieces, idempotency_key=idempotency_key)
        complete = assess(d.model_copy(update={"envoi": deposit}), records).verdict == "complet"
        return store.record_envoi(d, deposit.model_copy(update={"complete_when_sent": complete}), actor,
                                  sequenced=reservation is not None)
    except BaseException:
        if reservation is not None:
            store.cancel_reservation(reservation)
        raise


def reserve(store: DepositSequence, d: Dossier, margin_seconds: float, clock: Callable[[], datetime]) -> PendingEnvoi:
    """Take the deposit time and reserve its place in the sequence.

    A reservation that landed later than half the clock margin after its time is given up (the
    numbering only trusts reservations it could not have missed) and taken again with a new time,
    up to RESERVATION_ATTEMPTS times, so that a burst slowing the writes does not send the bailleur
    away: its deposit time is that of the reservation kept (the request was still unanswered, so no
    deposit answered before it can be overtaken). Only then is the bailleur asked to send again."""
    for _ in range(RESERVATION_ATTEMPTS):
        sent_at = clock()
        dispositif(d.dispositif).check_open(sent_at)  # outside the window, nothing is reserved nor recorded
        reservation = PendingEnvoi.new(d.dossier_id, uuid.uuid4().hex, sent_at)
        store.reserve_envoi(reservation)
        if clock() - sent_at <= timedelta(seconds=margin_seconds) / 2:
            return reservation
        store.cancel_reservation(reservation)
    raise RetryLater("envoi_a_renouveler", "Le service est momentanément surchargé : envoyez de nouveau le dossier.")


def repeated(d: Dossier | None, idempotency_key: str | None) -> bool:
    """Whether `d`'s recorded envoi is the one a request with this key made (a repeat of it)."""
    if not idempotency_key or d is None or d.envoi is None:
        return False
    return d.envoi.idempotency_key == idempotency_key


def intake_records(dossiers: Dossiers, dossier_id: str) -> dict[tuple[str, str], PieceRecord]:
    """Intake's verdicts on the dossier's piece versions: they tell whether the deposit is complete
    already (final: see `Envoi.complete_when_sent`). Only a shortcut for the numbering: when they
    cannot be read, the deposit goes ahead and the completeness check reads them later."""
    try:
        return dossiers.piece_records(dossier_id)
    except Exception:  # unreadable now: the completeness check reads them later
        return {}


def request_completeness(publisher: Publisher, sent: Dossier) -> None:
    """Ask the completeness check to look at a sent dossier (should this fail, the deposit is still
    recorded: its pending item holds its place and the completeness sweep picks it up)."""
    assert sent.envoi is not None
    # Only a numbered deposit may skip the examination (straight to the numbering); any other is concluded by it.
    early = sent.envoi.complete_when_sent and dispositif(sent.dispositif).numbered
    request = CompletenessRequest(dossier_id=sent.dossier_id, cause="envoi", complete_when_sent=early)
    publisher.publish([messages.completeness_request(request, sent.envoi.envoi_id)])
