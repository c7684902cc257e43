"""The CCN registre: the Excel workbook the Commission de Crédit Nationale works from.

Sheets
    Dossiers      one row per numbered dossier deposited up to the CCN date (inclusive, Paris time),
                  in deposit-number order; real Excel types (integers, dates, euros), frozen header,
                  autofilter, widths, conditional formatting of open checks and rents above ceiling.
    Synthèse      the envelope by région and by zone, and a chart of the cumulative principal in
                  deposit order (column « Principal cumulé » of Dossiers) against the envelope.
    Grille        the scoring configuration used (version, SHA-256, weights, scales, ceilings) and
                  the referential versions the scores used.

Written with openpyxl's write-only mode (streaming, constant memory), styles carried by one
template cell per column. openpyxl is imported lazily: the functions that never write a registre
do not pay for it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO

from ami.domain import xlsxtext
from ami.domain.dispositif import dispositif
from ami.domain.envelope import Enveloppe, envelope, region_name
from ami.domain.grid import ScoringConfig, scoring_config
from ami.domain.models import Bailleur, Dossier
from ami.domain.rules import commune
from ami.domain.score import FOURNISSEURS
from ami.domain.scoring import PARIS, RentCheck, rent_check

EUROS = '#,##0.00 "€"'
EUROS_M2 = '#,##0.00 "€/m²"'
DATETIME = "dd/mm/yyyy hh:mm:ss"
INTEGER = "0"
PERCENT = "0.0%"
POINTS = "0.00"
TEXT = "@"
TYPOLOGIES = (("t1", "T1"), ("t1_bis", "T1 bis"), ("t2", "T2"), ("t3", "T3"), ("t4", "T4"), ("t5", "T5"),
              ("t6_plus", "T6+"))


@dataclass(frozen=True)
class Column:
    title: str
    fmt: str | None
    width: float


def columns(cfg: ScoringConfig) -> list[Column]:
    cols = [
        Column("N° de dépôt", INTEGER, 9), Column("Déposé le (heure de Paris)", DATETIME, 20),
        Column("Bailleur", None, 30), Column("SIREN", TEXT, 11), Column("Forme juridique", None, 28),
        Column("Opération", None, 26), Column("Commune", None, 22), Column("Code INSEE", TEXT, 10),
        Column("Région", None, 22), Column("Zone", None, 6),
        *(Column(label, INTEGER, 7) for _, label in TYPOLOGIES), Column("Logements", INTEGER, 10),
        Column("Prêt foncier", EUROS, 16), Column("Durée foncier (mois)", INTEGER, 10),
        Column("Prêt bâti", EUROS, 16), Column("Durée bâti (mois)", INTEGER, 10),
        Column("Principal total", EUROS, 17), Column("Principal cumulé", EUROS, 18),
        Column("Loyer (€/m² SU/mois)", EUROS_M2, 13),
        Column("Plafond LLI (€/m² SU/mois)", EUROS_M2, 13), Column("Loyer / plafond", PERCENT, 10),
        Column("Score P2 retenu (/100)", POINTS, 11), Column("Score P2 calculé (/100)", POINTS, 11),
        Column("Points non évalués", POINTS, 10), Column("Données manquantes, à fournir par", None, 30),
        *(Column(f"{c.libelle} (/{c.poids})", POINTS, 14) for c in cfg.criteres),
        Column("Surcharges", None, 30), Column("Contrôles ouverts", INTEGER, 10),
        Column("Détail des contrôles ouverts", None, 60),
    ]
    return cols


def _paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS).replace(tzinfo=None)


def _loans(d: Dossier, kind: str) -> tuple[Decimal | None, int | None]:
    lines = [loan for loan in d.form.prets if loan.kind == kind]
    if not lines:
        return None, None
    return sum((loan.montant_eur for loan in lines), Decimal(0)), max(loan.duree_mois for loan in lines)


def open_checks(d: Dossier) -> list[str]:
    """What the instructor still has to look at, in French: the findings, then each criterion left unscored with
    why and who must provide its data (a missing referential says so here as in the score)."""
    s = d.scoring
    if s is None:
        return ["Score de priorité 2 non calculé."]
    out = [f"{'Éligibilité' if c.gravite == 'eligibilite' else 'Vigilance'} : {c.message}" for c in s.constats]
    out += [f"{c.libelle} : {c.explication}" for c in s.criteres if c.statut != "evalue" and c.code not in s.surcharges]
    return out


def missing_by(d: Dossier) -> str | None:
    """Who must provide the data of the criteria left unscored (« exploitation : dynamisme_economique »)."""
    s = d.scoring
    if s is None:
        return None
    who: dict[str, list[str]] = {}
    for c in s.criteres:
        if c.statut != "evalue" and c.code not in s.surcharges:
            who.setdefault(c.a_fournir_par or "bailleur", []).append(c.code)
    return "; ".join(f"{par} : {', '.join(codes)}" for par, codes in sorted(who.items())) or None


def dossier_row(d: Dossier, bailleur: Bailleur | None, cfg: ScoringConfig, cumul: Decimal) -> list[Any]:
    """One line of the Dossiers sheet, in `columns(cfg)` order, with Python values of the right type."""
    op = d.form.operation
    c = commune(op.commune_insee) if op.commune_insee else None
    lg = op.logements
    fon, fon_months = _loans(d, "foncier")
    bat, bat_months = _loans(d, "bati")
    rent = rent_check(d, cfg)
    s = d.scoring
    crit_points: list[Decimal | None] = []
    for crit in cfg.criteres:
        computed = s.critere(crit.code) if s else None
        override = s.surcharges.get(crit.code) if s else None
        crit_points.append(override.points if override else computed.points if computed else None)
    checks = open_checks(d)
    rc = rent if isinstance(rent, RentCheck) else None
    forme = dispositif().form_label(bailleur.forme_juridique) if bailleur else None
    return [
        d.deposit_number, _paris(d.envoi.sent_at) if d.envoi else None,
        bailleur.raison_sociale if bailleur else None, d.siren,
        forme or (bailleur.forme_juridique if bailleur else None), op.nom,
        c.nom if c else None, op.commune_insee, region_name(c.region) if c else None, c.zone if c else None,
        *((getattr(lg, t) if lg else None) for t, _ in TYPOLOGIES), lg.total if lg else None,
        fon, fon_months, bat, bat_months, d.loan_total, cumul,
        rc.rent_m2 if rc else None, rc.ceiling_m2 if rc else None, rc.ratio if rc else None,
        s.total_retenu if s else None, s.total if s else None,
        s.points_non_evalues if s else None, missing_by(d), *crit_points,
        "; ".join(f"{k} : {v.points_origine} → {v.points} ({v.justification}, {v.par})"
                  for k, v in sorted((s.surcharges if s else {}).items())) or None,
        len(checks), "\n".join(checks) or None,
    ]


def select(dossiers: Iterable[Dossier], ccn: date) -> list[Dossier]:
    """Numbered dossiers deposited up to the CCN date (inclusive, Paris time), in deposit-number order."""
    cutoff = datetime.combine(ccn, time.max, tzinfo=PARIS)
    kept = [d for d in dossiers if d.deposit_number is not None and d.envoi is not None and d.envoi.sent_at <= cutoff]
    return sorted(kept, key=lambda d: d.deposit_number or 0)


def rows(dossiers: Sequence[Dossier], bailleurs: Mapping[str, Bailleur], cfg: ScoringConfig) -> list[list[Any]]:
    """The Dossiers sheet's lines, `dossiers` taken in the given (deposit-number) order."""
    out: list[list[Any]] = []
    cumul = Decimal(0)
    for d in dossiers:
        cumul += d.loan_total
        out.append(dossier_row(d, bailleurs.get(d.siren), cfg, cumul))
    return out


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def write(out: BinaryIO | str, dossiers: Iterable[Dossier], bailleurs: Mapping[str, Bailleur], ccn: date,
          generated_at: datetime, config: tuple[ScoringConfig, str] | None = None,
          montant_eur: Decimal | None = None) -> int:
    """Write the registre to `out` (a path or a binary stream); returns the number of dossiers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.formatting.rule import CellIsRule, FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill

    cfg, sha = config or scoring_config()
    chosen = select(dossiers, ccn)
    env = envelope(chosen, montant_eur)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    wrap = Alignment(wrap_text=True, vertical="top")

    # ---------------------------------------------------------------- Dossiers
    ws = wb.create_sheet("Dossiers")
    cols = columns(cfg)
    last = _col(len(cols))
    n = len(chosen)
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[_col(i)].width = col.width
    ws.freeze_panes = "C2"
    header = []
    for col in cols:
        cell = WriteOnlyCell(ws, col.title)
        cell.font, cell.fill, cell.alignment = bold, head_fill, Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    ws.append(header)
    # One styled template cell per column that needs a style; plain values elsewhere (General shows
    # integers and text as they are): styled cells are what costs in openpyxl's writer.
    templates: list[Any] = []
    for col in cols:
        if col.fmt in (None, TEXT, INTEGER):
            templates.append(None)
            continue
        cell = WriteOnlyCell(ws)
        cell.number_format = col.fmt
        templates.append(cell)
    templates[-1] = WriteOnlyCell(ws)
    templates[-1].alignment = wrap
    styled = [(i, tpl) for i, tpl in enumerate(templates) if tpl is not None]
    for values in rows(chosen, bailleurs, cfg):
        for i, tpl in styled:
            value = values[i]
            if value is not None:
                values[i] = xlsxtext.assign(tpl, value)
        # Names, operations, justifications: text as typed, never a formula (ami.domain.xlsxtext).
        ws.append(xlsxtext.text_cells(ws, values))
    if n:
        checks_col = _col(len(cols) - 1)
        ratio_col = _col(next(i for i, c in enumerate(cols, 1) if c.title == "Loyer / plafond"))
        ws.auto_filter.ref = f"A1:{last}{n + 1}"
        ws.conditional_formatting.add(
            f"A2:{last}{n + 1}",
            FormulaRule(formula=[f"${checks_col}2>0"], fill=PatternFill("solid", bgColor="FFF2CC")))
        ws.conditional_formatting.add(
            f"{checks_col}2:{checks_col}{n + 1}",
            CellIsRule(operator="greaterThan", formula=["0"], fill=PatternFill("solid", bgColor="F8CBAD"),
                       font=Font(bold=True, color="9C0006")))
        ws.conditional_formatting.add(
            f"{ratio_col}2:{ratio_col}{n + 1}",
            CellIsRule(operator="greaterThan", formula=["1"], font=Font(bold=True, color="9C0006")))
    else:
        ws.auto_filter.ref = f"A1:{last}1"

    # ---------------------------------------------------------------- Synthèse
    numbers = (chosen[0].deposit_number or 1, chosen[-1].deposit_number or 1) if chosen else (1, 1)
    _summary(wb, env, ccn, generated_at, n, bold, head_fill, numbers)

    # ---------------------------------------------------------------- chart: cumulative principal vs envelope
    number_ref = Reference(ws, min_col=1, min_row=2, max_row=max(n, 1) + 1)
    cumul_col = next(i for i, c in enumerate(cols, 1) if c.title == "Principal cumulé")
    chart = ScatterChart()
    chart.title = "Principal cumulé (ordre de dépôt) et enveloppe"
    chart.style = 13
    chart.y_axis.title = "€"
    chart.x_axis.title = "N° de dépôt"
    chart.y_axis.numFmt = "#,##0"
    chart.height, chart.width = 9, 22
    cumul = Series(Reference(ws, min_col=cumul_col, min_row=2, max_row=max(n, 1) + 1), number_ref,
                   title="Principal cumulé")
    cumul.marker.symbol = "none"
    synthese = wb["Synthèse"]
    env_x = Reference(synthese, min_col=ENVELOPE_POINTS_COL, min_row=ENVELOPE_POINTS_ROW,
                      max_row=ENVELOPE_POINTS_ROW + 1)
    env_y = Reference(synthese, min_col=ENVELOPE_POINTS_COL + 1, min_row=ENVELOPE_POINTS_ROW,
                      max_row=ENVELOPE_POINTS_ROW + 1)
    envelope_line = Series(env_y, env_x, title="Enveloppe")
    envelope_line.marker.symbol = "none"
    chart.series.extend([cumul, envelope_line])
    synthese.add_chart(chart, "H3")

    # ---------------------------------------------------------------- Grille
    _config_sheet(wb, cfg, sha, chosen, bold, head_fill)

    wb.save(out)
    return n


ENVELOPE_POINTS_ROW = 2  # Synthèse!E2:F3: (first number, envelope), (last number, envelope) for the chart
ENVELOPE_POINTS_COL = 5


def _summary(wb: Any, env: Enveloppe, ccn: date, generated_at: datetime, n: int, bold: Any, fill: Any,
             numbers: tuple[int, int] = (1, 1)) -> None:
    from openpyxl.cell import WriteOnlyCell

    ws = wb.create_sheet("Synthèse")
    for letter, width in zip("ABCDEF", (30, 12, 20, 12, 20, 20), strict=True):
        ws.column_dimensions[letter].width = width

    def cell(value: Any, fmt: str | None = None, strong: bool = False) -> Any:
        c = WriteOnlyCell(ws, value)
        if fmt:
            c.number_format = fmt
        if strong:
            c.font = bold
        return c

    ws.append([cell(f"Registre de la Commission de Crédit Nationale du {ccn:%d/%m/%Y}", strong=True)])
    ws.append(["Généré le (heure de Paris)", cell(_paris(generated_at), DATETIME), None, None,
               cell(numbers[0], INTEGER), cell(env.montant_eur, EUROS)])
    ws.append(["Dossiers numérotés déposés jusqu'au (inclus)", cell(ccn, "dd/mm/yyyy"), None, None,
               cell(numbers[1], INTEGER), cell(env.montant_eur, EUROS)])
    ws.append(["Dossiers au registre", cell(n, INTEGER)])
    ws.append(["Enveloppe", cell(env.montant_eur, EUROS)])
    ws.append(["Principal des dossiers numérotés", cell(env.principal_numerotes_eur, EUROS)])
    ws.append(["Principal des dossiers à avis CCN favorable", cell(env.principal_favorables_eur, EUROS)])
    ws.append(["Restant (enveloppe − numérotés)", cell(env.restant_eur, EUROS)])
    ws.append(["Réservé (du numéro à la décision du CA)", cell(env.reserve_eur, EUROS)])
    ws.append(["Engagé (confirmé par le CA)", cell(env.engage_eur, EUROS)])
    ws.append(["Garanti (acte de cautionnement transmis)", cell(env.garanti_eur, EUROS)])
    ws.append(["Disponible", cell(env.disponible_eur, EUROS)])
    ws.append(["Principal des dossiers en liste d'attente (hors enveloppe)",
               cell(env.principal_liste_attente_eur, EUROS)])
    ws.append(["Taux de consommation", cell(env.taux_consommation, PERCENT)])
    if env.note:
        ws.append([env.note])
    for title, lines in (("Par région", env.par_region), ("Par zone ABC", env.par_zone)):
        ws.append([])
        heads = [title, "Dossiers", "Principal numéroté", "Favorables", "Principal favorable", "Part de l'enveloppe"]
        row = []
        for h in heads:
            c = cell(h, strong=True)
            c.fill = fill
            row.append(c)
        ws.append(row)
        for line in lines:
            share = (line.principal_numerotes_eur / env.montant_eur) if env.montant_eur else Decimal(0)
            ws.append([line.cle, cell(line.dossiers_numerotes, INTEGER), cell(line.principal_numerotes_eur, EUROS),
                       cell(line.dossiers_favorables, INTEGER), cell(line.principal_favorables_eur, EUROS),
                       cell(share.quantize(Decimal("0.0001")), PERCENT)])


def _config_sheet(wb: Any, cfg: ScoringConfig, sha: str, chosen: Sequence[Dossier], bold: Any, fill: Any) -> None:
    ws = wb.create_sheet("Grille")
    for letter, width in zip("ABCDE", (26, 50, 10, 12, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.append(["Grille de notation (priorité 2)", cfg.version])
    ws.append(["SHA-256 du fichier de configuration", sha])
    versions = sorted({d.scoring.config_version if d.scoring else "non calculé" for d in chosen})
    ws.append(["Versions de grille des scores du registre", ", ".join(versions) or "—"])
    refs = sorted({f"{k} : {v}" for d in chosen if d.scoring for k, v in d.scoring.referentiels.items()})
    ws.append(["Référentiels utilisés par les scores", "; ".join(refs) or "—"])
    ws.append([])
    ws.append(["Critère", "Libellé", "Groupe", "Poids", "Barème"])
    for c in cfg.criteres:
        bareme = c.bareme
        if bareme.type == "paliers":
            text = " ; ".join(f"≤ {p.jusqu_a} → {p.fraction}" if p.jusqu_a is not None else f"au-delà → {p.fraction}"
                              for p in bareme.paliers)
        else:
            text = " ; ".join(f"{k} → {v}" for k, v in bareme.valeurs.items())
        ws.append([c.code, c.libelle, c.groupe, c.poids, text])
    ws.append([])
    ws.append(["Plafonds LLI (€/m² SU/mois)", cfg.plafonds_lli.source])
    k = cfg.plafonds_lli.coefficient
    ws.append(["Coefficient", f"min({k.base} + {k.numerateur} / S ; {k.plafond}) arrondi au centième, S = surface "
               f"utile de chaque logement (plafond vérifié logement par logement)"])
    for year, table in sorted(cfg.plafonds_lli.annees.items()):
        ws.append([year, *(f"{z} : {v}" for z, v in table.items())])
    om = cfg.plafonds_lli.outre_mer
    ws.append(["Plafonds outre-mer", om.source])
    ws.append(["Départements", ", ".join(om.departements)])
    if om.annees:
        for year, value in sorted(om.annees.items()):
            ws.append([year, f"{value}"])
    else:
        ws.append(["Années", "aucun montant saisi : critère « niveau de loyer » non évalué outre-mer"])
    ws.append([])
    ws.append(["Données manquantes : à fournir par", "; ".join(f"{k} = {v}" for k, v in FOURNISSEURS.items())])


def to_bytes(dossiers: Iterable[Dossier], bailleurs: Mapping[str, Bailleur], ccn: date, generated_at: datetime,
             **kwargs: Any) -> bytes:
    buf = io.BytesIO()
    write(buf, dossiers, bailleurs, ccn, generated_at, **kwargs)
    return buf.getvalue()


def bailleurs_of(store: Any, dossiers: Iterable[Dossier]) -> dict[str, Bailleur]:
    found: dict[str, Bailleur] = {}
    for siren in sorted({d.siren for d in dossiers}):
        b = store.get_bailleur(siren)
        if b is not None:
            found[siren] = b
    return found


def from_store(store: Any, ccn: date, generated_at: datetime) -> tuple[bytes, int]:
    """The registre of the numbered dossiers held by `store` (an `ami.adapters.dynamodb.Store`): bytes and row count."""
    dossiers = store.list_numbered()
    buf = io.BytesIO()
    n = write(buf, dossiers, bailleurs_of(store, dossiers), ccn, generated_at)
    return buf.getvalue(), n
