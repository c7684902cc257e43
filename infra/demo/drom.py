"""The DROM part of `ami demo`: five programmations 2024 (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte)
deposited as Excel workbooks beside the LLI flow, played on the stack's clock moved to the evening of
30 September 2024 (Paris): one workbook refused for its macros, one whose reported synthesis differs from the
workbook (the bailleur sees the check before sending), one sent after the deadline (refused); then what the
delegations' instructors and the mailbox see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from infra.demo.scenario import DemoProgrammation, programmations

if TYPE_CHECKING:
    from infra.client import AmiClient
    from infra.local import LocalRuntime

DROM = "drom-2024"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARIS = ZoneInfo("Europe/Paris")
EVENING = datetime(2024, 9, 30, 23, 40, tzinfo=PARIS)  # the deposits, twenty minutes before the close
AFTER_CLOSE = datetime(2024, 10, 1, 0, 0, 5, tzinfo=PARIS)


def form_of(p: DemoProgrammation, rows: list[Any]) -> dict[str, Any]:
    from ami.domain.programmation import synthesis_of

    lines: list[dict[str, Any]] = [{"filiere": s.filiere, "operations": s.operations, "logements": s.logements,
              "montant_pret_eur": str(s.montant_pret_eur)} for s in synthesis_of(rows)]
    if p.ecart:
        lines[0]["logements"] += 5  # five homes reported that the workbook does not have
    return {"dispositif": DROM, "programmation": {"departement": p.departement, "synthese": lines}}


def run_drom(runtime: LocalRuntime, clients: list[AmiClient], instructor: AmiClient,
             say: Callable[[str], None]) -> tuple[list[dict[str, Any]], list[str]]:
    """Play the programmations; return each one's outcome and what went wrong."""
    from infra import xlsxgen
    from infra.client import ApiError

    problems: list[str] = []
    plan = programmations()
    say("Programmations DROM 2024 : horloge de la pile au 30 septembre 2024, 23 h 40 (heure de Paris)")
    runtime.clock.set(EVENING)
    try:
        for p in plan:
            api = clients[p.bailleur]
            rows = xlsxgen.operations(p.operations, departement=p.departement, seed=p.seed)
            p.dossier_id = api.call("POST", "/dossiers", form_of(p, rows))["dossier_id"]
            data = xlsxgen.workbook(rows)
            if p.macros:
                data = xlsxgen.with_macros(data)
            api.upload(p.dossier_id, "tableau_programmation", data, f"programmation-{p.departement}.xlsx", XLSX)
        runtime.dispatcher.drain()
        for p in plan:
            seen = clients[p.bailleur].call("GET", f"/dossiers/{p.dossier_id}")
            differs = any(c["code"] == "synthese_formulaire_differente" for c in seen.get("constats", []))
            if differs != p.ecart:
                problems.append(f"programmation {p.departement} : écart de synthèse {'non ' if p.ecart else ''}"
                                "signalé au bailleur")
        say("Envoi des programmations (jusqu'au 30 septembre à 23 h 59)")
        for p in plan:
            if not p.late:
                clients[p.bailleur].send(p.dossier_id)
        runtime.clock.set(AFTER_CLOSE)
        for p in plan:
            if not p.late:
                continue
            try:
                clients[p.bailleur].send(p.dossier_id)
                problems.append(f"programmation {p.departement} envoyée après la clôture")
            except ApiError as exc:
                if exc.payload.get("code") != "depot_clos":
                    problems.append(f"programmation {p.departement} : refus inattendu {exc.payload}")
        runtime.dispatcher.drain()
        outcomes = []
        for p in plan:
            d = clients[p.bailleur].call("GET", f"/dossiers/{p.dossier_id}")["dossier"]
            if d["status"] != p.expect:
                problems.append(f"programmation {p.departement} : statut {d['status']}, attendu {p.expect}")
            if d.get("deposit_number") is not None:
                problems.append(f"programmation {p.departement} : numérotée (n° {d['deposit_number']})")
            outcomes.append({"departement": p.departement, "dossier_id": p.dossier_id, "status": d["status"],
                             "reasons": [r["message"] for r in d.get("incomplete_reasons", [])]})
        listed = {r["dossier_id"] for r in instructor.call("GET", "/instruction/programmations")}
        sent = {p.dossier_id for p in plan if not p.late}
        if listed != sent:
            problems.append(f"{len(listed)} programmations listées pour l'instruction, {len(sent)} attendues")
        for p in plan:
            if p.expect != "complet":
                continue
            fields = instructor.call("GET", f"/instruction/dossiers/{p.dossier_id}")["fields"]
            if not any(f["name"] == "priorites" for f in fields.get("tableau_programmation", [])):
                problems.append(f"programmation {p.departement} : pas de priorités pour la délégation")
    finally:
        runtime.clock.offset = timedelta(0)  # back to the real time
    return outcomes, problems


def check_drom_emails(emails: list[Any], outcomes: list[dict[str, Any]]) -> list[str]:
    complete = sum(o["status"] == "complet" for o in outcomes)
    incomplete = sum(o["status"] == "incomplet" for o in outcomes)
    problems = []
    to_bailleurs = [e for e in emails if "Votre programmation" in e.subject and "est complète" in e.subject]
    to_mailbox = [e for e in emails if "Programmation complète :" in e.subject]
    late = [e for e in emails if "programmation" in e.subject.lower() and "incomplète" in e.subject]
    if len(to_bailleurs) != complete or len(to_mailbox) != complete:
        problems.append(f"{len(to_bailleurs)} courriels « programmation complète » aux bailleurs et {len(to_mailbox)} "
                        f"à la boîte, {complete} attendus")
    if len(late) != incomplete:
        problems.append(f"{len(late)} courriels « programmation incomplète », {incomplete} attendus")
    return problems
