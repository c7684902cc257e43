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


@pytest.fixture
def plateforme() -> Iterator[tuple[Client, bootstrap.Container]]:
    container = bootstrap.build(Settings(), clock=lambda: at(2024, 9, 30, 23, 59))
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
