"""What the functions log at DEBUG holds no personal data (docs/rgpd.md): a registration, a dossier, its
pieces and its envoi through a local stack of its own at DEBUG level, every line of output searched for
what the bailleur typed: its contact's address, the password, the names, the addresses, the amounts.

A stack of its own, in a fresh interpreter: the handlers' loggers take their level at import, and the
session's stack runs at WARNING."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import PRISTINE_ENV

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

TYPED = {
    "email": "marie-helene.quesnel@habitat-quesnel.example",
    "password": "Quesnel-Secret-2026!",
    "raison_sociale": "Habitat Marie-Hélène Quesnel",
    "adresse": "7 impasse des Capucines, 69005 Lyon",
    "operation": "Résidence Gaspard Pélissier",
    "adresse_operation": "19 rue Victor-Lagrange, 69007 Lyon",
    "montant_foncier": "1387654",
    "montant_bati": "7263519",
    "loyer": "36938.11",
    "surface": "2617.45",
}

FLOW = r"""
import json, sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from ami.domain.models import Loan, Operation
from infra import pdfgen
from infra.client import AmiClient, login, register
from infra.local import LocalRuntime
from infra.sirene_fixture import sirene_fixture

t = json.loads(sys.argv[2])
with LocalRuntime(serve_api=True, state_dir=Path(sys.argv[1]), log_level="DEBUG", log=print) as rt:
    siren = next(iter(sirene_fixture().eligible("sa_hlm"))).siren
    register(rt.api_url, rt.emulation.endpoint, {
        "raison_sociale": t["raison_sociale"], "siren": siren, "forme_juridique": "sa_hlm",
        "adresse": t["adresse"], "email_contact": t["email"], "mot_de_passe": t["password"]})
    token = login(rt.emulation.endpoint, rt.stack.user_pool_client_id, t["email"], t["password"])
    client = AmiClient(rt.api_url, token)
    utile = Decimal(t["surface"])
    operation = {"nom": t["operation"], "commune_insee": "69123", "adresse": t["adresse_operation"],
                 "logements": {"t2": 18, "t3": 16, "t4": 6}, "surface_habitable_m2": str(utile - 100),
                 "surface_utile_m2": t["surface"], "loyer_mensuel_total_eur": t["loyer"],
                 "date_debut_travaux": "2027-03-01"}
    prets = [{"kind": "foncier", "produit": "PLI", "montant_eur": t["montant_foncier"], "duree_mois": 600,
              "marge_pct": "0.60"},
             {"kind": "bati", "produit": "PLI", "montant_eur": t["montant_bati"], "duree_mois": 480,
              "marge_pct": "0.60"}]
    dossier_id = client.call("POST", "/dossiers", {"operation": operation, "prets": prets})["dossier_id"]
    client.upload(dossier_id, "lettre_offre", pdfgen.lettre_offre(
        raison_sociale=t["raison_sociale"], siren=siren, operation=t["operation"], commune="Lyon",
        loans=[Loan.model_validate(p) for p in prets], reference="BDT-LLI-2026-00042",
        date_lettre=date(2026, 10, 1), region="Auvergne-Rhône-Alpes"), "lettre_offre.pdf")
    client.upload(dossier_id, "dossier_presentation", pdfgen.dossier_presentation(
        operation=Operation.model_validate(operation), commune_nom="Lyon", zone="A",
        raison_sociale=t["raison_sociale"], pages=3), "dossier_presentation.pdf")
    rt.dispatcher.drain(timeout=60)
    client.send(dossier_id)
    rt.dispatcher.drain(timeout=60)
    print("RESULT " + json.dumps(client.call("GET", f"/dossiers/{dossier_id}")["dossier"]["status"]))
"""


def forbidden(typed: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """Each typed value, and the forms a log could give it: an address's local part, each name alone,
    an amount with French or English separators."""
    patterns = {k: re.escape(v) for k, v in typed.items()}
    patterns["email_local"] = re.escape(typed["email"].split("@")[0])
    for word in ("Quesnel", "Pélissier", "Capucines", "Victor-Lagrange"):
        patterns[word] = re.escape(word)
    for key in ("montant_foncier", "montant_bati"):
        digits = typed[key]
        grouped = f"{int(digits):,}"
        forms = (digits, grouped, *(grouped.replace(",", sep) for sep in (" ", "\u202f", "\u00a0", "\\u202f")))
        patterns[key] = "|".join(re.escape(v) for v in forms)
    patterns["loyer"] = re.escape(typed["loyer"]) + "|" + re.escape(typed["loyer"].replace(".", ","))
    return {k: re.compile(p, re.IGNORECASE) for k, p in patterns.items()}


def test_debug_logs_of_a_deposit_hold_no_personal_data(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", FLOW, str(tmp_path / "state"), json.dumps(TYPED)], cwd=ROOT,
                          env=PRISTINE_ENV, capture_output=True, text=True, timeout=240)
    output = done.stdout + done.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'RESULT "complet"' in done.stdout or 'RESULT "envoye"' in done.stdout, done.stdout[-2000:]
    logged = [line for line in output.splitlines() if not line.startswith("RESULT ")]
    levels = {json.loads(line).get("level") for line in logged if line.startswith("{")}
    assert "DEBUG" in levels and "INFO" in levels, levels  # the functions did log, at DEBUG
    leaks = {name: [line[:300] for line in logged if pattern.search(line)][:3]
             for name, pattern in forbidden(TYPED).items()}
    assert {k: v for k, v in leaks.items() if v} == {}
