"""Instructor routes of the score, the envelope and the CCN registre; the bailleur never sees a score."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from ami.domain.models import DossierStatus
from ami.domain.scoring import score_dossier
from ami.domain.sequence import DepositCounter, ToNumber
from api import app as api
from chalice.test import Client
from openpyxl import load_workbook
from test_api_moto import BAILLEUR_A, ENV, FORM, INSTRUCTEUR, aws, call, client, new_dossier, register  # noqa: F401
from unit.scoring_data import referentiels

pytestmark = pytest.mark.filterwarnings("ignore:CognitoUserPoolAuthorizer is not a supported:UserWarning")


def numbered_and_scored(client: Client, aws: dict[str, Any]) -> list[str]:  # noqa: F811
    register(client)
    ids = [new_dossier(client), new_dossier(client)]
    for dossier_id in ids:
        assert call(client, "POST", f"/dossiers/{dossier_id}/envoi", h=BAILLEUR_A).status_code == 202
    store = api.services().store
    for number, pending in enumerate(store.pending_envois(), start=1):
        d = store.get_dossier(pending.dossier_id)
        assert d is not None
        before = store.counter()
        after = DepositCounter(number, before.principal + d.loan_total, False)
        (d,) = store.conclude_numbered_batch(before, after, [ToNumber(pending, d, DossierStatus.COMPLET, [])])
        store.save_score(d, score_dossier(d, {}, referentiels(insee="75056")), [])
    return [p for p in ids]


def test_the_bailleur_never_sees_the_score(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    first, _ = numbered_and_scored(client, aws)
    listed = call(client, "GET", "/dossiers", h=BAILLEUR_A).json_body
    assert listed and all(d["scoring"] is None for d in listed)
    detail = call(client, "GET", f"/dossiers/{first}", h=BAILLEUR_A).json_body
    assert detail["dossier"]["scoring"] is None and detail["pieces"] == []
    seen = call(client, "GET", f"/instruction/dossiers/{first}", h=INSTRUCTEUR).json_body
    assert seen["dossier"]["scoring"]["statut"] == "calcule"
    assert seen["dossier"]["scoring"]["config_version"] == "2026.1"


def test_override_is_audited_and_keeps_the_original(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    first, _ = numbered_and_scored(client, aws)
    # a criterion these dossiers have computed points for (the zonage): the original stays beside the override
    path = f"/instruction/dossiers/{first}/score/tension_marche"
    body = {"points": "5", "justification": "Loyers revus par avenant du 12 mars."}
    assert call(client, "PUT", path, body, BAILLEUR_A).status_code == 403
    short = call(client, "PUT", path, {"points": "5", "justification": "non"}, INSTRUCTEUR)
    assert short.status_code == 422
    unknown = call(client, "PUT", f"/instruction/dossiers/{first}/score/beaute", body, INSTRUCTEUR)
    assert unknown.status_code == 404 and unknown.json_body["code"] == "critere_inconnu"
    too_many = call(client, "PUT", path, {**body, "points": "25"}, INSTRUCTEUR)
    assert too_many.status_code == 422 and too_many.json_body["code"] == "points_invalides"

    r = call(client, "PUT", path, body, INSTRUCTEUR)
    assert r.status_code == 200, r.body
    s = r.json_body["scoring"]
    crit = next(c for c in s["criteres"] if c["code"] == "tension_marche")
    assert crit["points"] == "20.00"  # Paris, zone A bis
    assert s["surcharges"]["tension_marche"]["points"] == "5.00"
    assert s["surcharges"]["tension_marche"]["points_origine"] == crit["points"]
    assert s["surcharges"]["tension_marche"]["par"] == "instructeur:instructeur@actionlogement.fr"
    assert Decimal(s["total_retenu"]) == Decimal(s["total"]) - Decimal(crit["points"]) + 5
    entries = [e for e in api.services().store.audit_entries() if e.action == "surcharge_score"]
    assert len(entries) == 1 and entries[0].reason == body["justification"]
    assert entries[0].details["critere"] == "tension_marche" and entries[0].details["points"] == "5.00"
    history = call(client, "GET", f"/dossiers/{first}/historique", h=BAILLEUR_A).json_body
    assert "surcharge_score" not in [h["action"] for h in history]


def test_envelope_route(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    numbered_and_scored(client, aws)
    assert call(client, "GET", "/instruction/enveloppe", h=BAILLEUR_A).status_code == 403
    r = call(client, "GET", "/instruction/enveloppe", h=INSTRUCTEUR)
    assert r.status_code == 200, r.body
    env = r.json_body
    assert env["montant_eur"] == "600000000" and env["principal_numerotes_eur"] == "7000000.20"
    assert env["restant_eur"] == "592999999.80" == env["disponible_eur"] and env["note"] is None
    assert env["reserve_eur"] == "7000000.20" and env["engage_eur"] == env["garanti_eur"] == "0"
    assert [z["cle"] for z in env["par_zone"] if z["dossiers_numerotes"]] == ["Abis"]
    assert env["par_region"][0]["cle"] == "Île-de-France"


def test_registre_route_returns_a_short_lived_link(client: Client, aws: dict[str, Any]) -> None:  # noqa: F811
    numbered_and_scored(client, aws)
    for bad in ("", "?ccn=31/03/2025", "?ccn=2025-02-30"):
        r = call(client, "GET", f"/instruction/registre{bad}", h=INSTRUCTEUR)
        assert r.status_code == 422 and r.json_body["code"] == "date_ccn_invalide", bad
    r = call(client, "GET", "/instruction/registre?ccn=2099-12-31", h=INSTRUCTEUR)
    assert r.status_code == 200, r.body
    out = r.json_body
    assert out["dossiers"] == 2 and out["key"].startswith("registres/2099-12-31/") and out["key"].endswith(".xlsx")
    assert (out["url"].startswith("https://") and "Expires=" in out["url"]) or "X-Amz-Expires=300" in out["url"]
    data = aws["s3"].get_object(Bucket=ENV["DEPOSITS_BUCKET"], Key=out["key"])["Body"].read()
    ws = load_workbook(io.BytesIO(data))["Dossiers"]
    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [1, 2]
    assert call(client, "GET", "/instruction/registre?ccn=2099-12-31", h=BAILLEUR_A).status_code == 403


def test_cli_referentiel_enveloppe_and_registre(client: Client, aws: dict[str, Any], tmp_path: Any,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from infra.cli import app as cli

    numbered_and_scored(client, aws)
    monkeypatch.chdir(tmp_path)  # no local stack state here: the commands use the environment (moto)
    runner = CliRunner()
    bad = tmp_path / "dynamisme_economique.csv"
    bad.write_bytes(b"code_insee;valeur\n75056;0,8\n75056;1\n")
    r = runner.invoke(cli, ["referentiel", "import", str(bad)])
    assert r.exit_code == 1 and "Ligne 3" in r.output and "en double" in r.output
    good = tmp_path / "saturation.csv"
    good.write_bytes(b"code_insee;valeur\n75056;3,5\n")
    r = runner.invoke(cli, ["referentiel", "import", str(good), "--nom", "saturation_demande_li",
                            "--source", "test"])
    assert r.exit_code == 0, r.output
    assert "saturation_demande_li v1 importé" in r.output
    r = runner.invoke(cli, ["referentiel", "import", str(good), "--nom", "saturation_demande_li"])
    assert r.exit_code == 0 and "aucune nouvelle version" in r.output

    r = runner.invoke(cli, ["enveloppe"])
    assert r.exit_code == 0, r.output
    assert "Île-de-France" in r.output and "7\u00a0000\u00a0000,20\u00a0€" in r.output

    r = runner.invoke(cli, ["registre", "--ccn", "2099-12-31", "-o", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    assert [row[0] for row in load_workbook(tmp_path / "r.xlsx")["Dossiers"].iter_rows(min_row=2, values_only=True)] \
        == [1, 2]
    assert runner.invoke(cli, ["registre", "--ccn", "31/12/2099"]).exit_code == 2


def test_cli_scores_again_after_an_import_and_keeps_the_overrides(
    client: Client, aws: dict[str, Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from typer.testing import CliRunner

    from infra.cli import app as cli

    first, second = numbered_and_scored(client, aws)
    body = {"points": "5", "justification": "Loyers revus par avenant du 12 mars."}
    overridden = call(client, "PUT", f"/instruction/dossiers/{first}/score/niveau_loyer", body, INSTRUCTEUR)
    assert overridden.status_code == 200
    monkeypatch.chdir(tmp_path)  # no local stack state here: the commands use the environment (moto)
    runner = CliRunner()
    csv = tmp_path / "saturation.csv"
    csv.write_bytes(b"code_insee;valeur\n75056;3,5\n")
    assert runner.invoke(cli, ["referentiel", "import", str(csv), "--nom", "saturation_demande_li"]).exit_code == 0

    r = runner.invoke(cli, ["score", "recalculer"])
    assert r.exit_code == 0, r.output
    assert "2 scores recalculés, 0 inchangé." in r.output
    d = api.services().store.get_dossier(first)
    assert d is not None and d.scoring is not None
    assert d.scoring.referentiels == {
        "dynamisme_economique": "absent",
        "saturation_demande_li": "saturation_demande_li v1",
    }
    assert d.scoring.surcharges["niveau_loyer"].points == Decimal("5.00")  # the instructor's decision stands
    assert [h.action for h in api.services().store.history(first)][-2:] == ["surcharge_score", "recalcul_score"]
    seen_by_bailleur = call(client, "GET", f"/dossiers/{first}/historique", h=BAILLEUR_A).json_body
    assert "recalcul_score" not in [h["action"] for h in seen_by_bailleur]

    again = runner.invoke(cli, ["score", "recalculer", "--dossier", second])
    assert again.exit_code == 0 and "0 score recalculé, 1 inchangé." in again.output
    assert [h.action for h in api.services().store.history(second)].count("recalcul_score") == 1
    unknown = runner.invoke(cli, ["score", "recalculer", "--dossier", "inconnu"])
    assert unknown.exit_code == 2 and "introuvable" in unknown.output
