"""Bailleur registration: the account that carries the SIREN (Cognito) and the bailleur's profile.

All or nothing: the user, its password, its group and the profile are created together, and a
failure after the user exists deletes the user again.
"""

from __future__ import annotations

from ami.domain import rules
from ami.domain.errors import Conflict
from ami.domain.models import Bailleur, BailleurRegistration, utcnow
from ami.services.ports import Accounts, Dossiers


def register(form: BailleurRegistration, store: Dossiers, accounts: Accounts) -> Bailleur:
    """Check the identification form, create the account and the bailleur's profile."""
    rules.check_registration(form)
    if store.get_bailleur(form.siren) is not None:
        raise Conflict("bailleur_existant", "Un bailleur est déjà inscrit avec ce SIREN.")
    bailleur = Bailleur(
        raison_sociale=form.raison_sociale,
        siren=form.siren,
        forme_juridique=form.forme_juridique,
        adresse=form.adresse,
        email_contact=form.email_contact,
        registered_at=utcnow(),
    )
    accounts.create_bailleur_user(form.email_contact, form.siren, form.mot_de_passe)
    try:
        store.register_bailleur(bailleur)
    except BaseException:
        accounts.delete_user(form.email_contact, form.siren)
        raise
    return bailleur
