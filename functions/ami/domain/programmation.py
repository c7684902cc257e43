"""The DROM tableau de programmation: the template ALS serves, and the examination of a deposited workbook.

The template (`template()`) has one row per operation on the « Programmation » tab, typed columns with data
validation lists (filière, nature, commune), protected headers, and the « données pour formulaire » tab
computed from the rows by formulas; the bailleur reports that tab onto the form.

`examine(data, rules)` refuses, with the reason in French, what is not a safe workbook of the template: not an
OOXML workbook, macros, encryption, external links or data connections, more decompressed data than a
workbook of this size can hold (each part inflated through a bounded read: a zip bomb costs at most
`MAX_DECOMPRESSED`), too many sheets or rows, a missing tab or column, a value of the wrong type. It then
reads the rows and recomputes the synthesis itself, never trusting a formula's cached value: the « données
pour formulaire » tab is compared with that recomputation, and so is the form (`rules.programmation_gaps`).

openpyxl (read-only, formulas as written) is imported lazily: only intake and the template pay for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ami.domain.dispositif import PieceRules
from ami.domain.drom import OperationRow, eligibility_checks
from ami.domain.errors import PieceRefused
from ami.domain.extraction import Check, ExtractedField
from ami.domain.models import DEPARTEMENTS_DROM, FILIERES

ROWS_TAB = "Programmation"
SYNTHESIS_TAB = "données pour formulaire"
LISTS_TAB = "Listes"
NAME = "le tableau de programmation"
MAX_DECOMPRESSED = 64 * 1_048_576  # every part of the package inflated, counted, never kept
MAX_MEMBERS = 2_000
HEADER_SEARCH = 15  # the header row is looked for in the first rows (titles, merged cells above it)
MAX_CELL_ERRORS = 5  # shown in the refusal; the count says how many more
MAX_PRIORITY_FIELDS = 200  # operations whose priority assessment is kept with the piece's record

NATURES: dict[str, str] = {
    "construction_neuve": "Construction neuve",
    "acquisition": "Acquisition",
    "acquisition_amelioration": "Acquisition-amélioration",
    "rehabilitation": "Réhabilitation",
    "demolition": "Démolition",
    "demolition_reconstruction": "Démolition-reconstruction",
}
ColumnType = Literal["text", "insee", "filiere", "nature", "int", "euros", "date", "oui_non", "dpe"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: ColumnType
    required: bool
    width: int = 18


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Référence de l'opération", "text", True, 16),
    Column("nom", "Nom de l'opération", "text", True, 30),
    Column("commune", "Commune (code INSEE)", "insee", True),
    Column("filiere", "Filière", "filiere", True, 10),
    Column("nature", "Nature de l'opération", "nature", True, 24),
    Column("logements", "Nombre de logements", "int", True, 12),
    Column("montant", "Montant du prêt sollicité (€)", "euros", True),
    Column("date_agrement", "Date d'agrément, de déclaration LI ou d'accord de prêt PLI", "date", False),
    Column("date_os", "Date de l'ordre de service des travaux", "date", False),
    Column("date_demolition", "Date de l'autorisation de démolition", "date", False),
    Column("acv", "Action Cœur de Ville", "oui_non", False, 10),
    Column("dpe", "Étiquette DPE visée", "dpe", False, 10),
    Column("rtaa", "Attestation RTAA-DOM prévue", "oui_non", False, 12),
    Column("lien_emploi", "Lien emploi-logement (justification)", "text", False, 40),
)
SYNTHESIS_HEADERS = ("Filière", "Nombre d'opérations", "Nombre de logements", "Montant des prêts sollicités (€)")
SYNTHESIS_FIELDS = ("operations", "logements", "montant_pret_eur")


# ---------------------------------------------------------------- shared helpers


def normalise(text: object) -> str:
    """A header or a choice as compared: case, accents, punctuation and spacing ignored."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


_HEADERS = {normalise(c.label): c for c in COLUMNS}
_FILIERES = {normalise(code): code for code in FILIERES} | {normalise(label): code for code, label in FILIERES.items()}
_NATURES = {normalise(label): code for code, label in NATURES.items()} | {normalise(c): c for c in NATURES}


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------- the template


def _formulas(row: int) -> tuple[str, str, str]:
    """The « données pour formulaire » formulas of row `row` (its filière in column A)."""
    col = {c.key: column_letter(i) for i, c in enumerate(COLUMNS)}
    last = 5001

    def rng(key: str) -> str:
        return f"{ROWS_TAB}!${col[key]}$2:${col[key]}${last}"

    return (f"=COUNTIF({rng('filiere')},$A{row})",
            f"=SUMIF({rng('filiere')},$A{row},{rng('logements')})",
            f"=SUMIF({rng('filiere')},$A{row},{rng('montant')})")


def template(communes: Iterable[tuple[str, str]] = ()) -> bytes:
    """The tableau de programmation as served to bailleurs (`communes`: INSEE code and name of the DROM
    communes offered in the commune list)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = ROWS_TAB
    lists = wb.create_sheet(LISTS_TAB)
    synthesis = wb.create_sheet(SYNTHESIS_TAB)
    lists.sheet_state = "hidden"
    for i, code in enumerate(FILIERES, start=1):
        lists.cell(row=i, column=1, value=code)
    for i, label in enumerate(NATURES.values(), start=1):
        lists.cell(row=i, column=2, value=label)
    rows = sorted(communes)
    for i, (insee, _nom) in enumerate(rows, start=1):
        lists.cell(row=i, column=3, value=insee)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i, value=column.label)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[column_letter(i - 1)].width = column.width
    # Only the header row is locked: the rows stay free to fill once the sheet is protected.
    for i in range(1, len(COLUMNS) + 1):
        letter = column_letter(i - 1)
        ws.column_dimensions[letter].protection = Protection(locked=False)
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.sort = False
    ws.protection.autoFilter = False
    ws.freeze_panes = "A2"
    col = {c.key: column_letter(i) for i, c in enumerate(COLUMNS)}
    validations = [
        (DataValidation(type="list", formula1=f"={LISTS_TAB}!$A$1:$A${len(FILIERES)}", allow_blank=True), "filiere"),
        (DataValidation(type="list", formula1=f"={LISTS_TAB}!$B$1:$B${len(NATURES)}", allow_blank=True), "nature"),
        (DataValidation(type="whole", operator="between", formula1="0", formula2="100000", allow_blank=True),
         "logements"),
        (DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True), "montant"),
        (DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True), "acv"),
        (DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True), "rtaa"),
        (DataValidation(type="list", formula1='"A,B,C,D,E,F,G"', allow_blank=True), "dpe"),
    ]
    if rows:
        validations.append(
            (DataValidation(type="list", formula1=f"={LISTS_TAB}!$C$1:$C${len(rows)}", allow_blank=True), "commune"))
    for key in ("date_agrement", "date_os", "date_demolition"):
        validations.append((DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True),
                            key))
    for validation, key in validations:
        validation.error = "Choisissez une valeur de la liste ou saisissez une valeur du type attendu."
        validation.errorTitle = "Valeur invalide"
        validation.add(f"{col[key]}2:{col[key]}5001")
        ws.add_data_validation(validation)
    for i, header in enumerate(SYNTHESIS_HEADERS, start=1):
        cell = synthesis.cell(row=1, column=i, value=header)
        cell.font, cell.fill = bold, fill
        synthesis.column_dimensions[column_letter(i - 1)].width = 24
    for r, code in enumerate(FILIERES, start=2):
        synthesis.cell(row=r, column=1, value=code)
        for c, formula in enumerate(_formulas(r), start=2):
            synthesis.cell(row=r, column=c, value=formula)
    synthesis.protection.sheet = True  # computed from the rows: nothing to type here
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- examination


@dataclass(frozen=True)
class SynthesisLine:
    filiere: str
    operations: int
    logements: int
    montant_pret_eur: Decimal


@dataclass(frozen=True)
class ProgrammationReport:
    sha256: str
    size: int
    rows: tuple[OperationRow, ...]
    synthesis: tuple[SynthesisLine, ...]
    checks: tuple[Check, ...] = ()
    fields: tuple[ExtractedField, ...] = field(default=())


def _refuse(code: str, message: str) -> PieceRefused:
    return PieceRefused(code, message)


def _package(data: bytes, rules: PieceRules) -> None:
    """Structure and safety, from the package alone (before any spreadsheet parser sees it)."""
    if data[:4] == b"\xd0\xcf\x11\xe0":
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse("chiffre", f"Le fichier est protégé par un mot de passe : nous ne pouvons pas lire {NAME}. "
                          "Enregistrez-le sans mot de passe puis déposez-le à nouveau.")
        raise _refuse("pas_un_classeur", "Le fichier est au format Excel 97-2003 (.xls). Enregistrez-le au format "
                      "« Classeur Excel (.xlsx) » puis déposez-le à nouveau.")
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse("pas_un_classeur", f"Le fichier n'est pas un classeur Excel (.xlsx). Déposez {NAME} établi "
                      "sur le modèle téléchargé depuis la plateforme.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse("corrompu", f"Le fichier Excel est endommagé et ne peut pas être ouvert. Déposez à nouveau "
                      f"{NAME}.") from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse("pas_un_classeur", f"Le fichier n'est pas un classeur Excel (.xlsx). Déposez {NAME} établi "
                      "sur le modèle téléchargé depuis la plateforme.")
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_DECOMPRESSED:
        raise _bomb()
    content_types = _bounded(zf, "[Content_Types].xml", 1_048_576)
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise _refuse("macros", "Le classeur contient des macros : ce type de fichier n'est pas accepté. "
                      "Enregistrez-le au format « Classeur Excel (.xlsx) », sans macro, puis déposez-le à nouveau.")
    if any(n.startswith("xl/externalLinks/") for n in names) or "xl/connections.xml" in names:
        raise _refuse("liens_externes", "Le classeur contient des liaisons vers d'autres fichiers ou des connexions "
                      "à des données externes. Supprimez-les (Données > Modifier les liens d'accès) puis déposez-le "
                      "à nouveau.")
    total = 0
    for info in infos:  # the sizes announced may lie: each part is inflated, counted and dropped
        total += _inflated(zf, info.filename, MAX_DECOMPRESSED - total)
    workbook = _bounded(zf, "xl/workbook.xml", 4 * 1_048_576)
    sheets = len(re.findall(rb"<(?:\w+:)?sheet\b", workbook))
    assert rules.max_sheets is not None
    if sheets > rules.max_sheets:
        raise _refuse("trop_d_onglets", f"Le classeur compte {sheets} onglets ; {NAME} en compte au plus "
                      f"{rules.max_sheets}. Déposez le classeur du modèle, sans onglet ajouté.")


def _bomb() -> PieceRefused:
    return _refuse("bombe_decompression", "Le classeur occupe, une fois décompressé, bien plus de place qu'un "
                   f"tableau de programmation : il n'a pas été ouvert. Déposez à nouveau {NAME}.")


def _bounded(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """The part `name` inflated, `limit` bytes at most (past it, a zip bomb)."""
    out = io.BytesIO()
    seen = 0
    try:
        with zf.open(name) as part:
            while chunk := part.read(1_048_576):
                seen += len(chunk)
                if seen > limit:
                    raise _bomb()
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse("corrompu", f"Le fichier Excel est endommagé et ne peut pas être ouvert. Déposez à nouveau "
                      f"{NAME}.") from exc
    return out.getvalue()


def _inflated(zf: zipfile.ZipFile, name: str, limit: int) -> int:
    seen = 0
    try:
        with zf.open(name) as part:
            while chunk := part.read(1_048_576):
                seen += len(chunk)
                if seen > limit:
                    raise _bomb()
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _refuse("corrompu", f"Le fichier Excel est endommagé et ne peut pas être ouvert. Déposez à nouveau "
                      f"{NAME}.") from exc
    return seen


# ---------------------------------------------------------------- reading the rows

_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_DATE_FR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class _CellError(ValueError):
    pass


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _CellError("n'est pas un nombre")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _SPACES.sub("", str(value)).replace("€", "").replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise _CellError("n'est pas un nombre") from exc


def _parse(column: Column, value: Any) -> Any:
    if isinstance(value, str) and value.startswith("="):
        raise _CellError("est une formule : saisissez la valeur elle-même")
    kind = column.type
    if kind == "text":
        return str(value).strip()
    if kind == "insee":
        code = str(int(value)) if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
        code = code.strip()
        if not re.fullmatch(r"97[12346][0-9]{2}", code) or code[:3] not in DEPARTEMENTS_DROM:
            raise _CellError("n'est pas le code INSEE d'une commune des DROM")
        return code
    if kind == "filiere":
        found = _FILIERES.get(normalise(value))
        if found is None:
            raise _CellError(f"n'est pas une filière de la liste ({', '.join(FILIERES)})")
        return found
    if kind == "nature":
        found = _NATURES.get(normalise(value))
        if found is None:
            raise _CellError("n'est pas une nature d'opération de la liste")
        return found
    if kind == "int":
        n = _number(value)
        if n != n.to_integral_value() or n < 0:
            raise _CellError("n'est pas un nombre entier positif")
        return int(n)
    if kind == "euros":
        n = _number(value)
        if n < 0:
            raise _CellError("est négatif")
        return n.quantize(Decimal("0.01"))
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        m = _DATE_FR.match(text)
        try:
            return dt.date(int(m[3]), int(m[2]), int(m[1])) if m else dt.date.fromisoformat(text)
        except ValueError as exc:
            raise _CellError("n'est pas une date (jj/mm/aaaa)") from exc
    if kind == "oui_non":
        if isinstance(value, bool):
            return value
        word = normalise(value)
        if word not in ("oui", "non"):
            raise _CellError("n'est ni « Oui » ni « Non »")
        return word == "oui"
    letter = str(value).strip().upper()
    if letter not in ("A", "B", "C", "D", "E", "F", "G"):
        raise _CellError("n'est pas une étiquette DPE (A à G)")
    return letter


def _blank(values: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _find_sheet(wb: Any, title: str) -> Any:
    wanted = normalise(title)
    return next((wb[name] for name in wb.sheetnames if normalise(name) == wanted), None)


def _header(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    """The header row (0-based among `rows`) and each known column's position; the best row's gaps refuse."""
    best: tuple[int, dict[str, int]] = (0, {})
    for index, values in enumerate(rows):
        found = {}
        for position, value in enumerate(values):
            column = _HEADERS.get(normalise(value)) if value is not None else None
            if column is not None and column.key not in found:
                found[column.key] = position
        if len(found) > len(best[1]):
            best = (index, found)
    missing = [c.label for c in COLUMNS if c.required and c.key not in best[1]]
    if missing:
        listed = " ; ".join(f"« {label} »" for label in missing)
        raise _refuse("colonnes_manquantes", f"Il manque à l'onglet « {ROWS_TAB} » "
                      f"{'la colonne' if len(missing) == 1 else 'les colonnes'} {listed}. Déposez {NAME} établi "
                      "sur le modèle téléchargé depuis la plateforme.")
    return best


def _cell_message(errors: list[str]) -> str:
    shown = " ; ".join(errors[:MAX_CELL_ERRORS])
    more = len(errors) - MAX_CELL_ERRORS
    plural = "s" if more > 1 else ""
    tail = f" ; et {more} autre{plural} valeur{plural} invalide{plural}" if more > 0 else ""
    return (f"Le tableau de programmation contient des valeurs invalides : {shown}{tail}. Corrigez-les puis "
            "déposez-le à nouveau.")


def read_rows(ws: Any, max_rows: int) -> tuple[OperationRow, ...]:
    """The operations of the « Programmation » tab: blank rows skipped, columns found by their header
    wherever they stand, each value typed; every invalid value is named in the refusal."""
    it = ws.iter_rows(values_only=True)
    head: list[tuple[Any, ...]] = []
    for values in it:
        head.append(values)
        if len(head) == HEADER_SEARCH:
            break
    header_index, positions = _header(head)
    columns = [(c, positions[c.key]) for c in COLUMNS if c.key in positions]
    rows: list[OperationRow] = []
    errors: list[str] = []

    def take(line: int, values: tuple[Any, ...]) -> None:
        if _blank(values):
            return
        if len(rows) + 1 > max_rows:
            raise _refuse("trop_de_lignes", f"Le tableau de programmation compte plus de {max_rows} opérations, "
                          "le nombre maximal pour un département. Vérifiez qu'il ne contient que les opérations "
                          "du département puis déposez-le à nouveau.")
        parsed: dict[str, Any] = {}
        for column, position in columns:
            value = values[position] if position < len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required:
                    errors.append(f"ligne {line}, « {column.label} » n'est pas renseignée")
                continue
            try:
                parsed[column.key] = _parse(column, value)
            except _CellError as bad:
                errors.append(f"ligne {line}, « {column.label} » {bad}")
        if all(c.key in parsed for c in COLUMNS if c.required):
            rows.append(OperationRow(line=line, **parsed))

    for offset, values in enumerate(head[header_index + 1:], start=header_index + 2):
        take(offset, values)
    for line, values in enumerate(it, start=len(head) + 1):
        take(line, values)
    if errors:
        raise _refuse("valeurs_invalides", _cell_message(errors))
    return tuple(rows)


def synthesis_of(rows: Iterable[OperationRow]) -> tuple[SynthesisLine, ...]:
    """The « données pour formulaire » recomputed from the rows, one line per filière present."""
    out: dict[str, list[Any]] = {}
    for row in rows:
        line = out.setdefault(row.filiere, [0, 0, Decimal(0)])
        line[0] += 1
        line[1] += row.logements
        line[2] += row.montant
    return tuple(SynthesisLine(f, *out[f]) for f in FILIERES if f in out)


def _synthesis_checks(ws: Any, computed: tuple[SynthesisLine, ...]) -> list[Check]:
    """The tab's figures beside the recomputation: formulas of the template are the recomputation by
    construction; typed figures are compared; anything else is said."""
    by_filiere = {line.filiere: line for line in computed}
    checks: list[Check] = []
    seen: set[str] = set()
    for r, values in enumerate(ws.iter_rows(min_row=1, max_row=40, max_col=4, values_only=True), start=1):
        code = _FILIERES.get(normalise(values[0])) if values and values[0] is not None else None
        if code is None or code in seen:
            continue
        seen.add(code)
        expected = by_filiere.get(code, SynthesisLine(code, 0, 0, Decimal(0)))
        for c, name in enumerate(SYNTHESIS_FIELDS, start=1):
            value = values[c] if c < len(values) else None
            want = getattr(expected, name)
            label = SYNTHESIS_HEADERS[c].lower()
            if isinstance(value, str) and value.startswith("="):
                if value.replace(" ", "") != _formulas(r)[c - 1].replace(" ", ""):
                    checks.append(Check(code="synthese_formule_modifiee", severity="attention",
                                        message_fr=f"Onglet « {SYNTHESIS_TAB} », filière {code} : la formule du "
                                        f"{label} a été modifiée ; la plateforme retient {_fr(want)}, calculé "
                                        "à partir des lignes.", piece="tableau_programmation"))
                continue
            try:
                given = _number(value) if value is not None else None
            except _CellError:
                given = None
            if given is None or given != Decimal(want):
                checks.append(Check(code="synthese_differente", severity="attention",
                                    message_fr=f"Onglet « {SYNTHESIS_TAB} », filière {code} : le {label} indiqué "
                                    f"({_fr(value)}) diffère de celui des lignes de l'onglet « {ROWS_TAB} » "
                                    f"({_fr(want)}).", piece="tableau_programmation"))
    return checks


def _fr(value: Any) -> str:
    if value is None:
        return "vide"
    if isinstance(value, Decimal) and value != value.to_integral_value():
        whole, cents = f"{value:.2f}".split(".")
        return f"{int(whole):,}".replace(",", "\u202f") + f",{cents}"
    if isinstance(value, int | Decimal):
        return f"{int(value):,}".replace(",", "\u202f")
    return str(value)


def examine(data: bytes, rules: PieceRules, declared_size: int | None = None,
            grille: str | None = None) -> ProgrammationReport:
    """Check `data` as a tableau de programmation; raise `PieceRefused` with a stable code if it cannot be one.
    With a priorities `grille` (the dispositif's), each operation's assessment on priorities 1 to 4 is read too,
    as fields `priorite.<référence>` for the delegation's instructors."""
    if not data:
        raise _refuse("vide_octets", f"Le fichier déposé est vide (0 octet). Déposez à nouveau {NAME}.")
    size = max(len(data), declared_size or 0)
    if size > rules.max_bytes:
        raise _refuse("trop_volumineux", f"Le fichier pèse {size / 1_048_576:.1f} Mo ; la taille maximale pour "
                      f"{NAME} est de {rules.max_bytes // 1_048_576} Mo.".replace(".", ",", 1))
    _package(data, rules)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # a package openpyxl cannot read is no workbook of ours, whatever the reason
        raise _refuse("corrompu", f"Le fichier Excel est endommagé et ne peut pas être ouvert. Déposez à nouveau "
                      f"{NAME}.") from exc
    try:
        rows_ws, synthesis_ws = _find_sheet(wb, ROWS_TAB), _find_sheet(wb, SYNTHESIS_TAB)
        missing = [t for t, ws in ((ROWS_TAB, rows_ws), (SYNTHESIS_TAB, synthesis_ws)) if ws is None]
        if missing:
            listed = " et ".join(f"« {t} »" for t in missing)
            tabs = "l'onglet" if len(missing) == 1 else "les onglets"
            raise _refuse("onglets_manquants", f"Il manque au classeur {tabs} "
                          f"{listed}. Déposez {NAME} établi sur le modèle téléchargé depuis la plateforme.")
        assert rules.max_rows is not None
        rows = read_rows(rows_ws, rules.max_rows)
        computed = synthesis_of(rows)
        checks = _synthesis_checks(synthesis_ws, computed)
    finally:
        wb.close()
    checks += eligibility_checks(rows)
    fields = tuple(
        ExtractedField(name=f"synthese.{line.filiere}.{name}", value=str(getattr(line, name)),
                       source=f"lignes de l'onglet « {ROWS_TAB} »", confidence=1.0)
        for line in computed for name in SYNTHESIS_FIELDS
    )
    if grille is not None:
        from ami.domain.drom import grille as load_grille
        from ami.domain.drom import priorities

        g = load_grille(grille)
        assessed = priorities(rows, g)
        counts = {k: sum((p.priorite if not p.ecartee else 0) == k for p in assessed) for k in (2, 3, 4, 0)}
        summary = (f"priorité 2 : {counts[2]} ; priorité 3 : {counts[3]} ; priorité 4 : {counts[4]} ; "
                   f"écartées : {counts[0]}")
        fields += (ExtractedField(name="priorites", value=summary, source=f"grille {g.version}", confidence=1.0),)
        # Per operation, up to a bound: the piece's record stays far below DynamoDB's 400 KB item; the delegation
        # reads the rest in the workbook.
        fields += tuple(
            ExtractedField(name=f"priorite.{p.reference}", value="ecartee" if p.ecartee else str(p.priorite),
                           source=" ".join(p.explications) + f" (ligne {p.line} ; grille {g.version})",
                           confidence=1.0)
            for p in assessed[:MAX_PRIORITY_FIELDS]
        )
    return ProgrammationReport(sha256=hashlib.sha256(data).hexdigest(), size=len(data), rows=rows,
                               synthesis=computed, checks=tuple(checks), fields=fields)
