"""The instructors' routes: the numbered dossiers, one dossier in full, score overrides, the envelope,
the CCN registre, and the work list (taking the next dossier into instruction, in number order)."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ami.domain import rules
from ami.domain.dispositif import dispositifs, visible_in
from ami.domain.errors import InvalidInput
from ami.domain.models import utcnow
from chalice import Blueprint, Response

from api.auth import instructeur_caller, instruction_dossier_or_404
from api.core import dump, parse_body, request, route, services
from api.errors import json_response
from api.routes_bailleur import piece_records
from api.schemas import (
    DepositedLink,
    InstructionDossier,
    InstructionRow,
    ProgrammationRow,
    RegistreLink,
    ScoreOut,
    ScoreOverrideIn,
    WorkEntryOut,
    WorkTaken,
)

bp = Blueprint(__name__)
DOWNLOAD_LINK_SECONDS = 300
REGISTRE_LINK_SECONDS = 300


@route(bp, "/instruction/dossiers", "GET")
def instruction_list() -> Response:
    who = instructeur_caller()
    from ami.domain.worklist import describe

    now = utcnow()
    queue = {e.item.dossier_id: describe(e, now) for e in services().work_list.work_entries()}
    rows: list[InstructionRow] = []
    # The summaries, not the dossiers (ami.domain.summary): a few hundred bytes each instead of the whole dossier.
    listed = [d for d in sorted(services().dossiers.list_summaries(), key=lambda x: x.deposit_number)
              if d.deposited_at is not None and visible_in(d.dispositif, d.departement, who.delegations)]
    found = services().dossiers.get_bailleurs([d.siren for d in listed])  # every bailleur listed, read at once
    names = {s: b.raison_sociale for s, b in found.items()}
    for d in listed:
        assert d.deposited_at is not None
        commune = rules.commune(d.commune_insee) if d.commune_insee else None
        rows.append(
            InstructionRow(
                dossier_id=d.dossier_id,
                deposit_number=d.deposit_number,
                deposited_at=d.deposited_at,
                siren=d.siren,
                raison_sociale=names.get(d.siren, ""),
                commune_insee=d.commune_insee,
                commune_nom=commune.nom if commune else None,
                logements=d.logements,
                loan_total_eur=d.principal,
                status=d.status,
                file=queue.get(d.dossier_id),
            )
        )
    return json_response([dump(r) for r in rows])


@route(bp, "/instruction/dossiers/{dossier_id}", "GET")
def instruction_dossier(dossier_id: str) -> Response:
    who = instructeur_caller()
    d = instruction_dossier_or_404(dossier_id, who)
    expires = utcnow() + timedelta(seconds=DOWNLOAD_LINK_SECONDS)
    documents = {
        kind: DepositedLink(
            **p.model_dump(),
            expires_at=expires,
            url=services().deposits.download_link(p.key, p.version_id, DOWNLOAD_LINK_SECONDS),
        )
        for kind, p in (d.envoi.pieces.items() if d.envoi else ())
    }
    from ami.domain.extraction.compare import instruction_view  # the extraction's vocabulary: not at cold start

    records = piece_records(dossier_id)
    checks, fields, presentation = instruction_view(records, d)
    out = InstructionDossier(
        dossier=d,
        bailleur=services().dossiers.get_bailleur(d.siren),
        pieces=records,
        documents=documents,
        checks=checks,
        fields=fields,
        presentation=presentation,
    )
    return json_response(dump(out))


@route(bp, "/instruction/dossiers/{dossier_id}/score/{critere}", "PUT")
def override_score(dossier_id: str, critere: str) -> Response:
    who = instructeur_caller()
    body = parse_body(ScoreOverrideIn)
    d = instruction_dossier_or_404(dossier_id, who)
    from ami.domain import scoring

    updated = scoring.override(d.scoring, critere, body.points, body.justification, who.actor, utcnow())
    saved = services().dossiers.override_score(d, updated, who.actor, critere)
    return json_response(dump(ScoreOut(dossier_id=saved.dossier_id, scoring=updated)))


@route(bp, "/instruction/enveloppe", "GET")
def instruction_enveloppe() -> Response:
    instructeur_caller()
    from ami.domain.envelope import envelope

    return json_response(dump(envelope(services().dossiers.list_numbered())))


@route(bp, "/instruction/registre", "GET")
def instruction_registre() -> Response:
    instructeur_caller()
    from ami.domain import registre

    params: Any = request().query_params or {}
    raw, seance_id = str(params.get("ccn") or ""), str(params.get("seance") or "")
    now = utcnow()
    dossiers = services().dossiers.list_numbered()
    seance = registre.find_seance(dossiers, seance_id) if seance_id else None
    if seance_id and seance is None:
        raise InvalidInput("seance_inconnue", "Aucun dossier n'est inscrit à cette séance de la CCN.",
                           [{"champ": "seance", "message": "Séance inconnue."}])
    try:
        ccn = date.fromisoformat(raw) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) else None
    except ValueError:
        ccn = None
    ccn = seance.date_seance if seance is not None else ccn
    if ccn is None:
        raise InvalidInput("date_ccn_invalide", "Indiquez la date de la CCN au format AAAA-MM-JJ (paramètre ccn) "
                           "ou une séance (paramètre seance).",
                           [{"champ": "ccn", "message": "Date AAAA-MM-JJ attendue."}])
    data = registre.to_bytes(dossiers, registre.bailleurs_of(services().dossiers, dossiers), ccn, now, seance=seance)
    n = len(registre.select(dossiers, ccn, seance))
    key = f"registres/{ccn.isoformat()}/registre-ccn-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.xlsx"
    url = services().deposits.publish_document(
        key, data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"registre-ccn-{ccn.isoformat()}.xlsx", REGISTRE_LINK_SECONDS,
    )
    out = RegistreLink(ccn=ccn, dossiers=n, key=key, url=url,
                       expires_at=now + timedelta(seconds=REGISTRE_LINK_SECONDS))
    return json_response(dump(out))


@route(bp, "/instruction/travail", "GET")
def work_list() -> Response:
    instructeur_caller()
    from ami.domain.worklist import describe

    now = utcnow()
    out = [
        WorkEntryOut(element=e.item, etat=describe(e, now), tenu_par=e.holder if e.held(now) else None,
                     tenu_jusqu_a=e.lease_until if e.held(now) else None, abandons=e.abandons)
        for e in services().work_list.work_entries()
    ]
    return json_response([dump(o) for o in out])


@route(bp, "/instruction/travail/suivant", "POST")
def work_next() -> Response:
    who = instructeur_caller()
    taken = services().instruction.take(who.actor)
    if taken is None:
        return json_response(dump(WorkTaken(element=None, message="Aucun dossier à prendre : la file "
                                            "d'instruction est vide ou chaque dossier est déjà pris.")))
    out = WorkTaken(element=taken.item, tenu_jusqu_a=taken.until,
                    message=f"Dossier n° {taken.item.deposit_number} pris : il est à vous jusqu'à l'heure indiquée.")
    return json_response(dump(out))


@route(bp, "/instruction/travail/{dossier_id}/prise", "POST")
def work_begin(dossier_id: str) -> Response:
    who = instructeur_caller()
    instruction_dossier_or_404(dossier_id, who)
    return json_response(dump(services().instruction.begin(dossier_id, who.actor)))


@route(bp, "/instruction/travail/{dossier_id}/rendre", "POST")
def work_release(dossier_id: str) -> Response:
    who = instructeur_caller()
    instruction_dossier_or_404(dossier_id, who)
    e = services().instruction.release(dossier_id, who.actor)
    return json_response(dump(WorkEntryOut(element=e.item, etat="à prendre", abandons=e.abandons)))


@route(bp, "/instruction/programmations", "GET")
def instruction_programmations() -> Response:
    """The sent dossiers of the dispositifs instructed by département (the DROM programmations): a delegation's
    instructors see their départements only, national instructors every one."""
    who = instructeur_caller()
    rows: list[ProgrammationRow] = []
    names: dict[str, str] = {}
    for conf in dispositifs().values():
        for delegation in conf.instructeurs.delegations:
            if who.delegations and delegation.code not in who.delegations:
                continue
            for dep in delegation.departements:
                for d in services().dossiers.list_territoire(conf.code, dep):
                    if d.siren not in names:
                        b = services().dossiers.get_bailleur(d.siren)
                        names[d.siren] = b.raison_sociale if b else ""
                    synthese = d.form.programmation.synthese if d.form.programmation else []
                    rows.append(ProgrammationRow(
                        dossier_id=d.dossier_id, dispositif=conf.code, departement=dep,
                        delegation=delegation.libelle, siren=d.siren, raison_sociale=names[d.siren],
                        status=d.status, deposited_at=d.envoi.sent_at if d.envoi else None,
                        operations=sum(line.operations for line in synthese),
                        logements=sum(line.logements for line in synthese),
                        montant_pret_eur=sum((line.montant_pret_eur for line in synthese), Decimal(0)),
                    ))
    return json_response([dump(r) for r in rows])

