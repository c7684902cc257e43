"""Dispositifs as data: each configuration validated, the deposit window on its boundary, the instructors'
scope, and the LLI guarantee unchanged by becoming one configuration among two."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from ami.domain.deposit_keys import parse_key, piece_key
from ami.domain.dispositif import LLI, Dispositif, dispositif, dispositifs, paris_text
from ami.domain.errors import Conflict
from ami.domain.models import Dossier
from pydantic import ValidationError

PARIS = ZoneInfo("Europe/Paris")
DROM = "drom-2024"


def raw(name: str) -> dict[str, object]:
    return tomllib.loads(resources.files("ami.domain").joinpath(name).read_text(encoding="utf-8"))


def test_both_dispositifs_are_loaded_and_versioned() -> None:
    assert set(dispositifs()) == {LLI, DROM}
    assert all(d.version >= 1 for d in dispositifs().values())
    assert dispositif() is dispositif(LLI)


def test_the_lli_keeps_its_rules() -> None:
    lli = dispositif(LLI)
    assert lli.piece_kinds == ("lettre_offre", "dossier_presentation")
    assert lli.ordre == "chronologique" and lli.cloture is None and lli.enveloppe == 600_000_000
    assert lli.pieces["lettre_offre"].content_type == "application/pdf"
    assert lli.sees("antilles-guyane", "971")  # national instructors: a delegation filter changes nothing


def test_the_drom_programmation_is_an_excel_workbook_without_numbering() -> None:
    drom = dispositif(DROM)
    assert drom.piece_kinds == ("tableau_programmation",)
    rules = drom.pieces["tableau_programmation"]
    assert rules.type == "xlsx" and rules.content_type.endswith("spreadsheetml.sheet")
    assert drom.ordre == "aucun" and drom.formulaire == "programmation_drom"
    assert drom.cloture == datetime(2024, 9, 30, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2024, 9, 30, 23, 59, 59, 999_000), True),
        (datetime(2024, 10, 1, 0, 0, 0, 0), False),
        (datetime(2024, 4, 28, 23, 59, 59, 999_000), False),
        (datetime(2024, 4, 29, 0, 0, 0, 0), True),
    ],
)
def test_the_deposit_window_on_its_boundaries(local: datetime, open_: bool) -> None:
    at = local.replace(tzinfo=PARIS).astimezone(UTC)
    drom = dispositif(DROM)
    if open_:
        drom.check_open(at)
        return
    with pytest.raises(Conflict) as refused:
        drom.check_open(at)
    if local.month == 10:
        assert refused.value.code == "depot_clos"
        assert refused.value.message == (
            "Le dépôt est clos : il était possible jusqu'au 30 septembre 2024 à 23 h 59 (heure de Paris). "
            "Ce dossier ne peut plus être envoyé.")
    else:
        assert refused.value.code == "depot_non_ouvert"
        assert "29 avril 2024 à 0 h 00" in refused.value.message


def test_the_lli_has_no_closing_date() -> None:
    dispositif(LLI).check_open(datetime(2031, 1, 1, tzinfo=UTC))


def test_paris_text_says_the_first_of_the_month_the_french_way() -> None:
    assert paris_text(datetime(2024, 11, 30, 23, 4, tzinfo=UTC)) == "1er décembre 2024 à 0 h 04"


def test_a_delegation_sees_only_its_departements() -> None:
    drom = dispositif(DROM)
    assert drom.sees("antilles-guyane", "972") and drom.sees("ocean-indien", "976")
    assert not drom.sees("antilles-guyane", "974")
    assert not drom.sees("ocean-indien", None)  # a dossier without département belongs to no delegation
    assert drom.sees(None, "974")  # national instructors


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"cloture": datetime(2024, 4, 1)}, "la clôture doit suivre l'ouverture"),
        ({"pieces": {"tableau_programmation": {"libelle": "x", "type": "pdf", "max_bytes": 1, "max_pages": 1}}},
         "est un fichier xlsx"),
        ({"pieces": {"tableau_programmation": {"libelle": "x", "type": "xlsx", "max_bytes": 1}}}, "max_sheets"),
        ({"pieces": {"rapport_annuel": {"libelle": "x", "type": "pdf", "max_bytes": 1, "max_pages": 1}}},
         "rapport_annuel"),
        ({"ordre": "alphabetique"}, "ordre"),
        ({"instructeurs": {"portee": "delegations", "delegations": [
            {"code": "a", "libelle": "A", "departements": ["971"]},
            {"code": "b", "libelle": "B", "departements": ["971"]}]}}, "deux délégations"),
        ({"format": 1}, "format"),
    ],
)
def test_an_invalid_configuration_is_refused_at_load(change: dict[str, object], fragment: str) -> None:
    data = {**raw("dispositif_drom_2024.toml"), **change}
    with pytest.raises(ValidationError) as refused:
        Dispositif.model_validate(data)
    assert fragment in str(refused.value)


def test_piece_keys_carry_the_file_type_of_the_piece() -> None:
    key = piece_key("123456782", "a" * 32, "tableau_programmation")
    assert key.endswith("/tableau_programmation.xlsx")
    parts = parse_key(key)
    assert parts is not None and parts.piece == "tableau_programmation"
    assert parse_key(key.replace(".xlsx", ".pdf")) is None
    assert parse_key(piece_key("123456782", "a" * 32, "lettre_offre")) is not None


def test_a_dossier_stored_before_dispositifs_belongs_to_the_lli() -> None:
    stored = {"dossier_id": "a" * 32, "siren": "123456782", "created_at": "2026-01-01T00:00:00Z",
              "updated_at": "2026-01-01T00:00:00Z"}
    assert Dossier.model_validate(stored).dispositif == LLI


# ---------------------------------------------------------------- the envoi against the deadline


def drom_draft(store: object) -> Dossier:
    from fakes import InMemoryStore

    assert isinstance(store, InMemoryStore)
    at = datetime(2024, 9, 1, tzinfo=UTC)
    d = Dossier(dossier_id="b" * 32, siren="552100554", dispositif=DROM, created_at=at, updated_at=at)
    store.create_dossier(d, "bailleur:test")
    return d


@pytest.mark.parametrize(
    ("local", "sent"),
    [(datetime(2024, 9, 30, 23, 59, 59, 999_000), True), (datetime(2024, 10, 1, 0, 0, 0, 0), False)],
)
def test_an_envoi_after_the_close_is_refused_and_records_nothing(local: datetime, sent: bool) -> None:
    from ami.domain.models import DossierStatus
    from ami.services import envoi
    from fakes import InMemoryStore

    from infra.samples import StubDeposits

    store = InMemoryStore()
    d = drom_draft(store)
    at = local.replace(tzinfo=PARIS).astimezone(UTC)
    if sent:
        out = envoi.send(store, store, StubDeposits(), d, "bailleur:test", clock=lambda: at)
        assert out.status == DossierStatus.ENVOYE and out.envoi is not None
        assert set(out.envoi.pieces) == {"tableau_programmation"}  # the dispositif's pieces, no PDF slot
        return
    with pytest.raises(Conflict) as refused:
        envoi.send(store, store, StubDeposits(), d, "bailleur:test", clock=lambda: at)
    assert refused.value.code == "depot_clos"
    assert store.pending_envois() == []
    current = store.get_dossier(d.dossier_id)
    assert current is not None and current.status == DossierStatus.BROUILLON


def test_an_instructors_delegations_come_from_their_groups_and_scope_the_drom_only() -> None:
    from ami.domain.dispositif import delegations_of, territoire, visible_to
    from ami.domain.models import DossierForm, DossierStatus, ProgrammationForm

    assert delegations_of(frozenset({"instructeurs", "delegation-ocean-indien"})) == {"ocean-indien"}
    assert delegations_of(frozenset({"instructeurs"})) == frozenset()
    at = datetime(2024, 9, 1, tzinfo=UTC)
    reunion = Dossier(dossier_id="c" * 32, siren="552100554", dispositif=DROM, created_at=at, updated_at=at,
                      form=DossierForm(programmation=ProgrammationForm(departement="974")),  # type: ignore[arg-type]
                      status=DossierStatus.ENVOYE)
    lli = Dossier(dossier_id="d" * 32, siren="552100554", created_at=at, updated_at=at, status=DossierStatus.COMPLET)
    assert visible_to(reunion, frozenset({"ocean-indien"})) and visible_to(reunion, frozenset())
    assert not visible_to(reunion, frozenset({"antilles-guyane"}))
    assert visible_to(lli, frozenset({"antilles-guyane"}))  # the LLI's instructors are national
    assert territoire(reunion) == "drom-2024#974" and territoire(lli) is None
    assert territoire(reunion.model_copy(update={"status": DossierStatus.BROUILLON})) is None
