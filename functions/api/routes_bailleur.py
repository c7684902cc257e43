"""The bailleur's routes: its profile, its dossiers, their pieces, the envoi and the history."""

from __future__ import annotations

import re
from typing import Any

from ami.domain import roles, rules
from ami.domain.dispositif import dispositif
from ami.domain.errors import InvalidInput, NotFound
from ami.domain.models import Dossier, DossierForm, NouveauDossier, PieceRecord
from ami.services import drafts
from ami.services import envoi as envoi_logic
from ami.services.drafts import require_editable
from chalice import Blueprint, Response

from api.auth import bailleur_caller, dossier_or_404, dossier_with_records_or_404
from api.core import dump, parse_body, request, route, services
from api.errors import json_response
from api.schemas import DossierDetail, EnvoiAccepted, UploadFormOut

bp = Blueprint(__name__)
INSTRUCTION_ONLY_ACTIONS = frozenset({"surcharge_score", "recalcul_score"})


def for_bailleur(d: Dossier) -> Any:
    """A dossier as its bailleur may see it: the priority-2 score is for the instructors only."""
    return dump(d.model_copy(update={"scoring": None}))


def piece_records(dossier_id: str) -> list[PieceRecord]:
    return sorted(services().dossiers.piece_records(dossier_id).values(), key=lambda r: (r.piece, r.received_at))


@route(bp, "/bailleur", "GET")
def get_bailleur() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    bailleur = services().dossiers.get_bailleur(who.siren)
    if bailleur is None:
        raise NotFound("bailleur_introuvable", "Aucun bailleur n'est inscrit avec ce SIREN.")
    return json_response(dump(bailleur))


@route(bp, "/dossiers", "GET")
def list_dossiers() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    dossiers = sorted(services().dossiers.list_dossiers(who.siren), key=lambda d: d.created_at)
    return json_response([for_bailleur(d) for d in dossiers])


@route(bp, "/dossiers", "POST")
def create_dossier() -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    body = parse_body(NouveauDossier)
    app = services()
    d = drafts.create(app.dossiers, who.siren, body.form(), who.actor, dispositif=body.dispositif, at=app.clock())
    return json_response(for_bailleur(d), 201, {"Location": f"/dossiers/{d.dossier_id}"})


@route(bp, "/dossiers/{dossier_id}", "GET")
def get_dossier(dossier_id: str) -> Response:
    who = bailleur_caller()
    d = dossier_or_404(dossier_id, who)
    from ami.domain.extraction.compare import instruction_view  # the extraction's vocabulary: not at cold start

    records = piece_records(dossier_id)
    detail = DossierDetail(dossier=d, pieces=records, checks=rules.form_gaps(d),
                           constats=instruction_view(records, d)[0])
    return json_response({**dump(detail), "dossier": for_bailleur(d)})


@route(bp, "/dossiers/{dossier_id}", "PUT")
def put_dossier(dossier_id: str) -> Response:
    who = bailleur_caller()
    form = parse_body(DossierForm)
    d = dossier_or_404(dossier_id, who)
    saved = drafts.save(services().dossiers, d, form, who.actor)
    return json_response(for_bailleur(saved))


@route(bp, "/dossiers/{dossier_id}/pieces/{piece}", "POST")
def upload_piece(dossier_id: str, piece: str) -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    d = dossier_or_404(dossier_id, who)
    rules = dispositif(d.dispositif)
    kind = next((k for k in rules.piece_kinds if k == piece), None)
    if kind is None:
        raise NotFound("piece_inconnue", "Pièce inconnue.", {"pieces": list(rules.piece_kinds)})
    require_editable(d)
    upload = services().deposits.upload_form(who.siren, dossier_id, kind)
    out = UploadFormOut(
        url=upload.url,
        fields=upload.fields,
        key=upload.key,
        expires_at=upload.expires_at,
        max_bytes=upload.max_bytes,
        content_type=rules.pieces[kind].content_type,
    )
    return json_response(dump(out))


IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,128}")


def idempotency_key() -> str | None:
    """The client's `Idempotency-Key` (the platform sends one per click), checked."""
    headers = request().headers
    key = headers.get("idempotency-key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput(
            "cle_idempotence_invalide",
            "La clé d'idempotence doit compter de 8 à 128 caractères : lettres, chiffres, « - », « _ », « . » "
            "ou « : ».",
            [{"champ": "Idempotency-Key", "message": "Clé d'idempotence invalide."}],
        )
    return key


@route(bp, "/dossiers/{dossier_id}/envoi", "POST")
def envoi(dossier_id: str) -> Response:
    who = bailleur_caller()
    assert who.siren is not None
    key = idempotency_key()
    d, records = dossier_with_records_or_404(dossier_id, who)  # one query: the dossier and intake's verdicts
    app = services()
    sent = envoi_logic.submit(
        app.sequence, app.dossiers, app.deposits, app.publisher, d, who.actor, key, clock=app.clock, records=records
    )
    return envoi_accepted(sent)


def envoi_accepted(sent: Dossier) -> Response:
    assert sent.envoi is not None
    out = EnvoiAccepted(
        dossier_id=sent.dossier_id,
        status=sent.status,
        envoi=sent.envoi,
        message=(
            "Votre dossier est déposé : ce dépôt est définitif. Toutes ses pièces ont été acceptées ; il prend "
            "rang à sa date d'envoi et son numéro de dépôt vous sera communiqué par courriel."
            if sent.envoi.complete_when_sent
            else "Votre dossier est déposé : ce dépôt est définitif. Sa complétude est en cours de vérification ; "
            "vous serez informé par courriel du résultat."
        ),
    )
    return json_response(dump(out), 202)


@route(bp, "/dossiers/{dossier_id}/historique", "GET")
def historique(dossier_id: str) -> Response:
    who = bailleur_caller()
    dossier_or_404(dossier_id, who)
    history = services().audit_log.history(dossier_id)
    # The score belongs to the instruction: the bailleur sees neither it nor its audit entries; and
    # of who acted, a role, never a person.
    return json_response([dump(h.model_copy(update={"actor": roles.public_actor(h.actor)}))
                          for h in history if h.action not in INSTRUCTION_ONLY_ACTIONS])
