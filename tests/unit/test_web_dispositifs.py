"""The plateforme lists the dispositifs open at the service's clock, each with its library, and serves the
DROM's tableau de programmation generated from the template (a workbook intake accepts as it is)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from ami import bootstrap
from ami.domain.dispositif import dispositif
from ami.domain.programmation import ROWS_TAB, SYNTHESIS_TAB, examine
from ami.settings import Settings
from chalice.test import Client
from web import core
from web.app import app

PARIS = ZoneInfo("Europe/Paris")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)  # type: ignore[arg-type,misc]


class Sessions:
    """Any token is the bailleur SIREN 552100554's session."""

    def verify(self, id_token: str) -> dict[str, object]:
        return {"sub": "u-1", "email": "programmation@shlmr.example", "custom:siren": SIREN,
                "cognito:groups": ["bailleurs"]}


class Uploads:
    def upload_form(self, siren: str, dossier_id: str, piece: str, redirect: str | None = None) -> object:
        from types import SimpleNamespace

        return SimpleNamespace(url="https://depots.example/", fields={"key": f"{siren}/{dossier_id}/{piece}"})


SIREN = "552100554"


@pytest.fixture
def plateforme() -> Iterator[tuple[Client, bootstrap.Container]]:
    from ami.domain.models import Bailleur
    from fakes import InMemoryStore

    store = InMemoryStore()
    store.register_bailleur(Bailleur(raison_sociale="SHLMR", siren=SIREN, forme_juridique="sa_hlm",
                                     adresse="1 rue A, 97400 Saint-Denis", email_contact="p@shlmr.example",
                                     registered_at=at(2024, 5, 2, 9, 0)))
    container = bootstrap.build(Settings(), clock=lambda: at(2024, 9, 30, 23, 59), store=store,
                                sessions=Sessions(), deposits=Uploads())
    previous = core.configure(container)
    try:
        yield Client(app), container
    finally:
        core.configure(previous)


def test_the_accueil_lists_each_open_dispositif_with_its_documents(plateforme: tuple[Client, object]) -> None:
    client, container = plateforme
    html = client.http.get("/").body.decode()
    assert "Dépôt de la programmation 2024 dans les DROM" in html
    assert "jusqu'au 30 septembre 2024 à 23 h 59 (heure de Paris)" in html
    assert 'href="/dispositifs/drom-2024/documents/tableau-programmation-drom-2024.xlsx"' in html
    assert 'href="/dispositifs/garantie-lli-bdt/documents/cahier-des-charges-ami-garantie-lli.txt"' in html
    assert "Barème des contreparties locatives : ce document n'est pas encore en ligne" in html
    container.clock = lambda: at(2024, 10, 1, 0, 0)  # type: ignore[attr-defined]
    html = client.http.get("/").body.decode()
    assert "DROM" not in html and "Dispositif ouvert au dépôt" in html


def test_the_tableau_de_programmation_is_generated_and_accepted_by_intake(plateforme: tuple[Client, object]) -> None:
    client, _ = plateforme
    r = client.http.get("/dispositifs/drom-2024/documents/tableau-programmation-drom-2024.xlsx",
                        headers={"accept": "*/*"})  # as a browser's navigation sends it
    assert r.status_code == 200
    assert r.headers["Content-Type"] == dispositif("drom-2024").pieces["tableau_programmation"].content_type
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.body))
    assert {ROWS_TAB, SYNTHESIS_TAB} <= set(wb.sheetnames)
    report = examine(r.body, dispositif("drom-2024").pieces["tableau_programmation"])
    assert report.rows == () and report.synthesis == ()  # the empty template, as served
    text = client.http.get("/dispositifs/drom-2024/documents/cahier-des-charges-ami-programmation-drom-2024.txt",
                           headers={"accept": "*/*"})
    assert text.status_code == 200 and "BIBLIOTHEQUE DE TELECHARGEMENT" in text.body.decode()


@pytest.mark.parametrize("path", ["/dispositifs/drom-2024/documents/absent.txt",
                                  "/dispositifs/inconnu/documents/cahier-des-charges-ami-garantie-lli.txt",
                                  "/dispositifs/drom-2024/documents/cahier-des-charges-ami-garantie-lli.txt"])
def test_a_document_of_no_dispositif_does_not_exist(plateforme: tuple[Client, object], path: str) -> None:
    client, _ = plateforme
    r = client.http.get(path)
    assert r.status_code == 404 and "Ce document n&#39;existe pas." in r.body.decode()


CSRF = "c" * 43
COOKIES = {"cookie": f"__Host-ami_session=jeton; __Host-ami_csrf={CSRF}"}


def post(client: Client, path: str, fields: dict[str, str]) -> object:
    from urllib.parse import urlencode

    body = urlencode({"csrf_token": CSRF, **fields})
    return client.http.post(path, body=body, headers={**COOKIES, "content-type": "application/x-www-form-urlencoded"})


def test_a_drom_dossier_is_created_and_filled_on_its_own_form(plateforme: tuple[Client, object]) -> None:
    client, container = plateforme
    board = client.http.get("/tableau-de-bord", headers=COOKIES).body.decode()
    assert 'name="dispositif" value="drom-2024"' in board and 'name="dispositif" value="garantie-lli-bdt"' in board
    created = post(client, "/dossiers", {"dispositif": "drom-2024"})
    assert created.status_code in (302, 303)  # type: ignore[attr-defined]
    path = created.headers["Location"]  # type: ignore[attr-defined]
    html = client.http.get(path, headers=COOKIES).body.decode()
    assert 'id="departement"' in html and 'name="synthese.LLS.logements"' in html
    assert "operation.nom" not in html and "Prêt foncier" not in html  # none of the LLI's fields
    assert "classeur Excel .xlsx sans macro" in html and 'accept="application/vnd.openxmlformats' in html
    bad = post(client, path, {"departement": "974", "synthese.LLS.operations": "3", "synthese.LLS.logements": ""})
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "Nombre de logements, LLS : à renseigner" in bad.body.decode()  # type: ignore[attr-defined]
    ok = post(client, path, {"departement": "974", "synthese.LLS.operations": "3", "synthese.LLS.logements": "42",
                             "synthese.LLS.montant_pret_eur": "4 200 000,50"})
    assert ok.status_code in (302, 303)  # type: ignore[attr-defined]
    store = container.store  # type: ignore[attr-defined]
    (d,) = [x for x in store.list_dossiers(SIREN) if x.dispositif == "drom-2024"]
    assert d.form.programmation.departement == "974"
    assert [(x.filiere, x.logements, str(x.montant_pret_eur)) for x in d.form.programmation.synthese] == [
        ("LLS", 42, "4200000.50")]
    page_now = client.http.get(path, headers=COOKIES).body.decode()
    assert "Programmation 974" in page_now and 'value="4 200 000,50"' in page_now
    second = post(client, "/dossiers", {"dispositif": "drom-2024"})
    other = second.headers["Location"]  # type: ignore[attr-defined]
    taken = post(client, other, {"departement": "974"})
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert "un seul dossier est admis par département" in taken.body.decode()  # type: ignore[attr-defined]
    envoi = client.http.get(f"{path}/envoi", headers=COOKIES).body.decode()
    assert "Envoyer la programmation du département 974" in envoi and "délégation régionale" in envoi
