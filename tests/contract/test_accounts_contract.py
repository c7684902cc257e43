"""The `Accounts` and `Registrations` ports: the in-memory fakes and the real adapters (Cognito and
DynamoDB on the emulation) agree on what inscription relies on: one user per address, inactive until
its address is confirmed, found by its SIREN, gone once deleted; one pending inscription per address
whatever its case, with a bounded number of code attempts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ami.adapters.cognito import CognitoAccounts
from ami.adapters.dynamodb.inscriptions import DynamoRegistrations
from ami.domain.errors import Conflict
from ami.domain.inscription import PendingRegistration, hash_code
from ami.domain.models import Bailleur
from ami.services.ports import Accounts, Registrations
from fakes import InMemoryAccounts, InMemoryRegistrations
from support import PASSWORD

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memoire", "cognito"])
def accounts(request: pytest.FixtureRequest) -> Accounts:
    if request.param == "memoire":
        return InMemoryAccounts()
    return CognitoAccounts(request.getfixturevalue("emulation").user_pool_id)


@pytest.fixture(params=["memoire", "dynamodb"])
def registrations(request: pytest.FixtureRequest) -> Registrations:
    if request.param == "memoire":
        return InMemoryRegistrations()
    return DynamoRegistrations(request.getfixturevalue("emulation"))


def address() -> str:
    return f"essai-{uuid.uuid4().hex[:10]}@bailleur.example"


def siren() -> str:
    return f"9{uuid.uuid4().int % 10**8:08d}"


def test_a_user_is_inactive_until_its_address_is_confirmed(accounts: Accounts) -> None:
    email, s = address(), siren()
    assert accounts.is_active(email) is None
    accounts.create_bailleur_user(email, s, PASSWORD)
    assert accounts.is_active(email) is False
    accounts.activate_bailleur(email)
    assert accounts.is_active(email) is True


def test_one_address_is_one_user(accounts: Accounts) -> None:
    email = address()
    accounts.create_bailleur_user(email, siren(), PASSWORD)
    with pytest.raises(Conflict) as refused:
        accounts.create_bailleur_user(email, siren(), PASSWORD)
    assert refused.value.code == "compte_existant"


def test_users_are_found_by_siren_and_gone_once_deleted(accounts: Accounts) -> None:
    s, first, second, other = siren(), address(), address(), address()
    accounts.create_bailleur_user(first, s, PASSWORD)
    accounts.create_bailleur_user(second, s, PASSWORD)
    accounts.create_bailleur_user(other, siren(), PASSWORD)
    accounts.activate_bailleur(first)
    found = {u["email"]: u for u in accounts.users_of(s)}
    assert set(found) == {first, second}
    assert found[first]["email_verified"] == "true" and found[second]["email_verified"] == "false"
    assert all(u["sub"] for u in found.values())
    accounts.delete_user(first, s)
    accounts.delete_user(first, s)  # twice: nothing to delete is no error
    assert [u["email"] for u in accounts.users_of(s)] == [second] and accounts.is_active(first) is None


def pending(email: str, s: str) -> PendingRegistration:
    bailleur = Bailleur(siren=s, raison_sociale="Habitat Essai", forme_juridique="sa_hlm",
                        adresse="1 rue de la Paix, 42000 Saint-Étienne", email_contact=email, registered_at=NOW)
    return PendingRegistration(email=email, bailleur=bailleur, salt="sel", code_hash=hash_code("sel", "123456"),
                               expires_at=NOW + timedelta(hours=1))


def test_one_pending_inscription_per_address_whatever_its_case(registrations: Registrations) -> None:
    email, s = address(), siren()
    assert registrations.get_pending(email) is None
    registrations.put_pending(pending(email, s))
    got = registrations.get_pending(email.upper())
    assert got is not None and got.bailleur.siren == s and got.matches("123456") and got.attempts == 0
    assert [p.email for p in registrations.pending_of(s)] == [email]
    registrations.delete_pending(email.upper())
    assert registrations.get_pending(email) is None and registrations.pending_of(s) == []


def test_code_attempts_are_counted_and_bounded(registrations: Registrations) -> None:
    email = address()
    assert registrations.count_attempt(email, 3) is False  # nothing pending: no attempt to count
    registrations.put_pending(pending(email, siren()))
    assert [registrations.count_attempt(email, 3) for _ in range(4)] == [True, True, True, False]
    got = registrations.get_pending(email)
    assert got is not None and got.attempts == 3
    registrations.put_pending(pending(email, siren()))  # a new code: attempts start again
    assert registrations.count_attempt(email, 3) is True


def test_an_account_is_found_by_its_address_with_its_siren_and_groups(accounts: Accounts) -> None:
    email, s = address(), siren()
    assert accounts.account(email) is None
    accounts.create_bailleur_user(email, s, PASSWORD)
    accounts.activate_bailleur(email)
    found = accounts.account(email)
    assert found is not None
    assert (found["email"], found["siren"], found["groupes"]) == (email, s, "bailleurs")
    assert found["sub"] == next(u["sub"] for u in accounts.users_of(s))
    # The username is the pool's (Cognito: the sub, the address being an alias); it names the user too.
    assert accounts.account(found["username"]) == found
    accounts.delete_user(found["username"], s)
    assert accounts.account(email) is None


def test_unconfirmed_users_are_those_made_before_the_cutoff_and_never_confirmed(accounts: Accounts) -> None:
    s, waiting, confirmed = siren(), address(), address()
    accounts.create_bailleur_user(waiting, s, PASSWORD)
    accounts.create_bailleur_user(confirmed, s, PASSWORD)
    accounts.activate_bailleur(confirmed)
    now = datetime.now(UTC)
    later = {u["email"]: u for u in accounts.unconfirmed_users(now + timedelta(hours=2))}
    assert waiting in later and confirmed not in later
    assert later[waiting]["siren"] == s
    assert waiting not in {u["email"] for u in accounts.unconfirmed_users(now - timedelta(hours=1))}
    accounts.delete_user(later[waiting]["username"], s)
    assert accounts.is_active(waiting) is None
