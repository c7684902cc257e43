"""The lifecycle on the plateforme's pages, on fakes: the instructors' workspace offers the lifecycle's steps
for the dossier's status and does them through the same use case as the API (French errors per field), the
bailleur's pages offer its own steps (accept, withdraw, deposit the signed convention through a presigned
upload that intake checks) and its documents, owner only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from ami import bootstrap
from ami.adapters.s3 import ACTOR_FIELD
from ami.domain.models import Dossier, DossierStatus
from ami.domain.sequence import DepositCounter
from ami.services.idempotency import Idempotency
from ami.services.intake import Intake, Upload
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


class Sessions:
    def verify(self, id_token: str) -> dict[str, Any]:
        return CLAIMS


class Accounts:
    def has_mfa(self, username: str) -> bool:
        return True


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
    deposits: Any

    def get(self, path: str) -> Any:
        accept = "application/pdf" if "/documents/" in path else "text/html"  # chalice's test client asks it
        return self.client.http.get(path, headers={**COOKIES, "accept": accept})

    def post(self, path: str, **fields: str) -> Any:
        return self.client.http.post(path, body=urlencode({"csrf_token": CSRF, **fields}),
                                     headers={**COOKIES, "content-type": "application/x-www-form-urlencoded"})

    def deposit(self, data: bytes, actor: str) -> None:
        """What the browser does with the presigned POST, then intake on the bucket's notification."""
        from fakes import InMemoryPersistenceLayer, InMemoryPublisher

        key = f"bailleurs/{SIREN}/{self.d.dossier_id}/convention_signee.pdf"
        version = self.deposits.put(key, data, uploader=actor)
        layer = InMemoryPersistenceLayer()
        intake = Intake(self.deposits, self.store, InMemoryPublisher(), Idempotency(lambda: layer),
                        lambda: self.now[0], conventions=core.services().lifecycle)
        intake.process(Upload(bucket="depots", key=key, version_id=version, size=len(data), event_time=self.now[0]))

    def status(self) -> DossierStatus:
        got = self.store.get_dossier(self.d.dossier_id)
        assert got is not None
        return got.status  # type: ignore[no-any-return]

    def step(self, action: str, **fields: str) -> Any:
        as_instructor()
        return self.post(f"/instruction/dossiers/{self.d.dossier_id}/actions/{action}", **fields)


@pytest.fixture
def web() -> Iterator[Web]:
    from fakes import InMemoryDeposits, InMemoryStore

    store = InMemoryStore()
    d = Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, form=complete_form("bati", Decimal("1000000")),
                created_at=AT, updated_at=AT, status=S.EN_INSTRUCTION, deposit_number=1)
    store.t.dossiers[d.dossier_id] = d
    store.t.counter = DepositCounter(number=1, principal=d.loan_total)
    now = [AT]
    deposits = InMemoryDeposits()
    container = bootstrap.build(Settings(), store=store, sessions=Sessions(), accounts=Accounts(), clock=lambda: now[0],
                                deposits=deposits)
    container.__dict__["lifecycle"] = Lifecycle(store, deposits, lambda: now[0], Decimal("600000000"),
                                                bdt_email="bdt@example.fr")
    previous = core.configure(container)
    try:
        yield Web(Client(app), store, d, now, deposits)
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


def test_the_signed_convention_is_uploaded_like_a_piece_and_checked_by_intake(web: Web) -> None:
    from infra.pdfgen import hostile
    from infra.pdfgen.scan import signed_scan

    advance_to_proposition(web)
    as_bailleur()
    web.post(f"/dossiers/{web.d.dossier_id}/suivi/accepter")
    web.step("confirmer_ca", **{"seance.libelle": "CA du 12 mai", "seance.le": "2026-04-27"},
             justification="Engagement confirmé.")
    as_bailleur(OTHER)
    base = f"/dossiers/{web.d.dossier_id}"
    assert web.get(f"{base}/suivi/deposer_convention").status_code == 404  # another bailleur's: none
    as_bailleur()
    early = web.get(f"{base}/suivi/deposer_convention")  # the convention is not sent yet
    assert early.status_code == 409 and "confirmé par le CA" in early.body.decode()
    assert web.step("envoyer_convention").status_code == 303
    as_bailleur()
    step = web.get(f"{base}/suivi/deposer_convention").body.decode()
    # The presigned POST of its one key, carrying the bailleur who asked; the limit of a dossier de présentation.
    assert 'class="depot"' in step and 'action="memoire://depots"' in step
    assert f'name="{ACTOR_FIELD}" value="bailleur:{SIREN}:b"' in step
    assert "25\u00a0Mo au plus" in step and "180" not in step
    assert f'data-suite="{base}/convention/recu?avant=0"' in step
    form = web.client.http.post(f"{base}/convention/formulaire", headers={**COOKIES, "x-csrf-token": CSRF})
    assert form.status_code == 200 and '"max_bytes": 26214400' in form.body.decode()
    forged = web.client.http.post(f"{base}/convention/formulaire", headers={**COOKIES, "x-csrf-token": "x" * 43})
    assert forged.status_code == 403
    waiting = web.get(f"{base}/convention/recu?avant=0")
    assert waiting.status_code == 200 and "en cours de vérification" in waiting.body.decode()
    # A refused file: the dossier waits, the pages say why in French and offer another deposit.
    web.deposit(hostile.not_a_pdf(), f"bailleur:{SIREN}:b")
    assert web.status() == S.CONVENTION_ENVOYEE
    back = web.get(f"{base}/convention/recu?avant=0")
    assert back.status_code == 303 and back.headers["Location"].endswith(f"{base}/suivi/deposer_convention")
    again = web.get(f"{base}/suivi/deposer_convention").body.decode()
    assert "Convention refusée" in again and "n&#39;est pas un PDF" in again and "avant=1" in again
    assert "a été refusée" in web.get(base).body.decode()
    # A good scan of several pages: the step is taken, the document downloadable as deposited.
    scan = signed_scan(pages=2, side_px=500)
    web.deposit(scan, f"bailleur:{SIREN}:b")
    assert web.status() == S.CONVENTION_SIGNEE
    done = web.get(f"{base}/convention/recu?avant=1")
    assert done.status_code == 303 and done.headers["Location"].endswith("?note=deposer_convention")
    signed = web.get(f"{base}/documents/convention_signee")
    assert signed.status_code == 200 and signed.body == scan
    assert web.get(f"{base}/suivi/deposer_convention").status_code == 409  # nothing more to deposit
