"""The `Sessions` port: the in-memory fake and the Cognito adapter on the emulation agree on what the
plateforme relies on: the right password gives an ID token whose verified claims are the user's own
(address, SIREN, group), a wrong or unknown one is refused with the same French message, a tampered
token is refused, a session renews with its refresh token and not with anything else."""

from __future__ import annotations

import uuid

import pytest
from ami.adapters.cognito import CognitoAccounts
from ami.adapters.cognito_sessions import CognitoSessions
from ami.domain.errors import Unauthorized
from ami.domain.identity import SessionExpired
from ami.services.ports import Accounts, Sessions
from fakes import InMemoryAccounts, InMemorySessions
from support import PASSWORD


@pytest.fixture(params=["memoire", "cognito"])
def pool(request: pytest.FixtureRequest) -> tuple[Accounts, Sessions]:
    if request.param == "memoire":
        accounts = InMemoryAccounts()
        return accounts, InMemorySessions(accounts)
    env = request.getfixturevalue("emulation")
    return CognitoAccounts(env.user_pool_id), CognitoSessions(env.user_pool_id, env.user_pool_client_ids)


def bailleur(accounts: Accounts) -> tuple[str, str]:
    email, siren = f"essai-{uuid.uuid4().hex[:10]}@bailleur.example", f"9{uuid.uuid4().int % 10**8:08d}"
    accounts.create_bailleur_user(email, siren, PASSWORD)
    accounts.activate_bailleur(email)
    return email, siren


def test_the_id_token_carries_the_users_own_claims(pool: tuple[Accounts, Sessions]) -> None:
    accounts, sessions = pool
    email, siren = bailleur(accounts)
    claims = sessions.verify(sessions.sign_in(email, PASSWORD).id_token)
    assert (claims["email"], claims["custom:siren"], claims["token_use"]) == (email, siren, "id")
    assert "bailleurs" in claims["cognito:groups"] and claims["sub"]


def test_a_wrong_password_and_an_unknown_address_are_refused_alike(pool: tuple[Accounts, Sessions]) -> None:
    accounts, sessions = pool
    email, _ = bailleur(accounts)
    refusals = []
    for who, password in ((email, PASSWORD + "x"), ("inconnu-" + email, PASSWORD)):
        with pytest.raises(Unauthorized) as refused:
            sessions.sign_in(who, password)
        refusals.append((refused.value.code, refused.value.message))
    assert refusals[0] == refusals[1] == ("identifiants_incorrects", "Adresse électronique ou mot de passe incorrect.")


def test_a_tampered_token_is_refused_and_a_session_renews_only_with_its_refresh_token(
    pool: tuple[Accounts, Sessions],
) -> None:
    accounts, sessions = pool
    email, siren = bailleur(accounts)
    signed = sessions.sign_in(email, PASSWORD)
    for forged in (signed.id_token[:-4] + "AAAA", "id.inconnu", "", signed.refresh_token or ""):
        with pytest.raises(Unauthorized):
            sessions.verify(forged)
    assert signed.refresh_token
    renewed = sessions.refresh(signed.refresh_token)
    assert sessions.verify(renewed)["custom:siren"] == siren
    with pytest.raises(SessionExpired):
        sessions.refresh("jeton-inconnu")
