"""Benchmark (printed, not asserted): priority-2 scoring of 4,000 dossiers, and the CCN registre of
4,000 dossiers beside bare openpyxl `write_only` of the same rows, in the same run.

    .venv/bin/python benchmarks/bench_scoring.py [N]

Targets (issue 6): scoring under 1 ms per dossier; registre at most 1.5x the bare write. Since issue 17
the dossiers carry per-dwelling lines (two per typology), transport, services and DPE in the form.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))

from ami.domain import registre  # noqa: E402
from ami.domain.grid import scoring_config  # noqa: E402
from ami.domain.models import Bailleur, Dossier, DossierForm, Envoi  # noqa: E402
from ami.domain.referentiel import Referentiel  # noqa: E402
from ami.domain.rules import communes  # noqa: E402
from ami.domain.scoring import Fact, score_dossier  # noqa: E402

T0 = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)


def make(n: int) -> tuple[list[Dossier], dict[str, Bailleur], dict[str, Referentiel]]:
    lli = [c.insee for c in communes().values() if c.zone in ("Abis", "A", "B1")]
    others = [c.insee for c in communes().values() if c.zone in ("B2", "C")]
    bailleurs: dict[str, Bailleur] = {}
    dossiers: list[Dossier] = []
    for i in range(1, n + 1):
        siren = f"{100000000 + i % 200:09d}"
        bailleurs.setdefault(siren, Bailleur(raison_sociale=f"Bailleur {i % 200}", siren=siren,
                                             forme_juridique="sa_hlm", adresse="1 rue X", email_contact="a@b.fr",
                                             registered_at=T0))
        insee = lli[(i * 7919) % len(lli)] if i % 10 else others[(i * 31) % len(others)]
        t2, t3 = 5 + i % 20, 3 + i % 9
        # per-dwelling data (issue 17): lines of dwellings with their own surfaces and rent, several per typology
        lines = [{"typologie": typ, "nombre": count, "surface_habitable_m2": str(sh + k),
                  "surface_utile_m2": str(sh + k + 3), "loyer_mensuel_eur": str(Decimal(600 + i % 500 + 7 * k))}
                 for typ, count, sh in (("t2", t2, 45), ("t3", t3, 62), ("t4", i % 4, 79)) if count
                 for k in range(2)]
        form = DossierForm.model_validate({
            "operation": {"nom": f"Opération {i}", "commune_insee": insee, "adresse": "3 rue des Tilleuls",
                          "lignes": lines, "transport": {"voir_page": 12},
                          "services_proximite": {"rayon_m": 600 + i % 700, "services": ["commerces", "ecoles"]},
                          "qualite_construction": {"classe_dpe": "ABC"[i % 3]}},
            "prets": [{"kind": "foncier", "montant_eur": str(100000 + i * 13), "duree_mois": 600, "marge_pct": "0.6"},
                      {"kind": "bati", "montant_eur": str(900000 + i * 101), "duree_mois": 480, "marge_pct": "0.6"}],
        })
        at = T0 + timedelta(seconds=37 * i)
        dossiers.append(Dossier(dossier_id=f"{i:032x}", siren=siren, form=form, created_at=at, updated_at=at,
                                envoi=Envoi(envoi_id=f"e{i}", sent_at=at), deposit_number=i))
    refs = {
        "dynamisme_economique": Referentiel("dynamisme_economique", 1, "a" * 64,
                                            {c: Decimal((k % 30) - 5) / 10 for k, c in enumerate(lli)}),
        "saturation_demande_li": Referentiel("saturation_demande_li", 1, "b" * 64,
                                             {c: Decimal(k % 60) / 10 for k, c in enumerate(lli) if k % 7}),
    }
    return dossiers, bailleurs, refs


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    dossiers, bailleurs, refs = make(n)
    scoring_config()
    facts = {"distance_transport_m": Fact(valeur="420", piece="dossier_presentation", page=12)}

    # ---------------------------------------------------------------- scoring
    score_dossier(dossiers[0], facts, refs)  # warm-up (grid, zonage)
    per: list[float] = []
    scored: list[Dossier] = []
    start = time.perf_counter()
    cpu: list[float] = []  # CPU time as well: on a shared, loaded machine wall-clock times mostly measure the others
    for d in dossiers:
        t, c = time.perf_counter(), time.process_time()
        record = score_dossier(d, facts, refs)
        per.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        scored.append(d.model_copy(update={"scoring": record}))
    total = time.perf_counter() - start
    per.sort()
    print(f"Scoring of {n} dossiers (score_dossier): total {total:.2f} s, "
          f"mean {statistics.fmean(per):.3f} ms, median {per[len(per) // 2]:.3f} ms, "
          f"p95 {per[int(len(per) * 0.95)]:.3f} ms per dossier (target < 1 ms); "
          f"CPU mean {statistics.fmean(cpu):.3f} ms")

    # ---------------------------------------------------------------- registre against bare write_only
    from openpyxl import Workbook

    cfg, _ = scoring_config()
    ccn, now = date(2025, 12, 31), datetime(2025, 12, 1, tzinfo=UTC)
    best_reg = best_bare = best_rows = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        buf = io.BytesIO()
        registre.write(buf, scored, bailleurs, ccn, now)
        best_reg = min(best_reg, time.perf_counter() - t)
        size = len(buf.getvalue())

        t = time.perf_counter()
        rows = registre.rows(registre.select(scored, ccn), bailleurs, cfg)
        best_rows = min(best_rows, time.perf_counter() - t)

        t = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Dossiers")
        ws.append([c.title for c in registre.columns(cfg)])
        for r in rows:
            ws.append(r)
        bare = io.BytesIO()
        wb.save(bare)
        best_bare = min(best_bare, time.perf_counter() - t)
    print(f"Registre of {n} dossiers (rows, styles, summary, chart, grid): {best_reg * 1000:.0f} ms, "
          f"{size / 1024:.0f} KiB (best of 3)")
    print(f"  of which building the rows from the dossiers: {best_rows * 1000:.0f} ms")
    print(f"Bare openpyxl write_only of the same rows (values only): {best_bare * 1000:.0f} ms")
    print(f"Ratio registre / bare write: {best_reg / best_bare:.2f} (target <= 1.5); "
          f"without building the rows: {(best_reg - best_rows) / best_bare:.2f}")


if __name__ == "__main__":
    main()
