"""Benchmark (printed, not asserted): the plateforme's pages rendered server side — the dashboard of a
bailleur with 200 dossiers and the form of one dossier, through the whole Chalice app (routing,
headers, session, store, view, template) — beside a bare Jinja2 render of the same template with the
same data, in the same run; then the dashboard's first contentful paint in headless Chromium on the
local stack.

    .venv/bin/python benchmarks/bench_plateforme.py [N]

Target (issue 12): the page at most 2x the bare render.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT / "tests"), str(ROOT)]

from ami import bootstrap  # noqa: E402
from ami.adapters.s3 import UploadForm  # noqa: E402
from ami.domain.dispositif import dispositif  # noqa: E402
from ami.domain.models import Bailleur, Dossier, DossierForm, DossierStatus, Envoi, Loan, Operation  # noqa: E402
from ami.settings import Settings  # noqa: E402
from fakes import InMemoryStore  # noqa: E402

SIREN = "552081317"
CLAIMS = {"sub": "u", "email": "a@b.example", "custom:siren": SIREN, "cognito:groups": ["bailleurs"]}
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Sessions:
    def verify(self, token: str) -> dict[str, Any]:
        return CLAIMS


class Deposits:
    def upload_form(self, siren: str, dossier_id: str, piece: str, redirect: str | None = None) -> UploadForm:
        key = f"bailleurs/{siren}/{dossier_id}/{piece}.pdf"
        fields = {"key": key, "policy": "x" * 600, "x-amz-signature": "y" * 64}
        return UploadForm("https://depots.example/bucket", fields, fields["key"], T0, 26214400)


def dossiers(n: int) -> list[Dossier]:
    out = []
    statuses = list(DossierStatus)
    for i in range(n):
        form = DossierForm(operation=Operation(nom=f"Résidence n° {i}", commune_insee="69123",
                                               adresse=f"{i} avenue Jean-Jaurès, 69007 Lyon"),
                           prets=[Loan(kind="foncier", montant_eur=Decimal("1450000"), duree_mois=600,
                                       marge_pct=Decimal("0.6"))])
        status = statuses[i % len(statuses)]
        envoi = Envoi(envoi_id="e", sent_at=T0 + timedelta(minutes=i)) if status != DossierStatus.BROUILLON else None
        out.append(Dossier(dossier_id=uuid.uuid4().hex, siren=SIREN, form=form, status=status, envoi=envoi,
                           created_at=T0 + timedelta(minutes=i), updated_at=T0,
                           deposit_number=i if status == DossierStatus.COMPLET else None))
    return out


def event(path: str) -> dict[str, Any]:
    return {"resource": path, "path": path, "httpMethod": "GET",
            "headers": {"host": "ami.actionlogement.fr", "cookie": "__Host-ami_session=jeton",
                        "x-forwarded-proto": "https"},
            "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
            "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": path, "requestId": "r",
                               "identity": {"sourceIp": "127.0.0.1"}}}


def timed(fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def line(name: str, page: list[float], bare: list[float]) -> None:
    def p(xs: list[float], q: float) -> float:
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]

    ratio = statistics.median(page) / statistics.median(bare)
    print(f"{name:<34} page p50 {p(page, .5):7.2f} ms  p95 {p(page, .95):7.2f} ms | bare Jinja2 p50 "
          f"{p(bare, .5):7.2f} ms  p95 {p(bare, .95):7.2f} ms | {ratio:.2f}x (target <= 2x)")


def server_side(n: int, runs: int) -> None:
    from web import views
    from web.app import app, configure
    from web.rendering import environment

    store = InMemoryStore()
    store.register_bailleur(Bailleur(raison_sociale="Habitat Mesure", siren=SIREN, forme_juridique="oph",
                                     adresse="1 rue X", email_contact="a@b.example", registered_at=T0))
    all_dossiers = dossiers(n)
    for d in all_dossiers:
        store.create_dossier(d, "bailleur")
    draft = next(d for d in all_dossiers if d.status == DossierStatus.BROUILLON)
    configure(bootstrap.build(Settings(), store=store, sessions=Sessions(), deposits=Deposits()))

    class Ctx:
        aws_request_id, function_name, memory_limit_in_mb, invoked_function_arn = "r", "web", 256, "arn"

    def page(path: str, resource: str) -> None:
        e = event(path)
        e["requestContext"]["resourcePath"] = e["resource"] = resource
        if "{dossier_id}" in resource:
            e["pathParameters"] = {"dossier_id": path.rsplit("/", 1)[1]}
        r = app(e, Ctx())
        assert r["statusCode"] == 200, r

    # The bare render: a fresh environment on the same templates, the same data already in hand.
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    bare_env = Environment(loader=FileSystemLoader(str(views.HERE / "templates")),
                           autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    bare_env.filters.update(views.FILTERS)
    bare_env.globals.update(environment().globals)
    from ami.domain import rules
    from ami.domain.identity import User

    listed = sorted(store.list_dossiers(SIREN), key=lambda d: d.created_at, reverse=True)
    base = {"csrf_token": "t" * 43, "user": User.of(CLAIMS), "path": "/tableau-de-bord"}
    dash_ctx = {**base, "bailleur": store.get_bailleur(SIREN), "dossiers": listed, "dispositif": dispositif(),
                "communes": {d.dossier_id: rules.commune("69123") for d in listed}}
    dashboard = bare_env.get_template("tableau_de_bord.html")

    page("/tableau-de-bord", "/tableau-de-bord")  # warm: templates compiled, modules imported
    line(f"dashboard ({n} dossiers)", timed(lambda: page("/tableau-de-bord", "/tableau-de-bord"), runs),
         timed(lambda: dashboard.render(dash_ctx), runs))

    from web import pages_bailleur

    # The bare render gets exactly the context the page's view built (widgets, lines, loans, pieces,
    # checks, duplicates), caught on a warm-up request.
    seen: dict[str, Any] = {}
    original = pages_bailleur.page

    def catch(template: str, status: int = 200, **context: Any) -> Any:
        seen.update(context)
        return original(template, status, **context)

    path = f"/dossiers/{draft.dossier_id}"
    pages_bailleur.page = catch  # type: ignore[assignment]
    try:
        page(path, "/dossiers/{dossier_id}")
    finally:
        pages_bailleur.page = original  # type: ignore[assignment]
    ctx = {**base, "path": path, **seen}
    form_template = bare_env.get_template("dossier.html")
    line("dossier form", timed(lambda: page(path, "/dossiers/{dossier_id}"), runs),
         timed(lambda: form_template.render(ctx), runs))


def first_contentful_paint(n: int) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("first contentful paint: chromium is not installed (make tools), not measured")
        return
    from ami.domain.models import utcnow
    from playwright.sync_api import sync_playwright

    from infra.client import register
    from infra.local import LocalRuntime
    from infra.sirene_fixture import sirene_fixture

    with LocalRuntime() as rt:
        # Registration as issue 11 has it: a SIREN of the emulation's Sirene register, then the emailed code.
        unit = next(iter(sirene_fixture().eligible("oph")))
        siren = unit.siren
        email, password = f"mesure.{siren}@bailleur.example", "Mesure-plateforme-2026!"
        register(rt.api_url, rt.emulation.endpoint, {
            "raison_sociale": unit.denomination or "Habitat Mesure", "siren": siren, "forme_juridique": "oph",
            "adresse": "1 rue de Lyon, 69001 Lyon", "email_contact": email, "mot_de_passe": password})
        store = rt.functions.app.dossiers
        for d in dossiers(n):
            store.create_dossier(d.model_copy(update={"siren": siren, "status": DossierStatus.BROUILLON,
                                                      "envoi": None, "deposit_number": None,
                                                      "created_at": utcnow()}), "bailleur")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_context().new_page()
            page.goto(f"{rt.web_url}/connexion")
            page.fill("#email", email)
            page.fill("#mot_de_passe", password)
            page.click("button:has-text('Se connecter')")
            page.wait_for_url("**/tableau-de-bord")
            fcps = []
            for _ in range(5):
                page.goto(f"{rt.web_url}/tableau-de-bord")
                for _ in range(100):  # the entry is recorded once the paint happened
                    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)")
                    if fcp:
                        fcps.append(fcp[0])
                        break
                    time.sleep(0.05)
            browser.close()
        print(f"dashboard first contentful paint ({n} dossiers, headless Chromium, local stack): "
              f"median {statistics.median(fcps):.0f} ms over {len(fcps)} loads")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server_side(n, runs=60)
    first_contentful_paint(n)


if __name__ == "__main__":
    main()
