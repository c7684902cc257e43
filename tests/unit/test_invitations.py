"""Several users for one bailleur: invitations by a user of the SIREN, single use, with expiry, audited
(ami.services.accounts.Invitations against in-memory ports)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from ami.domain.errors import Conflict, InvalidInput, NotFound
from ami.domain.invitation import INVITATION_VALIDITY, INVITED, JOINED, Invitation, invitation_email, token_hash
from ami.domain.models import Bailleur
from ami.domain.sequence import AuditDraft
from ami.services.accounts import Invitations

SIREN = "732829320"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ACTOR = f"bailleur:{SIREN}:premiere@habitat.example"


class Fakes:
    """The ports Invitations uses, in memory."""

    def __init__(self) -> None:
        self.now = T0
        self.bailleurs = {
            SIREN: Bailleur(
                raison_sociale="Habitat Forézien",
                siren=SIREN,
                forme_juridique="sa_hlm",
                adresse="1 rue de la Paix, 42000 Saint-Étienne",
                email_contact="premiere@habitat.example",
                registered_at=T0,
            )
        }
        self.users: dict[str, tuple[str, bool]] = {"premiere@habitat.example": (SIREN, True)}
        self.invitations: dict[str, Invitation] = {}
        self.audit: list[tuple[str, AuditDraft]] = []
        self.sent: list[Any] = []
        self.refuse_password = False

    def get_bailleur(self, siren: str) -> Bailleur | None:
        return self.bailleurs.get(siren)

    def change_bailleur(self, siren: str, draft: AuditDraft, before: Any = None, after: Any = None) -> None:
        self.audit.append((siren, draft))

    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        if email in self.users:
            raise Conflict("compte_existant", "Un compte existe déjà pour cette adresse électronique.")
        if self.refuse_password:
            raise InvalidInput("mot_de_passe_invalide", "Le mot de passe ne respecte pas la politique de sécurité.")
        self.users[email] = (siren, False)

    def activate_bailleur(self, email: str) -> None:
        self.users[email] = (self.users[email][0], True)

    def is_active(self, email: str) -> bool | None:
        return self.users[email][1] if email in self.users else None

    def delete_user(self, email: str, siren: str) -> None:
        self.users.pop(email, None)

    def put_invitation(self, invitation: Invitation) -> None:
        self.invitations[invitation.token_hash] = invitation

    def get_invitation(self, token_hash: str) -> Invitation | None:
        return self.invitations.get(token_hash)

    def take_invitation(self, token_hash: str) -> bool:
        return self.invitations.pop(token_hash, None) is not None

    def send(self, email: Any) -> str:
        self.sent.append(email)
        return f"m{len(self.sent)}"

    def service(self) -> Invitations:
        return Invitations(self, self, self, self, lambda: self.now)  # type: ignore[arg-type]


def invite(f: Fakes, email: str = "Collegue@Habitat.example") -> str:
    """Invite `email`; returns the token the link carries."""
    links: list[str] = []
    f.service().invite(SIREN, email, ACTOR, lambda token: links.append(token) or f"https://ami.example/i?jeton={token}")
    return links[0]


def test_a_colleague_joins_the_same_siren_through_the_link_once() -> None:
    f = Fakes()
    token = invite(f)
    (email,) = f.sent
    assert email.to == ("collegue@habitat.example",)
    assert f"https://ami.example/i?jeton={token}" in email.text and "Habitat Forézien (SIREN 732829320)" in email.text
    assert "8 décembre 2026" in email.text  # valid a week
    assert token not in str(f.invitations) and token_hash(token) in f.invitations  # only the hash is kept
    invitation, bailleur = f.service().peek(token)
    assert (invitation.email, bailleur.siren) == ("collegue@habitat.example", SIREN)

    f.service().accept(token, "Un-mot-de-passe-solide")
    assert f.users["collegue@habitat.example"] == (SIREN, True)  # a user of the same SIREN, address proven
    assert [(d.action, d.actor) for _, d in f.audit] == [(INVITED, ACTOR), (JOINED, ACTOR)]
    assert all(siren == SIREN and "collegue" not in str(d.details) for siren, d in f.audit)  # no address in the log
    with pytest.raises(NotFound, match="déjà servi"):
        f.service().accept(token, "Un-autre-mot-de-passe")


def test_an_expired_or_unknown_link_is_refused_in_french() -> None:
    f = Fakes()
    token = invite(f)
    f.now = T0 + INVITATION_VALIDITY
    with pytest.raises(NotFound) as refused:
        f.service().peek(token)
    assert refused.value.message.startswith("Ce lien d'invitation est invalide, a déjà servi ou a expiré")
    with pytest.raises(NotFound):
        f.service().accept(token, "Un-mot-de-passe-solide")
    assert "collegue@habitat.example" not in f.users
    with pytest.raises(NotFound):
        f.service().peek("pas-un-jeton")


def test_a_password_the_pool_refuses_leaves_the_link_usable() -> None:
    f = Fakes()
    token = invite(f)
    f.refuse_password = True
    with pytest.raises(InvalidInput):
        f.service().accept(token, "trop-faible-pour-le-pool")
    f.refuse_password = False
    f.service().accept(token, "Un-mot-de-passe-solide")
    assert f.is_active("collegue@habitat.example") is True


def test_a_link_used_in_the_meantime_creates_no_account() -> None:
    f = Fakes()
    token = invite(f)
    original = f.take_invitation
    f.take_invitation = lambda h: original(h) and False  # type: ignore[method-assign]  # another tab took it
    with pytest.raises(NotFound):
        f.service().accept(token, "Un-mot-de-passe-solide")
    assert "collegue@habitat.example" not in f.users


def test_an_address_that_already_has_an_account_is_not_invited() -> None:
    f = Fakes()
    with pytest.raises(Conflict, match="Un compte existe déjà"):
        invite(f, "premiere@habitat.example")
    assert f.sent == [] and f.invitations == {} and f.audit == []
    with pytest.raises(NotFound):
        f.service().invite("999999999", "x@y.example", ACTOR, str)


def test_the_invitation_email_carries_no_words_of_the_inviting_person() -> None:
    bailleur = Fakes().bailleurs[SIREN].model_copy(update={"raison_sociale": "<b>Habitat</b>"})
    email = invitation_email("c@h.example", bailleur, "https://ami.example/invitation?jeton=abc", T0)
    assert "<b>Habitat</b>" not in email.html and "&lt;b&gt;Habitat&lt;/b&gt;" in email.html
    assert '<a href="https://ami.example/invitation?jeton=abc">' in email.html
