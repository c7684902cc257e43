"""What the service holds about a bailleur's users, and the erasure of what no law makes us keep
(RGPD art. 15 and 17; docs/rgpd.md).

The export is everything held about the bailleur and the people acting for it: its profile, its
Cognito users, inscriptions waiting for their code, its dossiers with their pieces' records, and the
audit chains of its dossiers and of its account, with who each pseudonym was.

The erasure removes the personal data (the contact address of the profile, the Cognito users, the
inscriptions waiting) and keeps what the deposit evidence needs: the dossiers, the pieces and every
audit entry, untouched, so that every chain still verifies. The audit log never held the address
of a bailleur's user: it names the user by its Cognito `sub`, a pseudonym whose only link to a
person was the Cognito user erased here. The erasure is itself an entry of the bailleur's chain
(`bailleur/<siren>`), with counts and the request's reference, no personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ami.domain.audit import bailleur_chain, dossier_chain
from ami.domain.conservation import conservation
from ami.domain.sequence import AuditDraft
from ami.domain.wording import compte
from ami.services.ports import Accounts, Clock, Registrations, Store

ERASURE = "effacement_donnees_personnelles"
ADDRESS = re.compile(r"[^@\s:]+@[^@\s:]+")


@dataclass(frozen=True)
class Erasure:
    """What one erasure did (counts only: the report may be shown and logged)."""

    siren: str
    comptes_supprimes: int
    inscriptions_supprimees: int
    contact_efface: bool
    entree_journal: int | None  # seq of its entry in the bailleur's chain; None when nothing was left to erase
    # Entries written before the actors were pseudonymised still name an address; rewriting them would
    # break their chains (docs/rgpd.md says why they are kept).
    entrees_nominatives: int = 0
    notes: list[str] = field(default_factory=list)


class Rgpd:
    def __init__(self, store: Store, accounts: Accounts, registrations: Registrations, clock: Clock) -> None:
        self.store, self.accounts, self.registrations, self.clock = store, accounts, registrations, clock

    def export(self, siren: str) -> dict[str, Any]:
        bailleur = self.store.get_bailleur(siren)
        users = self.accounts.users_of(siren)
        dossiers = sorted(self.store.list_dossiers(siren), key=lambda d: d.created_at)
        chains = [bailleur_chain(siren), *(dossier_chain(d.dossier_id) for d in dossiers)]
        return {
            "siren": siren,
            "exporte_le": self.clock().isoformat(),
            "bailleur": bailleur.model_dump(mode="json") if bailleur else None,
            "comptes": users,
            "pseudonymes": {f"bailleur:{siren}:{u['sub']}": u["email"] for u in users if u.get("sub")},
            "inscriptions_en_attente": [
                {"email": p.email, "raison_sociale": p.bailleur.raison_sociale, "expire_le": p.expires_at.isoformat()}
                for p in self.registrations.pending_of(siren)
            ],
            "invitations_en_attente": [
                {"email": i.email, "invitee_par": i.invited_by, "expire_le": i.expires_at.isoformat()}
                for i in self.registrations.invitations_of(siren)
            ],
            "dossiers": [
                {
                    **d.model_dump(mode="json"),
                    "pieces_examinees": [r.model_dump(mode="json") for r in self.store.piece_records(d.dossier_id)
                                         .values()],
                }
                for d in dossiers
            ],
            "journal": {c: [e.model_dump(mode="json") for e in self.store.chain_entries(c)] for c in chains},
        }

    def erase(self, siren: str, reference: str, actor: str = "ops:rgpd") -> Erasure:
        """Erase the personal data of `siren`'s users; `reference` names the request (a DPO ticket), never a
        person. Safe to run again: what is already erased is not counted twice."""
        bailleur = self.store.get_bailleur(siren)
        users = self.accounts.users_of(siren)
        pending = self.registrations.pending_of(siren)
        invitations = self.registrations.invitations_of(siren)  # unused: each holds an address
        contact = bool(bailleur and bailleur.email_contact)
        dossiers = self.store.list_dossiers(siren)
        named = sum(
            bool(ADDRESS.search(e.actor))
            for d in dossiers for e in self.store.chain_entries(dossier_chain(d.dossier_id))
        )
        if not (users or pending or invitations or contact):
            return Erasure(siren, 0, 0, False, None, named, ["Rien à effacer."])
        draft = AuditDraft(
            dossier_id="", actor=actor, action=ERASURE, from_status=None, to_status=None, reason=reference,
            details={"comptes_supprimes": len(users), "inscriptions_supprimees": len(pending),
                     "invitations_supprimees": len(invitations),
                     "contact_efface": contact, "dossiers_conserves": len(dossiers)},
        )
        # Recorded first, with the profile's change, so that an erasure never happens unaudited; what a crash
        # leaves is found and erased by the next run, under an entry of its own.
        after = bailleur.model_copy(update={"email_contact": ""}) if bailleur and contact else None
        entry = self.store.change_bailleur(siren, draft, before=bailleur if after else None, after=after)
        for user in users:
            self.accounts.delete_user(user["username"], siren)
        for p in pending:
            self.registrations.delete_pending(p.email)
        for invitation in invitations:
            self.registrations.take_invitation(invitation.token_hash)
        left = len(self.accounts.users_of(siren))
        notes = [f"{compte(left, 'compte Cognito')} non supprimé{'s' if left > 1 else ''} : relancez la commande."
                 ] if left else []
        return Erasure(siren, len(users) - left, len(pending), contact, entry.seq, named, notes)

    def erase_person(self, email: str, reference: str, actor: str = "ops:rgpd") -> Erasure:
        """Erase what is held about the one person signing in or registered with `email`, a user of a bailleur:
        its Cognito user, its inscription waiting for a code, and the bailleur's contact address when it is
        this one. The bailleur's other users, its dossiers, pieces and audit entries stay. Audited in the
        bailleur's chain like `erase`, with counts only; safe to run again.

        Raises `StaffAccount` for an instructor's address: staff act under their name for ALS, and their
        account is closed by ops, not by a data subject's request (docs/rgpd.md)."""
        address = email.strip().lower()
        account = self.accounts.account(address) or (self.accounts.account(email.strip())
                                                     if email.strip() != address else None)
        if account and not account.get("siren") and "instructeurs" in account.get("groupes", "").split(","):
            raise StaffAccount()
        pending = self.registrations.get_pending(address)
        siren = (account or {}).get("siren") or (pending.bailleur.siren if pending else "")
        if not siren:
            return Erasure("", 0, 0, False, None, 0, ["Aucune donnée n'est liée à cette adresse."])
        bailleur = self.store.get_bailleur(siren)
        contact = bool(bailleur and bailleur.email_contact.strip().lower() == address)
        # Entries written before the pseudonyms (or by the web pages until they used them) name the address.
        named = sum(
            bool(re.search(rf"(^|:){re.escape(address)}$", e.actor, re.IGNORECASE))
            for d in self.store.list_dossiers(siren) for e in self.store.chain_entries(dossier_chain(d.dossier_id))
        )
        if not (account or pending or contact):
            return Erasure(siren, 0, 0, False, None, named, ["Rien à effacer."])
        draft = AuditDraft(
            dossier_id="", actor=actor, action=ERASURE, from_status=None, to_status=None, reason=reference,
            details={"personne": 1, "comptes_supprimes": int(account is not None),
                     "inscriptions_supprimees": int(pending is not None), "contact_efface": contact},
        )
        after = bailleur.model_copy(update={"email_contact": ""}) if bailleur and contact else None
        entry = self.store.change_bailleur(siren, draft, before=bailleur if after else None, after=after)
        if account:
            self.accounts.delete_user(account["username"], siren)
        if pending:
            self.registrations.delete_pending(pending.email)
        left = account is not None and self.accounts.account(account["username"]) is not None
        notes = ["Le compte Cognito n'a pas pu être supprimé : relancez la commande."] if left else []
        return Erasure(siren, int(account is not None and not left), int(pending is not None), contact, entry.seq,
                       named, notes)

    def purge_unconfirmed(self) -> int:
        """Delete the users of inscriptions whose code expired unconfirmed, with what is left of their
        inscription: DynamoDB's TTL removes the waiting item, not the Cognito user it made (address and
        password hash), which would otherwise stay until the same address registers again. Returns how many."""
        now = self.clock()
        purged = 0
        for user in self.accounts.unconfirmed_users(now - conservation().inscription_en_attente):
            pending = self.registrations.get_pending(user["email"])
            if pending is not None and not pending.expired(now):
                continue  # registered again since, waiting for its new code
            if pending is not None:
                self.registrations.delete_pending(pending.email)
            self.accounts.delete_user(user["username"], user["siren"])
            purged += 1
        return purged


class StaffAccount(Exception):
    """The address is an instructor's: not erased by a data subject's request."""

    message = ("Cette adresse est celle d'un instructeur : ses actes sont inscrits à son nom au journal d'audit "
               "(preuve de l'instruction) et son compte est fermé par l'exploitation, pas par cette commande.")
