"""What the documents say against what the dossier says: each difference is a check for the instructor.

Works on extracted fields (by name) and plain values, so it imports nothing from `ami.domain.models` at module
level: `ami.domain.models` imports this package.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from ami.domain.extraction import HIGH_CONFIDENCE, Check, ComparisonRow, ExtractedField
from ami.domain.extraction.french import format_euros_fr
from ami.domain.extraction.presentation import nearest_transport_m
from ami.domain.wording import compte

_LOAN_RE = re.compile(r"^prets\[(\d+)\]\.(\w+)$")
_NATURES = {"foncier": "foncier", "bati": "bâti"}


def by_name(fields: Iterable[ExtractedField]) -> dict[str, ExtractedField]:
    out: dict[str, ExtractedField] = {}
    for f in fields:
        out.setdefault(f.name, f)
    return out


def letter_loans(fields: Iterable[ExtractedField]) -> list[dict[str, ExtractedField]]:
    loans: dict[int, dict[str, ExtractedField]] = {}
    for f in fields:
        if match := _LOAN_RE.match(f.name):
            loans.setdefault(int(match.group(1)), {})[match.group(2)] = f
    return [loans[i] for i in sorted(loans)]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum() or ch == " ")


_LEGAL_WORDS = {"sa", "hlm", "d", "de", "du", "la", "le", "les", "des", "sas", "sarl", "scic", "coop", "et", "l"}


def same_company(a: str, b: str) -> bool:
    """Raison sociale as printed by two hands: 'Habitat Forézien SA d'HLM' is 'HABITAT FOREZIEN'."""
    words_a = set(_fold(a).split()) - _LEGAL_WORDS
    words_b = set(_fold(b).split()) - _LEGAL_WORDS
    if not words_a or not words_b:
        return True
    return words_a <= words_b or words_b <= words_a or len(words_a & words_b) / len(words_a | words_b) >= 0.5


def letter_context(
    fields: Sequence[ExtractedField], siren: str | None, raison_sociale: str | None, today: dt.date
) -> list[Check]:
    """Findings that need the dossier's bailleur and today's date, not its form."""
    named = by_name(fields)
    checks: list[Check] = []
    validity = named.get("date_validite")
    if validity is not None:
        try:
            until = dt.date.fromisoformat(str(validity.value))
        except ValueError:
            until = None
        if until is not None and until < today:
            checks.append(Check(
                code="offre_expiree", severity="attention", page=validity.page,
                message_fr=f"La lettre n'est plus valable : sa validité a pris fin le {until.strftime('%d/%m/%Y')}.",
            ))
    letter_siren = named.get("emprunteur.siren")
    if siren and letter_siren is not None and str(letter_siren.value) != siren:
        # Blocking only when the SIREN was read for sure (a text layer, a valid check digit): a letter for
        # another company is not a letter for this dossier. Read by OCR, the instructor verifies it.
        sure = letter_siren.confidence >= HIGH_CONFIDENCE
        checks.append(Check(
            code="autre_bailleur", severity="bloquant" if sure else "attention", page=letter_siren.page,
            message_fr=f"La lettre d'offre est adressée au SIREN {letter_siren.value}, pas à celui du bailleur du "
            f"dossier ({siren}) : elle ne peut pas servir pour ce dossier. Déposez la lettre d'offre adressée au "
            "bailleur du dossier." if sure else
            f"La lettre d'offre semble adressée au SIREN {letter_siren.value}, pas à celui du bailleur du dossier "
            f"({siren}) ; la lecture n'est pas certaine, l'instructeur la vérifiera.",
        ))
    letter_name = named.get("emprunteur.raison_sociale")
    if raison_sociale and letter_name is not None and not same_company(str(letter_name.value), raison_sociale):
        checks.append(Check(
            code="autre_bailleur_nom", severity="attention", page=letter_name.page,
            message_fr=f"La lettre nomme l'emprunteur « {letter_name.value} », pas « {raison_sociale} ».",
        ))
    return checks


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def letter_vs_form(fields: Sequence[ExtractedField], form_loans: Sequence[Any]) -> list[Check]:
    """Loan count, each amount to the cent, kind foncier/bâti, duration and total: letter against form.
    Each difference is for the instructor (`attention`): the form stays the reference, and a value read in
    a letter is not certain enough to make a dossier incomplete.

    `form_loans` are `ami.domain.models.Loan` (kind, produit, montant_eur, duree_mois). Loans are paired by
    amount and kind first, then in order, so a letter listing them in another order is not a difference.
    """
    said = letter_loans(fields)
    checks: list[Check] = []
    if not said:
        if form_loans:
            checks.append(Check(code="prets_non_lus", severity="attention", piece="lettre_offre",
                                message_fr="Aucun prêt n'a pu être lu dans la lettre d'offre ; comparez-la au "
                                "formulaire à la main."))
        return checks
    page = next(iter(said[0].values())).page
    if len(said) != len(form_loans):
        checks.append(Check(
            code="ecart_nombre_prets", severity="attention", page=page, piece="lettre_offre",
            message_fr=f"La lettre d'offre compte {compte(len(said), 'prêt')}, le formulaire "
            f"{compte(len(form_loans), 'prêt')}.",
        ))
    pairs = _pair(said, list(form_loans))
    for number, (letter, loan) in enumerate(pairs, start=1):
        label = f"Prêt n° {number}"
        amount = _decimal(letter["montant_eur"].value) if "montant_eur" in letter else None
        if amount is not None and amount != loan.montant_eur:
            checks.append(Check(
                code="ecart_montant", severity="attention", page=letter["montant_eur"].page, piece="lettre_offre",
                message_fr=f"{label} : la lettre indique {format_euros_fr(amount)}, le formulaire "
                f"{format_euros_fr(loan.montant_eur)}.",
            ))
        nature = letter.get("nature")
        if nature is not None and nature.value != loan.kind:
            checks.append(Check(
                code="ecart_nature", severity="attention", page=nature.page, piece="lettre_offre",
                message_fr=f"{label} : la lettre le dit {_NATURES.get(str(nature.value), nature.value)}, le "
                f"formulaire {_NATURES.get(loan.kind, loan.kind)}.",
            ))
        durations = [letter[k].value for k in ("duree_amortissement_mois",) if k in letter]
        if durations:
            amortissement = int(durations[0])
            prefinancement = int(letter["duree_prefinancement_mois"].value) if "duree_prefinancement_mois" in letter \
                else 0
            if loan.duree_mois not in (amortissement, amortissement + prefinancement):
                checks.append(Check(
                    code="ecart_duree", severity="attention", page=letter["duree_amortissement_mois"].page,
                    piece="lettre_offre",
                    message_fr=f"{label} : la lettre indique une durée d'amortissement de {amortissement} mois, le "
                    f"formulaire {loan.duree_mois} mois.",
                ))
        product = letter.get("produit")
        if product is not None and str(product.value).upper() != loan.produit.upper():
            checks.append(Check(
                code="ecart_produit", severity="attention", page=product.page, piece="lettre_offre",
                message_fr=f"{label} : la lettre indique un prêt {product.value}, le formulaire {loan.produit}.",
            ))
    letter_total = _letter_total(fields, said)
    form_total = sum((loan.montant_eur for loan in form_loans), Decimal(0))
    if letter_total is not None and letter_total != form_total:
        checks.append(Check(
            code="ecart_total", severity="attention", page=page, piece="lettre_offre",
            message_fr=f"Le total des prêts de la lettre est {format_euros_fr(letter_total)}, celui du formulaire "
            f"{format_euros_fr(form_total)}.",
        ))
    return checks


def _letter_total(fields: Sequence[ExtractedField], said: list[dict[str, ExtractedField]]) -> Decimal | None:
    stated = by_name(fields).get("montant_total_eur")
    if stated is not None:
        return _decimal(stated.value)
    amounts = [_decimal(loan["montant_eur"].value) for loan in said if "montant_eur" in loan]
    if len(amounts) != len(said) or None in amounts:
        return None
    return sum((a for a in amounts if a is not None), Decimal(0))


def _pair(said: list[dict[str, ExtractedField]], form: list[Any]) -> list[tuple[dict[str, ExtractedField], Any]]:
    pairs: list[tuple[int, dict[str, ExtractedField], Any]] = []
    free_said = list(range(len(said)))
    free_form = list(range(len(form)))
    for i in list(free_said):
        amount = _decimal(said[i]["montant_eur"].value) if "montant_eur" in said[i] else None
        nature = said[i]["nature"].value if "nature" in said[i] else None
        twin = next((j for j in free_form if form[j].montant_eur == amount and nature in (None, form[j].kind)), None)
        if twin is not None:
            pairs.append((i, said[i], form[twin]))
            free_said.remove(i)
            free_form.remove(twin)
    for i, j in zip(free_said, free_form, strict=False):
        pairs.append((i, said[i], form[j]))
    return [(letter, loan) for _, letter, loan in sorted(pairs, key=lambda p: p[0])]


# ---------------------------------------------------------------- dossier de présentation

_PRESENTATION_ROWS = (
    ("logements.total", "Nombre de logements"),
    ("surface_habitable_m2", "Surface habitable (m²)"),
    ("surface_utile_m2", "Surface utile (m²)"),
    ("loyer_mensuel_total_eur", "Loyers mensuels (€)"),
    ("loyer_m2_eur", "Loyer moyen (€/m² SH)"),
    ("loyer_m2_su_eur", "Loyer moyen (€/m² SU, unité du plafond LLI)"),
    ("transport.distance_m", "Arrêt de transport en commun le plus proche (m)"),
    ("qualite.classe_dpe", "Classe DPE"),
)


def presentation_vs_form(fields: Sequence[ExtractedField], operation: Any) -> tuple[list[ComparisonRow], list[Check]]:
    """Rows (document value beside form value) and a check for each difference; the form stays the reference.
    A difference on a value the score reads (transport distance, DPE class) is an `attention` check: the score
    retains the form's value and the instructor must look."""
    named = by_name(fields)
    form_values: dict[str, Decimal | None] = {
        "logements.total": Decimal(operation.logements.total) if operation.logements else None,
        "surface_habitable_m2": operation.surface_habitable_m2,
        "surface_utile_m2": operation.surface_utile_m2,
        "loyer_mensuel_total_eur": operation.loyer_mensuel_total_eur,
        "loyer_m2_eur": (operation.loyer_mensuel_total_eur / operation.surface_habitable_m2).quantize(Decimal("0.01"))
        if operation.loyer_mensuel_total_eur and operation.surface_habitable_m2 else None,
    }
    form_values["loyer_m2_su_eur"] = (
        (operation.loyer_mensuel_total_eur / operation.surface_utile_m2).quantize(Decimal("0.01"))
        if operation.loyer_mensuel_total_eur and operation.surface_utile_m2 else None)
    transport = getattr(operation, "transport", None)
    form_values["transport.distance_m"] = (
        Decimal(transport.distance_m) if transport is not None and transport.distance_m is not None else None)
    quality = getattr(operation, "qualite_construction", None)
    form_text = {"qualite.classe_dpe": quality.classe_dpe if quality is not None else None}
    if (stops := named.get("environnement.transports")) is not None and \
            (nearest := nearest_transport_m(str(stops.value))) is not None:
        named["transport.distance_m"] = stops.model_copy(update={"value": str(nearest)})
    if (dpe := named.get("energie.dpe")) is not None:
        named["qualite.classe_dpe"] = dpe
    if operation.logements:
        for typ in ("t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus"):
            form_values[f"logements.{typ}"] = Decimal(getattr(operation.logements, typ))
    rows: list[ComparisonRow] = []
    checks: list[Check] = []
    labels = dict(_PRESENTATION_ROWS) | {f"logements.{t}": f"Logements {t.upper().replace('_', ' ')}"
                                        for t in ("t1", "t1_bis", "t2", "t3", "t4", "t5", "t6_plus")}
    for name, label in labels.items():
        document = named.get(name)
        if name in form_text:
            text = form_text[name]
            if document is None and text is None:
                continue
            rows.append(ComparisonRow(champ=name, libelle=label, document=None if document is None else document.value,
                                      formulaire=text, page=None if document is None else document.page))
            if document is not None and text is not None and str(document.value).strip().upper() != text:
                checks.append(Check(
                    code="ecart_presentation", severity="attention", page=document.page, piece="dossier_presentation",
                    message_fr=f"{label} : le dossier de présentation indique {document.value}, le formulaire {text} ; "
                    f"le score retient le formulaire.",
                ))
            continue
        form_value = form_values.get(name)
        if document is None and form_value is None:
            continue
        rows.append(ComparisonRow(champ=name, libelle=label, document=None if document is None else document.value,
                                  formulaire=None if form_value is None else str(form_value),
                                  page=None if document is None else document.page))
        doc_value = _decimal(document.value) if document is not None else None
        tolerance = Decimal("0.01") if name == "loyer_m2_eur" else Decimal(0)
        if doc_value is not None and form_value is not None and abs(doc_value - form_value) > tolerance:
            scored = name == "transport.distance_m"  # the score reads it: the instructor must look
            checks.append(Check(
                code="ecart_presentation", severity="attention" if scored else "info",
                page=document.page if document else None,
                piece="dossier_presentation",
                message_fr=f"{label} : le dossier de présentation indique {document.value if document else ''}, "
                f"le formulaire {form_value}.",
            ))
    return rows, checks


# ---------------------------------------------------------------- what the instructor sees


def instruction_view(
    records: Sequence[Any], dossier: Any
) -> tuple[list[Check], dict[str, list[ExtractedField]], list[ComparisonRow]]:
    """Checks (the deposited pieces' own, then the documents against the form), fields by piece, and the
    dossier de présentation's values beside the form's.

    `records` are `ami.domain.models.PieceRecord`; the deposited version of each piece is the one the envoi froze,
    or else the latest accepted one."""
    chosen: dict[str, Any] = {}
    frozen = dossier.envoi.pieces if dossier.envoi else {}
    for record in sorted(records, key=lambda r: r.received_at):
        if not record.accepted:
            continue
        if record.piece in frozen:
            if frozen[record.piece].version_id == record.version_id:
                chosen[record.piece] = record
        else:
            chosen[record.piece] = record
    checks: list[Check] = []
    fields: dict[str, list[ExtractedField]] = {}
    rows: list[ComparisonRow] = []
    programmation = chosen.get("tableau_programmation")
    if programmation is not None:  # a DROM programmation: the workbook's own checks, then against the form
        checks.extend(programmation.checks)
        fields["tableau_programmation"] = list(programmation.fields)
        checks.extend(programmation_vs_form(programmation.fields, dossier.form.programmation))
    for piece in ("lettre_offre", "dossier_presentation"):
        record = chosen.get(piece)
        if record is None:
            continue
        checks.extend(record.checks)
        fields[piece] = list(record.fields)
        if any(c.code == "sans_texte" for c in record.checks):
            continue  # nothing was read: the instructor reads it
        if piece == "lettre_offre":
            checks.extend(letter_vs_form(record.fields, dossier.form.prets))
        else:
            rows, found = presentation_vs_form(record.fields, dossier.form.operation)
            checks.extend(found)
    return checks, fields, rows


# ---------------------------------------------------------------- DROM: the form's synthesis against the workbook

SYNTHESIS_WORDS = {  # each figure of a filière's line, as the sentence names it
    "operations": "le nombre d'opérations",
    "logements": "le nombre de logements",
    "montant_pret_eur": "le montant des prêts sollicités",
}


def _synthesis_figure(name: str, value: Decimal) -> str:
    if name == "montant_pret_eur":
        return format_euros_fr(value)
    return f"{int(value):,}".replace(",", "\u202f")


def programmation_vs_form(fields: Sequence[ExtractedField], form: Any) -> list[Check]:
    """The synthesis the bailleur reported onto the form (`ProgrammationForm`) beside the one intake recomputed
    from the workbook's rows (fields `synthese.<filière>.<figure>`, which the « données pour formulaire » tab
    holds when its formulas were kept): each difference is a check the bailleur sees before the envoi, and the
    delegation after it (`attention`: the workbook is what is instructed)."""
    read: dict[str, dict[str, Decimal]] = {}
    for f in fields:
        parts = f.name.split(".")
        if len(parts) == 3 and parts[0] == "synthese" and parts[2] in SYNTHESIS_WORDS:
            read.setdefault(parts[1], {})[parts[2]] = Decimal(f.value)
    reported = {line.filiere: line for line in (form.synthese if form is not None else [])}
    checks: list[Check] = []

    def check(text: str) -> None:
        checks.append(Check(code="synthese_formulaire_differente", severity="attention", message_fr=text,
                            piece="tableau_programmation"))

    for filiere in [*read, *(f for f in reported if f not in read)]:
        workbook, line = read.get(filiere), reported.get(filiere)
        if line is None:
            assert workbook is not None
            n = int(workbook.get("operations", 0))
            check(f"La filière {filiere} figure au tableau de programmation ({compte(n, 'opération')}) mais "
                  "n'est pas reportée au formulaire.")
            continue
        if workbook is None:
            check(f"La filière {filiere} est reportée au formulaire mais ne figure pas au tableau de "
                  "programmation.")
            continue
        for name, words in SYNTHESIS_WORDS.items():
            given, want = Decimal(getattr(line, name)), workbook.get(name, Decimal(0))
            if given != want:
                check(f"Filière {filiere} : {words} reporté au formulaire ({_synthesis_figure(name, given)}) "
                      f"diffère de celui du tableau de programmation ({_synthesis_figure(name, want)}).")
    return checks

