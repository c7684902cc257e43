"""Bailleur registration, in two steps that prove who registers.

1. `register`: the identification form is checked (Luhn, eligible form), then against the Sirene
   register (the SIREN exists, is active, and its catégorie juridique is one of the declared form's);
   a Cognito user is created that can sign in but is nobody (address not verified, in no group), and
   a 6-digit code is sent to the address: the only email an unconfirmed address ever receives.
2. `confirm`: the right code (at most 5 tries, within the hour) creates the bailleur's profile, which
   claims the SIREN, and puts the user in the bailleurs' group. Until then the SIREN is free: an
   inscription nobody confirms squats nothing.

An inscription that is never confirmed expires; the same address may then register again.

A registered bailleur has several users: `Invitations` lets one of them invite a colleague, who joins
the same SIREN through a single-use link (`ami.domain.invitation`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ami.domain import rules
from ami.domain.errors import Conflict, InvalidInput, NotFound
from ami.domain.inscription import (
    CODE_VALIDITY,
    MAX_ATTEMPTS,
    PendingRegistration,
    code_email,
    new_pending,
    sirene_errors,
)
from ami.domain.invitation import INVITED, JOINED, Invitation, invitation_email, new_invitation, token_hash
from ami.domain.models import Bailleur, BailleurRegistration, RegistrationPending
from ami.domain.sequence import AuditDraft
from ami.services.ports import Accounts, Clock, Dossiers, Mailer, Registrations, Sirene

BAD_CODE = InvalidInput(
    "code_invalide",
    "Ce code de confirmation est invalide ou a expiré.",
    [{"champ": "code", "message": "Vérifiez le code reçu par courriel, ou inscrivez-vous de nouveau s'il a expiré."}],
)


class Inscriptions:
    def __init__(
        self, dossiers: Dossiers, accounts: Accounts, sirene: Sirene, registrations: Registrations,
        mailer: Mailer, clock: Clock,
    ) -> None:
        self.dossiers = dossiers
        self.accounts = accounts
        self.sirene = sirene
        self.registrations = registrations
        self.mailer = mailer
        self.clock = clock

    def register(self, form: BailleurRegistration) -> RegistrationPending:
        """Check the form, create the (inactive) account and send the confirmation code."""
        rules.check_registration(form)
        if self.dossiers.get_bailleur(form.siren) is not None:
            raise Conflict("bailleur_existant", "Un bailleur est déjà inscrit avec ce SIREN.")
        errors = sirene_errors(form, self.sirene.unite_legale(form.siren))
        if errors:
            raise InvalidInput(
                "identification_invalide", "Le formulaire d'identification ne correspond pas au répertoire Sirene.",
                errors,
            )
        now = self.clock()
        email = form.email_contact
        self._free_expired(email)
        bailleur = Bailleur(
            raison_sociale=form.raison_sociale, siren=form.siren, forme_juridique=form.forme_juridique,
            adresse=form.adresse, email_contact=email, registered_at=now,
        )
        self.accounts.create_bailleur_user(email, form.siren, form.mot_de_passe)
        pending, code = new_pending(bailleur, now)
        try:
            self.registrations.put_pending(pending)
            self.mailer.send(code_email(email, code, pending.expires_at))
        except BaseException:
            self._cancel(pending)
            raise
        hours = int(CODE_VALIDITY.total_seconds() // 3600)
        return RegistrationPending(
            email_contact=email,
            expire_le=pending.expires_at,
            message=(
                "Un code de confirmation a été envoyé à cette adresse. Saisissez-le pour activer le compte : "
                f"il est valable {hours} heure{'s' if hours > 1 else ''}."
            ),
        )

    def confirm(self, email: str, code: str) -> Bailleur:
        """The code sent to `email`: the profile is created and the account becomes a bailleur's."""
        pending = self.registrations.get_pending(email)
        now = self.clock()
        if pending is None or pending.expired(now):
            raise BAD_CODE
        if not self.registrations.count_attempt(email, MAX_ATTEMPTS):
            self._cancel(pending)
            raise InvalidInput(
                "code_epuise",
                f"Le code a été saisi {MAX_ATTEMPTS} fois sans succès : l'inscription est annulée, recommencez-la.",
                [{"champ": "code", "message": "Inscrivez-vous de nouveau pour recevoir un autre code."}],
            )
        if not pending.matches(code):
            raise BAD_CODE
        bailleur = pending.bailleur.model_copy(update={"registered_at": now})
        try:
            self.dossiers.register_bailleur(bailleur)
        except Conflict:
            existing = self.dossiers.get_bailleur(bailleur.siren)
            if existing is None or existing.email_contact != email:  # someone else confirmed this SIREN first
                self._cancel(pending)
                raise
            bailleur = existing  # an earlier confirmation of this inscription stopped half-way
        self.accounts.activate_bailleur(email)
        self.registrations.delete_pending(email)
        return bailleur

    def _free_expired(self, email: str) -> None:
        """An address whose earlier inscription was never confirmed may register again once it expired."""
        active = self.accounts.is_active(email)
        if active is None:
            return
        if active:
            raise Conflict("compte_existant", "Un compte existe déjà pour cette adresse électronique.")
        pending = self.registrations.get_pending(email)
        if pending is not None and not pending.expired(self.clock()):
            raise Conflict(
                "inscription_en_attente",
                "Une inscription attend déjà la confirmation de cette adresse : saisissez le code reçu par courriel.",
            )
        self.registrations.delete_pending(email)
        self.accounts.delete_user(email, pending.bailleur.siren if pending else "")

    def _cancel(self, pending: PendingRegistration) -> None:
        self.registrations.delete_pending(pending.email)
        self.accounts.delete_user(pending.email, pending.bailleur.siren)


BAD_INVITATION = NotFound(
    "invitation_invalide",
    "Ce lien d'invitation est invalide, a déjà servi ou a expiré : demandez à votre collègue de vous inviter de "
    "nouveau.",
)


class Invitations:
    """A user of a registered bailleur invites a colleague; the colleague joins the same SIREN."""

    def __init__(self, dossiers: Dossiers, accounts: Accounts, registrations: Registrations, mailer: Mailer,
                 clock: Clock) -> None:
        self.dossiers = dossiers
        self.accounts = accounts
        self.registrations = registrations
        self.mailer = mailer
        self.clock = clock

    def invite(self, siren: str, email: str, actor: str, link: Callable[[str], str]) -> datetime:
        """Send `email` a link (`link(token)`) to join `siren`'s space; audited in the bailleur's chain.
        Returns when the link expires."""
        bailleur = self.dossiers.get_bailleur(siren)
        if bailleur is None:
            raise NotFound("bailleur_introuvable", "Cet organisme n'est pas inscrit.")
        address = email.strip().lower()
        if self.accounts.is_active(address) is not None:
            raise Conflict("compte_existant", "Un compte existe déjà pour cette adresse électronique : la personne "
                                              "peut se connecter avec elle (ou demander un nouveau mot de passe).")
        invitation, token = new_invitation(siren, address, actor, self.clock())
        # Audited first: an invitation is never sent unrecorded (one whose email failed is recorded, and unused).
        self.dossiers.change_bailleur(siren, AuditDraft(
            dossier_id="", actor=actor, action=INVITED, from_status=None, to_status=None,
            details={"invitation": invitation.reference, "expire_le": invitation.expires_at.isoformat()},
        ))
        self.registrations.put_invitation(invitation)
        self.mailer.send(invitation_email(address, bailleur, link(token), invitation.expires_at))
        return invitation.expires_at

    def peek(self, token: str) -> tuple[Invitation, Bailleur]:
        """The invitation a link carries (still valid), and the organisme it joins."""
        invitation = self.registrations.get_invitation(token_hash(token)) if token else None
        if invitation is None or invitation.expired(self.clock()):
            raise BAD_INVITATION
        bailleur = self.dossiers.get_bailleur(invitation.siren)
        if bailleur is None:
            raise BAD_INVITATION
        return invitation, bailleur

    def accept(self, token: str, password: str) -> Invitation:
        """The invited person's account, with `password`, in the bailleur's SIREN; the link is used up."""
        invitation, _ = self.peek(token)
        # The account first (a password the pool refuses leaves the link usable), then the link used up: of
        # two tabs accepting at once, the second finds the account made (Conflict) or the link gone.
        self.accounts.create_bailleur_user(invitation.email, invitation.siren, password)
        if not self.registrations.take_invitation(invitation.token_hash):
            self.accounts.delete_user(invitation.email, invitation.siren)
            raise BAD_INVITATION
        self.accounts.activate_bailleur(invitation.email)  # the link reached the address: it is proven
        self.dossiers.change_bailleur(invitation.siren, AuditDraft(
            dossier_id="", actor=invitation.invited_by, action=JOINED, from_status=None, to_status=None,
            details={"invitation": invitation.reference},
        ))
        return invitation
