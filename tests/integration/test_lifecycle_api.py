"""The lifecycle on the local stack, through the API: one dossier from its number to the acte sent to the
Banque des Territoires (every step by the signed-in instructor or bailleur, each audited, emailed once, the
envelope moving from réservé to engagé to garanti), and a proposition expired by the scheduled function
(its envelope released), with the CLI driving the instructor's side. The signed convention goes the pieces'
way: a presigned POST straight to the bucket, intake's verdict on its notification (a refused file first, then a
scan of several megabytes accepted)."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from decimal import Decimal
from typing import Any

import boto3
import pytest
import requests
from ami.domain.audit import verify_log
from support import PASSWORD

INSTRUCTOR_EMAIL = "instruction.cycle@actionlogement.fr"


def _numbered(ami: Any, register_bailleur: Any, upload_good_pieces: Any, settle: Any) -> tuple[Any, str]:
    bailleur = register_bailleur()
    dossier_id = ami.new_dossier(bailleur)
    upload_good_pieces(bailleur, dossier_id)
    settle()
    bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
    settle()
    return bailleur, dossier_id


def _take(ami: Any, instructor: Any, dossier_id: str) -> None:
    """Take dossiers from the work list in number order until ours is taken into instruction."""
    for _ in range(200):
        t = instructor.call("POST", "/instruction/travail/suivant")["element"]
        assert t is not None, "our dossier was not handed out"
        instructor.call("POST", f"/instruction/travail/{t['dossier_id']}/prise")
        if t["dossier_id"] == dossier_id:
            return
    raise AssertionError("work list too long")


def _envelope(instructor: Any) -> dict[str, Decimal]:
    env = instructor.call("GET", "/instruction/enveloppe")
    return {k: Decimal(str(env[k])) for k in ("reserve_eur", "engage_eur", "garanti_eur", "disponible_eur",
                                              "montant_eur")}


def _raw_emails(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return list(data.get("ses", {}).get("RawMessage", []))


@pytest.mark.timeout(600)
def test_one_dossier_from_its_number_to_the_acte_through_the_api(ami, register_bailleur, upload_good_pieces,
                                                                  settle) -> None:
    instructor = ami.instructor(INSTRUCTOR_EMAIL)
    bailleur, dossier_id = _numbered(ami, register_bailleur, upload_good_pieces, settle)
    start = _envelope(instructor)
    _take(ami, instructor, dossier_id)
    base = f"/instruction/dossiers/{dossier_id}"

    refused = instructor.call("POST", f"{base}/etapes/accepter", {}, expect=(403,))
    assert "faite par le bailleur" in refused["message"]
    early = instructor.call("POST", f"{base}/etapes/confirmer_ca", {"justification": "Conforme.",
                            "seance": {"libelle": "CA", "le": "2026-05-20"}}, expect=(409,))
    assert early["code"] == "transition_impossible" and "en instruction" in early["message"]

    instructor.call("POST", f"{base}/fiben", {"cote": "3+", "date_cotation": "2026-03-31"})
    instructor.call("POST", f"{base}/etapes/presenter_ccn", {"seance": {"libelle": "CCN n° 7", "le": "2026-05-05"}})
    no_reason = instructor.call("POST", f"{base}/etapes/avis_favorable", {}, expect=(422,))
    assert no_reason["code"] == "justification_requise"
    instructor.call("POST", f"{base}/etapes/avis_favorable", {"justification": "Opération conforme au cahier."})
    out = instructor.call("POST", f"{base}/etapes/proposer_tarification", {"qualite": "standard"})
    p = out["suivi"]["proposition"]
    assert out["status"] == "tarification_proposée" and out["actions_possibles"] == ["classer_sans_suite"]
    assert [(x["kind"], x["duree_mois"], x["differe_mois"], x["cote_fiben"]) for x in p["lignes"]] == [
        ("foncier", 600, 0, "3+"), ("bati", 480, 0, "3+")]
    assert Decimal(p["prime_eur"]) == sum(Decimal(x["prime_eur"]) for x in p["lignes"]) > 0

    link = bailleur.call("GET", f"/dossiers/{dossier_id}/documents/proposition")
    pdf = requests.get(link["url"], timeout=10).content
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == link["sha256"]

    accepted = bailleur.call("POST", f"/dossiers/{dossier_id}/etapes/accepter", {})
    assert accepted["status"] == "acceptée"
    instructor.call("POST", f"{base}/etapes/confirmer_ca", {"justification": "Engagement confirmé.",
                    "seance": {"libelle": "CA du 20 mai 2026", "le": "2026-05-20"}})
    engaged = _envelope(instructor)
    loans = Decimal("8750000")  # 1 450 000 + 7 300 000 (Harness.complete_dossier_form)
    assert engaged["engage_eur"] - start["engage_eur"] == loans
    assert engaged["reserve_eur"] == start["reserve_eur"] - loans

    instructor.call("POST", f"{base}/etapes/envoyer_convention", {})
    convention = requests.get(bailleur.call("GET", f"/dossiers/{dossier_id}/documents/convention")["url"],
                              timeout=10).content
    assert convention.startswith(b"%PDF")
    _deposit_the_signed_convention(ami, bailleur, register_bailleur, dossier_id, settle)
    instructor.call("POST", f"{base}/etapes/appeler_prime", {})
    instructor.call("POST", f"{base}/etapes/regler_prime", {"paiement": {
        "montant_eur": p["prime_eur"], "regle_le": "2026-05-28", "reference": "VIR-ESSAI-1"}})
    done = instructor.call("POST", f"{base}/etapes/transmettre_acte", {})
    assert done["status"] == "acte_transmis" and done["actions_possibles"] == []
    assert set(done["suivi"]["documents"]) == {"proposition", "convention", "convention_signee", "attestation_prime",
                                               "acte"}
    end = _envelope(instructor)
    assert end["garanti_eur"] - start["garanti_eur"] == loans
    assert end["reserve_eur"] + end["engage_eur"] + end["garanti_eur"] + end["disponible_eur"] == end["montant_eur"]

    app = ami.runtime.functions.app
    history = [(h.action, h.actor) for h in app.audit_log.history(dossier_id)]
    assert ("accepter", f"bailleur:{bailleur.siren}") in [(a, actor.rsplit(":", 1)[0]) for a, actor in history]
    assert ("transmettre_acte", f"instructeur:{INSTRUCTOR_EMAIL}") in history
    assert verify_log(app.audit_log.audit_entries()) == []

    ami.runtime.dispatcher.run_schedule("SweepFunction")  # the sweep relays the outbox (within a minute in AWS)
    settle()
    subjects = [e.subject for e in ami.emails_to(bailleur.email)]
    for step in ("proposition de tarification émise", "convention de cautionnement envoyée",
                 "convention de cautionnement signée reçue",
                 "acte de cautionnement transmis à la Banque des Territoires"):
        assert sum(step in s for s in subjects) == 1, (step, subjects)
    raw = [m for m in _raw_emails(ami.runtime.emulation.endpoint) if bailleur.raison_sociale in str(m)]
    assert len(raw) == 1  # the acte, to the Banque des Territoires, with its three documents attached
    assert str(raw[0]).count("application/pdf") >= 3


def _deposit_the_signed_convention(ami: Any, bailleur: Any, register_bailleur: Any, dossier_id: str,
                                   settle: Any) -> None:
    from infra.pdfgen.scan import signed_scan

    def deposit(data: bytes) -> dict[str, Any]:
        form = bailleur.call("POST", f"/dossiers/{dossier_id}/convention/formulaire")
        assert form["key"].endswith(f"/{dossier_id}/convention_signee.pdf") and form["max_bytes"] == 25 * 1024 * 1024
        sent = requests.post(form["url"], data=form["fields"],
                             files={"file": ("convention-signee.pdf", data, "application/pdf")}, timeout=60)
        assert sent.status_code < 300, sent.text[:300]
        settle()
        return dict(bailleur.call("GET", f"/dossiers/{dossier_id}")["dossier"])

    direct = bailleur.call("POST", f"/dossiers/{dossier_id}/etapes/deposer_convention", {}, expect=(422,))
    assert direct["code"] == "depot_par_fichier"
    other = register_bailleur()
    other.call("POST", f"/dossiers/{dossier_id}/convention/formulaire", expect=(404,))

    refused = deposit(b"GIF89a pas un PDF")
    verdict = refused["suivi"]["conventions_deposees"][-1]
    assert not verdict["accepted"] and verdict["reason_code"] == "pas_un_pdf"
    assert "la convention signée" in verdict["message"]

    scan = signed_scan()  # four scanned pages, several megabytes: far over the former 180 Kio
    assert len(scan) > 2 * 1024 * 1024
    signed = deposit(scan)
    assert signed["status"] == "convention_signée"
    ref = signed["suivi"]["documents"]["convention_signee"]
    assert ref["sha256"] == hashlib.sha256(scan).hexdigest() and ref["size"] == len(scan)
    link = bailleur.call("GET", f"/dossiers/{dossier_id}/documents/convention_signee")
    assert requests.get(link["url"], timeout=30).content == scan
    late = bailleur.call("POST", f"/dossiers/{dossier_id}/convention/formulaire", expect=(409,))
    assert late["code"] == "transition_impossible"
    app = ami.runtime.functions.app
    steps = [(h.action, h.actor) for h in app.audit_log.history(dossier_id)
             if h.action in ("convention_refusee", "deposer_convention")]
    assert [a for a, _ in steps] == ["convention_refusee", "deposer_convention"]
    assert all(actor.startswith(f"bailleur:{bailleur.siren}:") for _, actor in steps)
    assert verify_log(app.audit_log.audit_entries()) == []


@pytest.mark.timeout(600)
def test_the_scheduled_function_expires_a_due_proposition_and_releases_its_envelope(
        ami, register_bailleur, upload_good_pieces, settle, tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from infra.cli import _write_state
    from infra.cli import app as cli
    from infra.ops import add_instructor

    email = "instruction.cli@actionlogement.fr"
    secret = add_instructor(ami.runtime.stack, email, PASSWORD)
    bailleur, dossier_id = _numbered(ami, register_bailleur, upload_good_pieces, settle)
    api = ami.instructor(INSTRUCTOR_EMAIL)
    _take(ami, api, dossier_id)

    monkeypatch.chdir(tmp_path)
    _write_state(ami.runtime)
    env = {"AMI_EMAIL": email, "AMI_MOT_DE_PASSE": PASSWORD, "AMI_TOTP_SECRET": secret}
    runner = CliRunner()

    def cli_step(*args: str) -> Any:
        return runner.invoke(cli, ["instruction", *args], env=env)

    assert cli_step("fiben", dossier_id, "--cote", "2", "--date", "2026-04-01").exit_code == 0
    wrong = cli_step("etape", dossier_id, "accepter")
    assert wrong.exit_code == 1 and "faite par le bailleur" in wrong.output
    assert cli_step("etape", dossier_id, "presenter_ccn", "--seance", "CCN n° 8", "--date", "2026-05-05").exit_code == 0
    assert cli_step("etape", dossier_id, "avis_favorable", "--motif", "Conforme.").exit_code == 0
    shown = cli_step("etape", dossier_id, "proposer_tarification", "--qualite", "elevee")
    assert shown.exit_code == 0 and "Prime totale" in shown.output and "Grille tarifaire provisoire" in shown.output
    link = cli_step("document", dossier_id, "proposition")
    assert link.exit_code == 0 and "SHA-256" in link.output
    before = _envelope(api)

    # The proposition falls due: its validity ends now (as 10 jours ouvrés later would), then the schedule runs.
    table = boto3.session.Session().resource("dynamodb", endpoint_url=ami.runtime.emulation.endpoint,
                                             region_name="eu-west-3").Table(ami.runtime.stack.physical["DossiersTable"])
    item = table.get_item(Key={"pk": f"DOSSIER#{dossier_id}", "sk": "DOSSIER"})["Item"]
    doc = json.loads(str(item["doc"]))
    doc["suivi"]["proposition"]["expire_le"] = "2020-01-01T00:00:00Z"
    table.update_item(Key={"pk": f"DOSSIER#{dossier_id}", "sk": "DOSSIER"}, UpdateExpression="SET doc = :d",
                      ExpressionAttributeValues={":d": json.dumps(doc)})
    late = bailleur.call("POST", f"/dossiers/{dossier_id}/etapes/accepter", {}, expect=(409,))
    assert late["code"] == "proposition_expiree"
    ami.runtime.dispatcher.run_schedule("ExpiryFunction")
    settle()
    after = _envelope(api)
    row = {r["dossier_id"]: r for r in api.call("GET", "/instruction/dossiers")}[dossier_id]
    assert row["status"] == "expirée"
    assert before["reserve_eur"] - after["reserve_eur"] == Decimal("8750000")
    assert after["disponible_eur"] - before["disponible_eur"] == Decimal("8750000")
    last = ami.runtime.functions.app.audit_log.history(dossier_id)[-1]
    assert (last.action, last.actor, last.to_status) == ("expirer", "systeme:echeance", "expirée")
    ami.runtime.dispatcher.run_schedule("ExpiryFunction")  # again: nothing expires twice, nothing released twice
    assert _envelope(api) == after
    expired = [e for e in ami.emails_to(bailleur.email) if "proposition de tarification expirée" in e.subject]
    assert len(expired) == 1 and "10 jours ouvrés" in expired[0].text
    assert os.path.exists(tmp_path / ".ami-local" / "stack.json")
    verified = runner.invoke(cli, ["audit", "verify"])  # the whole log, the lifecycle's entries included
    assert verified.exit_code == 0, verified.output
