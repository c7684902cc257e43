"""The dossier's lifecycle after instruction (docs/instruction.md): each step an instructor, the bailleur or
the service itself takes, checked against the one transition table (`ami.domain.lifecycle`), written in
one transaction with its audit entry (actor = the authenticated user), its emails (outbox, sent once) and,
when the step gives the dossier's principal back, the envelope; then the waiting list is promoted in
number order as far as the released amount allows.

Use cases for the API, the instructors' pages and the CLI alike:
- `fiben`: record the bailleur's cotation FIBEN (an input of the tarification), audited;
- `act`: one step (`TRANSITIONS`), with what it needs (`EtapeIn`); documents are generated here;
- `convention_form` / `convention_examined`: the signed convention is a file the bailleur uploads straight to
  the deposits bucket (a presigned POST, as the pieces), checked by intake, which hands its verdict here: a good
  file is the « deposer_convention » step, a refused one is recorded (and audited) and the dossier waits;
- `expire_due`: the scheduled expiry of the propositions whose 10 jours ouvrés are over;
- `promote`: the waiting list, re-drivable (also run by each expiry run), never counting an amount twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from ami.domain import messages
from ami.domain.dispositif import PARIS
from ami.domain.documents import DOCUMENTS, Rendered, document
from ami.domain.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ami.domain.lifecycle import STATUS_LABELS, Role, promotable, releases, transition
from ami.domain.models import (
    Bailleur,
    DepositNumbered,
    DocumentRef,
    Dossier,
    DossierStatus,
    EtapeIn,
    FibenIn,
    NotationFiben,
    Paiement,
    Seance,
    VerdictConvention,
)
from ami.domain.sequence import AuditDraft
from ami.services.ports import Clock, Dossiers, LifecycleStore

S = DossierStatus
PROMOTIONS_PER_TRANSACTION = 40  # 2 writes each (dossier, audit entry) + counter + outbox <= 100
FIBEN_STATUSES = frozenset({S.EN_INSTRUCTION, S.PRESENTE_CCN, S.AJOURNE, S.AVIS_FAVORABLE})
SYSTEM_ACTOR = "systeme:cycle_de_vie"
BY_UPLOAD = InvalidInput("depot_par_fichier", "La convention signée se dépose en fichier PDF, depuis le formulaire "
                         "de dépôt de la démarche « Déposer la convention signée » : elle est vérifiée comme les "
                         "pièces du dossier.")


class DocumentStore(Protocol):
    def store_document(self, key: str, data: bytes, content_type: str) -> str:
        """Store a generated or received document; returns its version id."""
        ...

    def read_document(self, key: str, version_id: str) -> bytes: ...

    def convention_upload_form(self, siren: str, dossier_id: str, actor: str, redirect: str | None = None) -> Any:
        """A presigned POST for the dossier's signed convention only, carrying `actor` (ami.adapters.s3)."""
        ...


class Store(Dossiers, LifecycleStore, Protocol):
    pass


@dataclass(frozen=True)
class Promoted:
    dossier_id: str
    deposit_number: int


class Lifecycle:
    def __init__(self, store: Store, documents: DocumentStore, clock: Clock, envelope: Decimal,
                 bdt_email: str = "") -> None:
        self.store = store
        self.documents = documents
        self.clock = clock
        self.envelope = envelope
        self.bdt_email = bdt_email

    # ------------------------------------------------------------ reading

    def dossier(self, dossier_id: str) -> Dossier:
        d = self.store.get_dossier(dossier_id)
        if d is None:
            raise NotFound("dossier_introuvable", "Ce dossier n'existe pas.")
        return d

    def document(self, dossier_id: str, kind: str) -> tuple[DocumentRef, bytes]:
        d = self.dossier(dossier_id)
        ref = d.suivi.documents.get(kind)
        if ref is None:
            name = DOCUMENTS.get(kind, kind).lower()
            raise NotFound("document_introuvable", f"Ce dossier n'a pas (encore) de {name}.")
        return ref, self.documents.read_document(ref.key, ref.version_id)

    # ------------------------------------------------------------ the cotation FIBEN

    def fiben(self, dossier_id: str, actor: str, given: FibenIn) -> Dossier:
        d = self.dossier(dossier_id)
        if d.status not in FIBEN_STATUSES:
            raise Conflict("transition_impossible", f"La cotation FIBEN se saisit pendant l'instruction, avant la "
                           f"proposition de tarification ; le dossier est {STATUS_LABELS[d.status]}.")
        now = self.clock()
        if given.date_cotation > now.astimezone(PARIS).date():
            raise InvalidInput("date_cotation_future", "La date de la cotation FIBEN ne peut pas être postérieure à "
                               "aujourd'hui.", [{"champ": "date_cotation", "message": "Date future."}])
        notation = NotationFiben(cote=given.cote, date_cotation=given.date_cotation, saisie_par=actor, saisie_le=now)
        after = d.model_copy(update={"suivi": d.suivi.model_copy(update={"fiben": notation}), "updated_at": now})
        draft = AuditDraft(d.dossier_id, actor, "notation_fiben", d.status.value, d.status.value,
                           details={"cote": given.cote, "date_cotation": given.date_cotation.isoformat()})
        return self.store.lifecycle_move(d, after, draft, [])

    # ------------------------------------------------------------ one step

    def act(self, dossier_id: str, action: str, role: Role, actor: str, given: EtapeIn | None = None,
            siren: str | None = None) -> Dossier:
        """Take step `action` of the dossier as `actor` (of `role`; a bailleur only on its own dossiers)."""
        d = self.dossier(dossier_id)
        if siren is not None and d.siren != siren:
            raise NotFound("dossier_introuvable", "Ce dossier n'existe pas.")
        transition(d, action, role, (given or EtapeIn()).justification)  # who and when first: their errors say more
        if action == "deposer_convention":
            raise BY_UPLOAD
        return self._act(d, action, role, actor, given or EtapeIn())

    # ------------------------------------------------------------ the signed convention, a file

    def convention_form(self, dossier_id: str, siren: str, actor: str, redirect: str | None = None) -> Any:
        """The presigned POST (ami.adapters.s3.UploadForm) with which the dossier's own bailleur deposits the
        signed convention, only while the dossier awaits it; `actor` travels with the file to intake."""
        d = self.dossier(dossier_id)
        if d.siren != siren:
            raise NotFound("dossier_introuvable", "Ce dossier n'existe pas.")
        transition(d, "deposer_convention", "bailleur")
        return self.documents.convention_upload_form(siren, dossier_id, actor, redirect)

    def convention_examined(self, dossier_id: str, actor: str, verdict: VerdictConvention,
                            data: bytes | None = None) -> Dossier:
        """Intake's verdict on one uploaded version of the signed convention (`data`: the file, when accepted).

        Accepted: the « deposer_convention » step, the file stored with its SHA-256 and the step's emails, in one
        transaction. Refused: the verdict recorded and audited, the dossier still awaits the convention. Either
        way recorded once per version: a redelivered notification changes nothing."""
        d = self.dossier(dossier_id)
        done = next((v for v in d.suivi.conventions_deposees if v.version_id == verdict.version_id), None)
        if done is not None:
            return d
        verdicts = [*d.suivi.conventions_deposees, verdict]
        if verdict.accepted:
            assert data is not None, "an accepted convention comes with its bytes"
            signed = Rendered("convention_signee", data, verdict.sha256, f"convention-signee-{d.deposit_number}.pdf")
            return self._act(d, "deposer_convention", "bailleur", actor, EtapeIn(), signed, verdicts)
        transition(d, "deposer_convention", "bailleur")
        now = self.clock()
        after = d.model_copy(update={"suivi": d.suivi.model_copy(update={"conventions_deposees": verdicts}),
                                     "updated_at": now})
        draft = AuditDraft(d.dossier_id, actor, "convention_refusee", d.status.value, d.status.value,
                           reason=verdict.message, details={"motif": verdict.reason_code or "",
                                                            "version_id": verdict.version_id})
        return self.store.lifecycle_move(d, after, draft, [])

    def _act(self, d: Dossier, action: str, role: Role, actor: str, given: EtapeIn, received: Rendered | None = None,
             verdicts: list[VerdictConvention] | None = None) -> Dossier:
        t = transition(d, action, role, given.justification)
        now = self.clock()
        motif = (given.justification or "").strip() or None
        suivi: dict[str, Any] = {}
        made: list[Rendered] = []
        details: dict[str, Any] = {}
        notify: dict[str, str] = {"etape": action}
        step = getattr(self, f"_{action}", None)
        if t.seance:
            if given.seance is None:
                raise InvalidInput("seance_requise", "Indiquez la séance (libellé et date).",
                                   [{"champ": "seance", "message": "Séance obligatoire pour cette étape."}])
            seance = Seance(libelle=given.seance.libelle, le=given.seance.le)
            suivi["ccn" if action == "presenter_ccn" else "ca"] = seance
            details["seance"] = {"libelle": seance.libelle, "le": seance.le.isoformat()}
        if action in ("avis_favorable", "avis_defavorable", "ajourner"):
            suivi["avis_motif"] = motif
        if step is not None:
            step(d, given, now, suivi, made, details)
        if received is not None:
            made.append(received)
        if verdicts is not None:
            suivi["conventions_deposees"] = verdicts
            details["version_deposee"] = verdicts[-1].version_id  # the uploaded version intake examined
        refs = {r.kind: self._store(d, r) for r in made}
        if refs:
            suivi["documents"] = {**d.suivi.documents, **refs}
            details["documents"] = {k: ref.sha256 for k, ref in refs.items()}
            notify["documents"] = ",".join(refs)
        if action == "transmettre_acte":
            notify["documents"] = "acte,convention_signee,attestation_prime"
            notify["destinataire"] = self.bdt_email
            notify["pieces_jointes"] = notify["documents"]
        if motif:
            notify["motif"] = motif
        after = d.model_copy(update={"status": t.target, "updated_at": now,
                                     "suivi": d.suivi.model_copy(update=suivi)})
        release = d.loan_total if releases(d.status, t.target) else None
        if release is not None:
            details["principal_libere"] = str(release)
        draft = AuditDraft(d.dossier_id, actor, action, d.status.value, t.target.value, reason=motif, details=details)
        # One email per step and dossier version: a re-driven step writes nothing twice, a redelivered
        # notification is sent once (the delivery's idempotency).
        outbox = [messages.notification("cycle_de_vie", f"cycle-{d.dossier_id}-{d.version}-{action}", d.dossier_id,
                                        **notify)]
        moved = self.store.lifecycle_move(d, after, draft, outbox, release)
        if release is not None or d.status == S.LISTE_ATTENTE:
            self.promote()
        return moved

    def _store(self, d: Dossier, r: Rendered) -> DocumentRef:
        key = f"documents/{d.dossier_id}/{r.kind}-v{d.version + 1}-{r.sha256[:12]}.pdf"
        version = self.documents.store_document(key, r.data, "application/pdf")
        return DocumentRef(kind=r.kind, key=key, version_id=version, sha256=r.sha256, size=len(r.data), nom=r.nom)

    def _context(self, d: Dossier, now: datetime, suivi: dict[str, Any]) -> dict[str, Any]:
        from ami.domain.jours_ouvres import TERRITOIRE_LIBELLES, dernier_jour
        from ami.domain.notifications import LOAN_KINDS, common_context
        from ami.domain.tarification import QUALITE_LIBELLES

        bailleur = self.store.get_bailleur(d.siren) or Bailleur(
            raison_sociale="", siren=d.siren, forme_juridique="", adresse="", email_contact="", registered_at=now)
        merged = d.suivi.model_copy(update=suivi)
        p = merged.proposition
        return {**common_context(d, bailleur), "p": p, "ccn": merged.ccn, "ca": merged.ca, "paiement": merged.paiement,
                "acceptee_le": merged.acceptee_le, "now": now, "kinds": LOAN_KINDS, "loan_total": d.loan_total,
                "qualite": QUALITE_LIBELLES[p.qualite] if p else None,
                "territoire": TERRITOIRE_LIBELLES[p.territoire] if p else None,
                "dernier_jour": dernier_jour(p.expire_le) if p else None,
                "convention_signee": merged.documents.get("convention_signee")}

    # ------------------------------------------------------------ what some steps do besides moving

    def _proposer_tarification(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                               made: list[Rendered], details: dict[str, Any]) -> None:
        from ami.domain.tarification import proposition

        if d.suivi.fiben is None:
            raise InvalidInput("fiben_manquante", "Saisissez d'abord la cotation FIBEN du bailleur et sa date : "
                               "elle fixe le taux de la prime.")
        if given.qualite is None:
            raise InvalidInput("qualite_requise", "Indiquez la qualité du programme (élevée, standard ou réservée).",
                               [{"champ": "qualite", "message": "Qualité du programme obligatoire."}])
        if not d.form.prets:
            raise InvalidInput("sans_pret", "Le dossier ne comporte aucun prêt à tarifer.")
        p = proposition(d, d.suivi.fiben, given.qualite, now)
        suivi["proposition"] = p
        made.append(document("proposition", self._context(d, now, suivi),
                             f"proposition-tarification-{d.deposit_number}.pdf"))
        details.update(prime_eur=str(p.prime_eur), expire_le=p.expire_le.isoformat(), grille=p.grille,
                       territoire=p.territoire, cote_fiben=p.fiben.cote, qualite=p.qualite)

    def _accepter(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                  made: list[Rendered], details: dict[str, Any]) -> None:
        p = d.suivi.proposition
        assert p is not None
        if now >= p.expire_le:
            from ami.domain.jours_ouvres import dernier_jour
            from ami.domain.notifications import format_jour

            raise Conflict("proposition_expiree", f"La proposition de tarification était valable jusqu'au "
                           f"{format_jour(dernier_jour(p.expire_le))} inclus : elle a expiré et ne peut plus être "
                           "acceptée.")
        suivi["acceptee_le"] = now

    def _expirer(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                 made: list[Rendered], details: dict[str, Any]) -> None:
        p = d.suivi.proposition
        assert p is not None
        if now < p.expire_le:
            raise Conflict("proposition_valable", "La proposition de tarification est encore valable.")
        details["expire_le"] = p.expire_le.isoformat()

    def _envoyer_convention(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                            made: list[Rendered], details: dict[str, Any]) -> None:
        made.append(document("convention", self._context(d, now, suivi),
                             f"convention-cautionnement-{d.deposit_number}.pdf"))

    def _regler_prime(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                      made: list[Rendered], details: dict[str, Any]) -> None:
        p = d.suivi.proposition
        assert p is not None
        if given.paiement is None:
            raise InvalidInput("paiement_requis", "Indiquez le montant, la date et la référence du règlement.",
                               [{"champ": "paiement", "message": "Règlement obligatoire."}])
        if given.paiement.montant_eur != p.prime_eur:
            from ami.domain.notifications import format_euros

            raise InvalidInput("montant_different", f"Le montant réglé ({format_euros(given.paiement.montant_eur)}) "
                               f"diffère de la prime appelée ({format_euros(p.prime_eur)}).",
                               [{"champ": "paiement.montant_eur", "message": "Montant différent de la prime."}])
        if given.paiement.regle_le > now.astimezone(PARIS).date():  # the day in France
            raise InvalidInput("date_future", "La date du règlement ne peut pas être postérieure à aujourd'hui.")
        suivi["paiement"] = Paiement(montant_eur=given.paiement.montant_eur, regle_le=given.paiement.regle_le,
                                     reference=given.paiement.reference)
        made.append(document("attestation_prime", self._context(d, now, suivi),
                             f"attestation-prime-{d.deposit_number}.pdf"))
        details.update(montant_eur=str(given.paiement.montant_eur), regle_le=given.paiement.regle_le.isoformat(),
                       reference=given.paiement.reference)

    def _transmettre_acte(self, d: Dossier, given: EtapeIn, now: datetime, suivi: dict[str, Any],
                          made: list[Rendered], details: dict[str, Any]) -> None:
        if not self.bdt_email:
            raise Conflict("bdt_inconnue", "L'adresse de la Banque des Territoires n'est pas configurée (paramètre "
                           "BdtEmail de la pile) : l'acte ne peut pas être transmis.")
        suivi["acte_transmis_le"] = now
        made.append(document("acte", self._context(d, now, suivi), f"acte-cautionnement-{d.deposit_number}.pdf"))
        details["destinataire"] = self.bdt_email

    # ------------------------------------------------------------ the scheduled expiry and the waiting list

    def expire_due(self, now: datetime | None = None) -> list[str]:
        """Expire every proposition whose validity ended by `now` (the schedule's time), then promote."""
        at = now or self.clock()
        expired: list[str] = []
        for d in sorted(self.store.list_numbered(), key=lambda x: x.deposit_number or 0):
            p = d.suivi.proposition
            if d.status != S.TARIFICATION_PROPOSEE or p is None or p.expire_le > at:
                continue
            try:
                _with_clock(self, lambda: at)._act(d, "expirer", "systeme", "systeme:echeance", EtapeIn())
                expired.append(d.dossier_id)
            except Conflict:
                continue  # accepted or changed meanwhile: nothing to expire
        self.promote()
        return expired

    def promote(self, actor: str = "systeme:enveloppe", attempts: int = 5) -> list[Promoted]:
        """Promote the waiting list in number order as far as the envelope allows (each bailleur told); safe to
        run again at any time: the counter's condition makes every amount counted once."""
        done: list[Promoted] = []
        for _ in range(attempts * 10):
            before = self.store.counter()
            waiting = [d for d in self.store.list_numbered() if d.status == S.LISTE_ATTENTE]
            plan = promotable(waiting, before.principal, self.envelope)
            chunk = list(plan.promoted[:PROMOTIONS_PER_TRANSACTION])
            closed = plan.closed or len(chunk) < len(plan.promoted)
            if not chunk and closed == before.closed:
                return done
            principal = before.principal + sum((d.loan_total for d in chunk), Decimal(0))
            # A dossier put on the waiting list at its numbering was neither scored nor listed for the
            # instructors: promoted, it goes where a dossier numbered within the envelope goes (scoring, then
            # the acknowledgement, the mailbox's notice and the work item), with the bailleur told why.
            outbox = [m for d in chunk for m in (
                messages.notification("liste_attente_levee", f"levee-{d.dossier_id}-{d.version}", d.dossier_id),
                messages.deposit_numbered(DepositNumbered(dossier_id=d.dossier_id, deposit_number=d.deposit_number or 0,
                                                          deposited_at=d.envoi.sent_at if d.envoi else d.updated_at)),
            )]
            try:
                self.store.promote_waiting(before, chunk, principal, closed, actor, outbox)
            except ConditionFailed:
                continue  # the counter moved (a numbering, a release): read again
            done += [Promoted(d.dossier_id, d.deposit_number or 0) for d in chunk]
        return done


def _with_clock(lifecycle: Lifecycle, clock: Callable[[], datetime]) -> Lifecycle:
    """The same use case deciding as of another time (the schedule's)."""
    twin = Lifecycle(lifecycle.store, lifecycle.documents, clock, lifecycle.envelope, lifecycle.bdt_email)
    return twin
