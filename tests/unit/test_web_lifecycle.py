"""The lifecycle on the plateforme's pages, on fakes: the instructors' workspace offers the lifecycle's steps
for the dossier's status and does them through the same use case as the API (French errors per field), the
bailleur's pages offer its own steps (accept, withdraw, deposit the signed convention) and its documents,
owner only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from ami import bootstrap
from ami.domain.errors import PieceRefused
from ami.domain.models import Dossier, DossierStatus
from ami.domain.sequence import DepositCounter
from ami.services.lifecycle import Lifecycle
from ami.settings import Settings
from chalice.test import Client
from web import core, instruction_actions
from web.app import app

from infra.samples import complete_form

S = DossierStatus
AT = datetime(2026, 4, 27, 8, 0, tzinfo=UTC)  # a Monday
SIREN, OTHER = "552100554", "383474814"
INSTR = "instructeur:i@actionlogement.fr"
CSRF = "c" * 43
COOKIES = {"cookie": f"__Host-ami_session=jeton; __Host-ami_csrf={CSRF}", "host": "127.0.0.1"}
CLAIMS: dict[str, Any] = {}
PDF = b"%PDF-1.4\n% convention signee\n%%EOF\n"


class Sessions:
    def verify(self, id_token: str) -> dict[str, Any]:
        return CLAIMS


class Accounts:
    def has_mfa(self, username: str) -> bool:
        return True


@dataclass
class Documents:
    stored: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def store_document(self, key: str, data: bytes, content_type: str) -> str:
        version = uuid.uuid4().hex
        self.stored[(key, version)] = data
        return version

    def read_document(self, key: str, version_id: str) -> bytes:
        return self.stored[(key, version_id)]


def accept_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF"):
        raise PieceRefused("pas_un_pdf", "Le fichier déposé n'est pas un PDF.")


def as_instructor() -> None:
    CLAIMS.clear()
    CLAIMS.update({"sub": "i", "email": "i@actionlogement.fr", "cognito:username": "i@actionlogement.fr",
                   "cognito:groups": ["instructeurs"]})


def as_bailleur(siren: str = SIREN) -> None:
    CLAIMS.clear()
    CLAIMS.update({"sub": "b", "email": "b@b.example", "custom:siren": siren, "cognito:groups": ["bailleurs"]})


@dataclass
class Web:
    client: Client
    store: Any
    d: Dossier
    now: list[datetime]

    def get(self, path: str) -> Any:
        accept = "application/pdf" if "/documents/" in path else "text/html"  # chalice's test client asks it
        return self.client.http.get(path, headers={**COOKIES, "accept": accept})

    def post(self, path: str, **fields: str) -> Any:
        return self.client.http.post(path, body=urlencode({"csrf_token": CSRF, **fields}),
                                     headers={**COOKIES, "content-type": "application/x-www-form-urlencoded"})

    def upload(self, path: str, data: bytes, csrf: str = CSRF) -> Any:
        boundary = "frontiere42"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"convention\"; filename=\"c.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return self.client.http.post(path, body=body, headers={
            **COOKIES, "content-type": f"multipart/form-data; boundary={boundary}"})

    def status(self) -> DossierStatus:
        got = self.store.get_dossier(self.d.dossier_id)
        assert got is not None
        return got.status  # type: ignore[no-any-return]

    def step(self, action: str, **fields: str) -> Any:
        as_instructor()
        return self.post(f"/instruction/dossiers/{self.d.dossier_id}/actions/{action}", **fields)


@pytest.fixture
def web() -> Iterator[Web]:
    from fakes import InMemoryStore

    store = InMemoryStore()
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, form=complete_form("bati", Decimal("1000000")),
                created_at=AT, updated_at=AT, status=S.EN_INSTRUCTION, deposit_number=1)
    store.t.dossiers[d.dossier_id] = d
    store.t.counter = DepositCounter(number=1, principal=d.loan_total)
    now = [AT]
    container = bootstrap.build(Settings(), store=store, sessions=Sessions(), accounts=Accounts(), clock=lambda: now[0])
    container.__dict__["lifecycle"] = Lifecycle(store, Documents(), lambda: now[0], Decimal("600000000"), accept_pdf,
                                                bdt_email="bdt@example.fr")
    previous = core.configure(container)
    try:
        yield Web(Client(app), store, d, now)
    finally:
        core.configure(previous)


def codes(d: Dossier, status: DossierStatus) -> list[str]:
    return [a.code for a in instruction_actions.allowed(d.model_copy(update={"status": status}), None, INSTR, AT)]


def test_the_workspace_offers_the_lifecycle_steps_of_the_status() -> None:
    d = Dossier(dossier_id="a" * 32, siren=SIREN, created_at=AT, updated_at=AT, deposit_number=1)
    assert codes(d, S.EN_INSTRUCTION) == ["presenter_ccn", "fiben", "classer_sans_suite"]
    assert codes(d, S.PRESENTE_CCN) == ["avis_favorable", "fiben", "avis_defavorable", "ajourner",
                                        "classer_sans_suite"]
    assert codes(d, S.AVIS_FAVORABLE) == ["proposer_tarification", "fiben", "classer_sans_suite"]
    assert codes(d, S.TARIFICATION_PROPOSEE) == ["classer_sans_suite"]  # the bailleur's turn: accept, or not
    assert codes(d, S.ACCEPTEE) == ["confirmer_ca", "refuser_ca", "classer_sans_suite"]
    assert codes(d, S.PRIME_APPELEE) == ["regler_prime", "classer_sans_suite"]
    assert codes(d, S.PRIME_REGLEE) == ["transmettre_acte"]  # the prime is paid: no sans suite any more
    assert codes(d, S.ACTE_TRANSMIS) == [] and codes(d, S.RETIRE) == []


def test_an_instructor_takes_the_steps_with_french_errors(web: Web) -> None:
    path = f"/instruction/dossiers/{web.d.dossier_id}"
    as_instructor()
    assert "/actions/presenter_ccn" in web.get(path).body.decode()
    form = web.get(f"{path}/actions/presenter_ccn").body.decode()
    assert 'name="seance.libelle"' in form and 'name="seance.le"' in form
    missing = web.step("presenter_ccn")
    assert missing.status_code == 422 and "Séance obligatoire pour cette étape." in missing.body.decode()
    bad_date = web.step("presenter_ccn", **{"seance.libelle": "CCN n° 12", "seance.le": "05/05/2026"})
    assert bad_date.status_code == 422 and "Date de la séance :" in bad_date.body.decode()
    assert "seance.le" not in bad_date.body.decode().split("<form")[0]  # the field's name, not its path
    assert web.status() == S.EN_INSTRUCTION
    assert web.step("presenter_ccn", **{"seance.libelle": "CCN n° 12", "seance.le": "2026-05-05"}).status_code == 303
    assert web.status() == S.PRESENTE_CCN
    short = web.step("avis_favorable", justification="ok")
    assert short.status_code == 422 and "Motif obligatoire (5 caractères au moins)." in short.body.decode()
    assert web.step("avis_favorable", justification="Opération conforme.").status_code == 303
    no_fiben = web.step("proposer_tarification", qualite="standard")
    assert no_fiben.status_code == 422 and "Saisissez d&#39;abord la cotation FIBEN" in no_fiben.body.decode()
    assert web.step("fiben", cote="3+", date_cotation="2026-03-31").status_code == 303
    assert web.step("proposer_tarification", qualite="standard").status_code == 303
    assert web.status() == S.TARIFICATION_PROPOSEE
    page = web.get(path).body.decode()
    assert "Proposition de tarification émise" in page and "Prime par prêt" in page
    assert f"{path}/documents/proposition" in page
    pdf = web.get(f"{path}/documents/proposition")
    assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF")
    # Not the instructor's step now: refused in French, nothing moves.
    refused = web.step("confirmer_ca", **{"seance.libelle": "CA", "seance.le": "2026-05-06"}, justification="Vu.")
    assert refused.status_code == 409 and "Cette action n&#39;est pas possible" in refused.body.decode()
    assert web.status() == S.TARIFICATION_PROPOSEE


def advance_to_proposition(web: Web) -> None:
    web.step("presenter_ccn", **{"seance.libelle": "CCN n° 12", "seance.le": "2026-05-05"})
    web.step("avis_favorable", justification="Opération conforme.")
    web.step("fiben", cote="3+", date_cotation="2026-03-31")
    assert web.step("proposer_tarification", qualite="standard").status_code == 303


def test_the_bailleur_accepts_before_the_last_day_only(web: Web) -> None:
    advance_to_proposition(web)
    as_bailleur()
    path = f"/dossiers/{web.d.dossier_id}"
    page = web.get(path).body.decode()
    assert "Proposition de tarification émise" in page and "heure de Paris" in page
    assert f"{path}/suivi/accepter" in page and f"{path}/suivi/retirer" in page
    confirm = web.get(f"{path}/suivi/accepter").body.decode()
    assert "inclus (heure de Paris)" in confirm
    web.now[0] = AT + timedelta(days=30)  # long after the 10 jours ouvrés
    late = web.post(f"{path}/suivi/accepter")
    assert late.status_code == 409 and "a expiré et ne peut plus être acceptée" in late.body.decode()
    web.now[0] = AT + timedelta(hours=1)
    assert web.post(f"{path}/suivi/accepter").status_code == 303
    assert web.status() == S.ACCEPTEE
    assert "Vous avez accepté la proposition" in web.get(f"{path}?note=accepter").body.decode()
    again = web.get(f"{path}/suivi/accepter")
    assert again.status_code == 409 and "Cette démarche n&#39;est pas possible" in again.body.decode()


def test_documents_are_the_owners_only(web: Web) -> None:
    advance_to_proposition(web)
    path = f"/dossiers/{web.d.dossier_id}/documents/proposition"
    as_bailleur()
    mine = web.get(path)
    assert mine.status_code == 200 and mine.body.startswith(b"%PDF")
    assert web.get(f"/dossiers/{web.d.dossier_id}/documents/acte").status_code == 404  # not yet
    assert web.get(f"/dossiers/{web.d.dossier_id}/documents/inconnu").status_code == 404
    as_bailleur(OTHER)
    assert web.get(path).status_code == 404  # another bailleur's dossier does not exist for it
    assert web.post(f"/dossiers/{web.d.dossier_id}/suivi/accepter").status_code == 404
    assert web.status() == S.TARIFICATION_PROPOSEE


def test_the_bailleur_withdraws_with_a_motif(web: Web) -> None:
    as_bailleur()
    path = f"/dossiers/{web.d.dossier_id}/suivi/retirer"
    short = web.post(path, justification="non")
    assert short.status_code == 422 and "Indiquez le motif de cette décision" in short.body.decode()
    assert web.post(path, justification="Opération abandonnée par la commune.").status_code == 303
    assert web.status() == S.RETIRE
    page = web.get(f"/dossiers/{web.d.dossier_id}").body.decode()
    assert "Retiré par le bailleur" in page and "la part qu&#39;il réservait est libérée" in page


def test_the_signed_convention_is_checked_as_by_the_api(web: Web) -> None:
    advance_to_proposition(web)
    as_bailleur()
    web.post(f"/dossiers/{web.d.dossier_id}/suivi/accepter")
    web.step("confirmer_ca", **{"seance.libelle": "CA du 12 mai", "seance.le": "2026-04-27"},
             justification="Engagement confirmé.")
    assert web.step("envoyer_convention").status_code == 303
    as_bailleur()
    path = f"/dossiers/{web.d.dossier_id}/convention"
    assert "multipart/form-data" in web.get(f"/dossiers/{web.d.dossier_id}/suivi/deposer_convention").body.decode()
    forged = web.upload(path, PDF, csrf="x" * 43)
    assert forged.status_code == 403 and web.status() == S.CONVENTION_ENVOYEE
    empty = web.upload(path, b"")
    assert empty.status_code == 422 and "Joignez la convention signée, au format PDF." in empty.body.decode()
    not_pdf = web.upload(path, b"GIF89a")
    assert not_pdf.status_code == 422 and "n&#39;est pas un PDF" in not_pdf.body.decode()
    assert web.upload(path, PDF).status_code == 303
    assert web.status() == S.CONVENTION_SIGNEE
    signed = web.get(f"/dossiers/{web.d.dossier_id}/documents/convention_signee")
    assert signed.status_code == 200 and signed.body == PDF
