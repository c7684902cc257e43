"""Registration rules and the INSEE Sirene adapter, without AWS (in-memory fakes, a loopback HTTP server)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from ami.adapters.sirene import InseeSirene, parse_unite_legale
from ami.domain.errors import Conflict, InvalidInput, RetryLater
from ami.domain.inscription import CODE_VALIDITY, PendingRegistration, UniteLegale
from ami.domain.models import Bailleur, BailleurRegistration
from ami.services.accounts import Inscriptions
from pydantic import ValidationError

SIREN = "732829320"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def form(**extra: Any) -> BailleurRegistration:
    return BailleurRegistration.model_validate({
        "raison_sociale": "Habitat Forézien", "siren": SIREN, "forme_juridique": "sa_hlm",
        "adresse": "1 rue de la Paix, 42000 Saint-Étienne", "email_contact": "a@habitat.example",
        "mot_de_passe": "Un-mot-de-passe-solide", **extra,
    })


class Fakes:
    """Every port Inscriptions uses, in memory."""

    def __init__(self) -> None:
        self.now = T0
        self.bailleurs: dict[str, Bailleur] = {}
        self.users: dict[str, bool] = {}  # address → verified
        self.pending: dict[str, tuple[PendingRegistration, int]] = {}
        self.sent: list[Any] = []
        self.units = {SIREN: UniteLegale(SIREN, True, "5546")}

    # Dossiers
    def get_bailleur(self, siren: str) -> Bailleur | None:
        return self.bailleurs.get(siren)

    def register_bailleur(self, b: Bailleur) -> None:
        if b.siren in self.bailleurs:
            raise Conflict("bailleur_existant", "…")
        self.bailleurs[b.siren] = b

    # Accounts
    def create_bailleur_user(self, email: str, siren: str, password: str) -> None:
        self.users[email] = False

    def activate_bailleur(self, email: str) -> None:
        self.users[email] = True

    def is_active(self, email: str) -> bool | None:
        return self.users.get(email)

    def delete_user(self, email: str, siren: str) -> None:
        self.users.pop(email, None)

    # Sirene
    def unite_legale(self, siren: str) -> UniteLegale | None:
        return self.units.get(siren)

    # Registrations
    def put_pending(self, p: PendingRegistration) -> None:
        self.pending[p.email] = (p, 0)

    def get_pending(self, email: str) -> PendingRegistration | None:
        return self.pending[email][0] if email in self.pending else None

    def count_attempt(self, email: str, max_attempts: int) -> bool:
        p, n = self.pending[email]
        if n >= max_attempts:
            return False
        self.pending[email] = (p, n + 1)
        return True

    def delete_pending(self, email: str) -> None:
        self.pending.pop(email, None)

    # Mailer
    def send(self, email: Any) -> str:
        self.sent.append(email)
        return "id"

    def code(self) -> str:
        return self.sent[-1].text.split("code de confirmation : ")[1][:6]


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def service(f: Fakes) -> Inscriptions:
    return Inscriptions(f, f, f, f, f, lambda: f.now)  # type: ignore[arg-type]


def test_the_code_is_stored_hashed_and_confirms_once(fakes: Fakes) -> None:
    answer = service(fakes).register(form())
    assert answer.expire_le == T0 + CODE_VALIDITY and "valable 1 heure." in answer.message
    code = fakes.code()
    stored = fakes.pending["a@habitat.example"][0]
    assert code not in stored.model_dump_json()
    assert fakes.bailleurs == {} and fakes.users == {"a@habitat.example": False}
    bailleur = service(fakes).confirm("a@habitat.example", code)
    assert bailleur.siren == SIREN and fakes.users["a@habitat.example"] is True
    assert fakes.pending == {}
    with pytest.raises(InvalidInput) as again:
        service(fakes).confirm("a@habitat.example", code)
    assert again.value.code == "code_invalide"


def test_an_expired_inscription_refuses_its_code_and_frees_the_address(fakes: Fakes) -> None:
    service(fakes).register(form())
    code = fakes.code()
    with pytest.raises(Conflict):  # still waiting for its code
        service(fakes).register(form())
    fakes.now = T0 + CODE_VALIDITY
    with pytest.raises(InvalidInput) as late:
        service(fakes).confirm("a@habitat.example", code)
    assert late.value.code == "code_invalide"
    service(fakes).register(form())  # the unconfirmed user is replaced
    assert len(fakes.sent) == 2 and fakes.users == {"a@habitat.example": False}
    service(fakes).confirm("a@habitat.example", fakes.code())
    assert fakes.users["a@habitat.example"] is True


def test_an_active_account_is_never_replaced(fakes: Fakes) -> None:
    fakes.users["a@habitat.example"] = True
    with pytest.raises(Conflict) as exc:
        service(fakes).register(form())
    assert exc.value.code == "compte_existant" and fakes.sent == []


def test_nothing_is_kept_when_the_code_cannot_be_sent(fakes: Fakes) -> None:
    def fail(email: Any) -> str:
        raise OSError("SES")

    fakes.send = fail  # type: ignore[method-assign]
    with pytest.raises(OSError):
        service(fakes).register(form())
    assert fakes.users == {} and fakes.pending == {}


@pytest.mark.parametrize("siren", ["٧٣٢٨٢٩٣٢٠", "７３２８２９３２０", "73282932O"])
def test_only_ascii_digits_make_a_siren(siren: str) -> None:
    with pytest.raises(ValidationError):
        form(siren=siren)


# ---------------------------------------------------------------- the INSEE adapter


UNITE = {"uniteLegale": {"siren": SIREN, "periodesUniteLegale": [
    {"dateDebut": "2019-01-01", "etatAdministratifUniteLegale": "A", "categorieJuridiqueUniteLegale": "5646",
     "denominationUniteLegale": "HABITAT FOREZIEN"},
    {"dateDebut": "1990-01-01", "etatAdministratifUniteLegale": "A", "categorieJuridiqueUniteLegale": "5546"},
]}}


def test_the_current_period_decides() -> None:
    unite = parse_unite_legale(SIREN, UNITE)
    assert unite == UniteLegale(SIREN, True, "5646", "HABITAT FOREZIEN")
    cessee = json.loads(json.dumps(UNITE))
    cessee["uniteLegale"]["periodesUniteLegale"][0]["etatAdministratifUniteLegale"] = "C"
    assert parse_unite_legale(SIREN, cessee).active is False


class _Secrets:
    def __init__(self) -> None:
        self.reads = 0

    def client(self, service: str) -> Any:
        assert service == "secretsmanager"
        return self

    def get_secret_value(self, SecretId: str) -> dict[str, str]:
        self.reads += 1
        return {"SecretString": json.dumps({"api_key": "cle-essai"})}


@pytest.fixture
def insee() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, "key": self.headers.get("X-INSEE-Api-Key-Integration", "")})
            status, body = {f"/siren/{SIREN}": (200, UNITE), "/siren/123456782": (404, {})}.get(
                self.path, (500, {}))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_insee_adapter_asks_with_the_key_and_reads_the_answer(insee: tuple[str, list[dict[str, str]]]) -> None:
    base, seen = insee
    secrets = _Secrets()
    sirene = InseeSirene("arn:secret", secrets, base_url=base)  # type: ignore[arg-type]
    assert sirene.unite_legale(SIREN) == UniteLegale(SIREN, True, "5646", "HABITAT FOREZIEN")
    assert sirene.unite_legale("123456782") is None
    with pytest.raises(RetryLater) as down:
        sirene.unite_legale("552100554")
    assert down.value.status == 503 and "Sirene" in down.value.message
    assert [s["key"] for s in seen] == ["cle-essai"] * 3 and secrets.reads == 1
