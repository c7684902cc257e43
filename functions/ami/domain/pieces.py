"""Validation of an uploaded piece, then what it says: is it a safe, readable PDF within the AMI's limits,
is it the piece it was uploaded as, and which fields can be read from it?

Pure: bytes in, a report or a `PieceRefused` out, whatever the bytes, within a wall-clock budget and a
bounded amount of decompressed data. Intake turns a refusal into a quarantine reason, so every message
speaks to the bailleur and says what to do next; `ami piece check` runs exactly the same function.

Structure and safety come from a scan of the raw bytes (every stream inflated through a bounded
decoder, names with #xx escapes included) and from pypdf (encryption, attachments); the text comes from
pypdfium2, page by page, because it is several times faster than pypdf's text extraction. Both are
imported lazily: a cold start that never examines a piece skips them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import io
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ami.domain.dispositif import PARIS, piece_rules
from ami.domain.errors import PieceRefused
from ami.domain.extraction import Check, ExtractedField
from ami.domain.models import PieceKind

if TYPE_CHECKING:
    from ami.domain.extraction.layout import PageLayout
    from ami.domain.extraction.ocr import OcrEngine

# Acrobat looks for the header in the first 1024 bytes and for %%EOF in the last 1024; following it
# accepts what opens on the instructor's desk and catches uploads cut short.
HEADER_WINDOW = 1024
EOF_WINDOW = 1024
EXAMINE_SECONDS = 20.0  # the intake function has 30 s
MAX_TOTAL_DECODED = 512 * 1_048_576  # every stream of the file inflated, counted, never kept
MAX_STREAM_DECODED = 96 * 1_048_576  # one stream: a 600 dpi colour A4 page is ~100 MB
_KEEP_OBJECT_STREAM = 8 * 1_048_576  # decoded object streams are scanned for actions too

REFUSAL_CODES = (
    "vide_octets", "trop_volumineux", "pas_un_pdf", "corrompu", "chiffre", "sans_page", "trop_de_pages",
    "javascript", "action_lancement", "piece_jointe_executable", "bombe_decompression", "trop_complexe",
    "mauvaise_piece",
)  # fmt: skip

_PIECE_NAMES: dict[PieceKind, str] = {
    "lettre_offre": "la lettre d'offre",
    "dossier_presentation": "le dossier de présentation",
    "tableau_programmation": "le tableau de programmation",
}

# (signature, what the file starts with as shown to the bailleur, what the file probably is)
_IMPOSTORS: tuple[tuple[bytes, str, str], ...] = (
    (b"PK", "PK", "comme un fichier Word, Excel ou une archive ZIP"),
    (b"\xd0\xcf\x11\xe0", "D0 CF 11 E0", "comme un ancien fichier Word ou Excel (.doc, .xls)"),
    (b"\x89PNG", "‰PNG", "c'est une image PNG"),
    (b"\xff\xd8\xff", "FF D8 FF", "c'est une image JPEG"),
    (b"GIF8", "GIF8", "c'est une image GIF"),
    (b"II*\x00", "II*", "c'est une image TIFF"),
    (b"MM\x00*", "MM", "c'est une image TIFF"),
    (b"{\\rtf", "{\\rtf", "c'est un document RTF"),
)
_HTML_STARTS = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")


@dataclass(frozen=True)
class PieceContext:
    """What the dossier expects of the piece: the letter must name this bailleur and still be valid."""

    siren: str | None = None
    raison_sociale: str | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class PieceReport:
    pages: int
    sha256: str
    size: int
    text_layer: bool  # at least one page yields extractable text
    fields: tuple[ExtractedField, ...] = ()
    checks: tuple[Check, ...] = ()
    kind: PieceKind | None = None  # what the text says the document is, when it says it


def examine(
    data: bytes,
    piece: PieceKind,
    declared_size: int | None = None,
    *,
    context: PieceContext | None = None,
    budget_seconds: float = EXAMINE_SECONDS,
    ocr: OcrEngine | None = None,
    name: str | None = None,
) -> PieceReport:
    """Check `data` as the given piece; raise `PieceRefused` with a stable code if it cannot be one.

    A lettre d'offre is read with the position of every word (`ami.domain.extraction.layout`); without a
    text layer it is read by `ocr` when one is given (the composition root chooses it, `ami.adapters.ocr`)."""
    rules = piece_rules(piece)
    assert rules.max_pages is not None, f"{piece} n'est pas une pièce PDF"
    name = name or _PIECE_NAMES[piece]  # another PDF checked by the rules of `piece` (the signed convention)
    budget = _Budget(time.monotonic() + budget_seconds, name)
    if not data:
        raise PieceRefused("vide_octets", f"Le fichier déposé est vide (0 octet). Déposez à nouveau {name}.")
    size = max(len(data), declared_size or 0)
    if size > rules.max_bytes:
        raise PieceRefused(
            "trop_volumineux",
            f"Le fichier pèse {_megabytes(size)} Mo ; la taille maximale pour {name} est de "
            f"{_megabytes(rules.max_bytes)} Mo. Réduisez-le (par exemple en baissant la résolution "
            "des images) puis déposez-le à nouveau.",
        )
    _check_signature(data, name)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise PieceRefused(
            "corrompu",
            f"Le fichier PDF est incomplet : sa fin manque, le dépôt a sans doute été interrompu. "
            f"Déposez à nouveau {name}.",
        )
    scan = _scan(data, name, budget)
    attachments, declared_pages = _open_structure(data, name, scan.has_attachments)
    checks: list[Check] = _active_content(scan, attachments, name)
    layouts: list[PageLayout] | None = [] if piece == "lettre_offre" else None
    pages = [] if declared_pages == 0 else _read_text(data, name, rules.max_pages, budget, layouts)
    if not pages:
        raise PieceRefused(
            "sans_page",
            f"Le fichier PDF ne contient aucune page. Déposez à nouveau {name}, avec toutes ses pages.",
        )
    text_layer = any(page.strip() for page in pages)
    report = PieceReport(
        pages=len(pages), sha256=hashlib.sha256(data).hexdigest(), size=len(data), text_layer=text_layer
    )
    if not text_layer and layouts is not None and ocr is not None:
        layouts = _read_scan(data, ocr, budget)
        if any(layout.words for layout in layouts):
            checks.append(Check(
                code="lettre_scannee", severity="attention", piece=piece,
                message_fr=f"La lettre d'offre est un document scanné, sans couche texte : ses champs ont été lus "
                f"par reconnaissance de caractères ({ocr.name}) avec une confiance réduite ; "
                "vérifiez-les sur le document.",
            ))
            return _read_fields(report, [layout.text for layout in layouts], piece, name, context or PieceContext(),
                                checks, layouts)
    if not text_layer:
        checks.append(Check(
            code="sans_texte", severity="attention", piece=piece,
            message_fr="Le document n'a pas de couche texte (document scanné) : ses champs n'ont pas pu être "
            "lus automatiquement, une lecture par l'instructeur est nécessaire.",
        ))
        return _with(report, (), checks)
    return _read_fields(report, pages, piece, name, context or PieceContext(), checks, layouts)


def _with(report: PieceReport, fields: tuple[ExtractedField, ...], checks: list[Check],
          kind: PieceKind | None = None) -> PieceReport:
    return PieceReport(report.pages, report.sha256, report.size, report.text_layer, fields, tuple(checks), kind)


def _read_fields(report: PieceReport, pages: list[str], piece: PieceKind, name: str, context: PieceContext,
                 checks: list[Check], layouts: list[PageLayout] | None = None) -> PieceReport:
    from ami.domain.extraction import compare, lettre_offre, presentation
    from ami.domain.extraction.document import Document, classify

    kind = classify(pages)
    if kind is not None and kind != piece:
        raise PieceRefused(
            "mauvaise_piece",
            f"Ce document ressemble à {_PIECE_NAMES[kind]}, pas à {name}. Déposez-le à l'emplacement de "
            f"{_PIECE_NAMES[kind]} et déposez ici {name}.",
        )
    if piece == "lettre_offre":
        doc = Document(pages, layouts)  # read once for both
        letter = lettre_offre.extract(doc)
        fields = tuple(letter.fields)
        checks += letter.checks
        checks += lettre_offre.other_guarantors(doc)
        checks += compare.letter_context(fields, context.siren, context.raison_sociale,
                                         context.today or dt.datetime.now(PARIS).date())  # the day in France
    else:
        fields = tuple(presentation.extract(pages))
    if kind is None:
        checks.append(Check(
            code="type_non_reconnu", severity="info",
            message_fr=f"Le texte du document ne permet pas de reconnaître {name} ; vérifiez qu'il s'agit bien "
            "de la bonne pièce.",
        ))
    return _with(report, fields, [c.model_copy(update={"piece": piece}) for c in checks], kind)


@dataclass
class _Budget:
    deadline: float
    name: str

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise PieceRefused(
                "trop_complexe",
                f"Le fichier PDF est trop complexe pour être examiné dans le temps imparti. Enregistrez "
                f"{self.name} à nouveau en PDF (impression en PDF, par exemple) puis déposez-le.",
            )


def _megabytes(size: int) -> str:
    """25 Mo, 30,2 Mo: French decimal comma, at most one decimal."""
    return f"{size / 1_048_576:.1f}".removesuffix(".0").replace(".", ",")


def _check_signature(data: bytes, name: str) -> None:
    if b"%PDF-" in data[:HEADER_WINDOW]:
        return
    advice = f"Déposez {name} au format PDF."
    for signature, shown, likely in _IMPOSTORS:
        if data.startswith(signature):
            raise PieceRefused(
                "pas_un_pdf", f"Le fichier n'est pas un PDF (il commence par « {shown} », {likely}). {advice}"
            )
    head = data[:HEADER_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_STARTS):
        likely = "c'est une page web ou un fichier HTML/XML"
    elif _looks_like_text(data[:HEADER_WINDOW]):
        likely = "c'est un fichier texte"
    else:
        likely = "l'en-tête « %PDF- » est absent"
    raise PieceRefused("pas_un_pdf", f"Le fichier n'est pas un PDF ({likely}). {advice}")


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A window cut inside a multibyte character is still text; latin-1 text is too.
        text = head.decode("latin-1")
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)



# ---------------------------------------------------------------- raw scan: bombs, scripts, attachments


def _name(word: str) -> bytes:
    """A PDF name as a regex that also matches its #xx-escaped spellings: /J#61vaScript is /JavaScript."""
    parts = [f"(?:{re.escape(ch)}|#{ord(ch):02x}|#{ord(ch):02X})" for ch in word]
    return ("/" + "".join(parts) + r"(?![A-Za-z0-9#])").encode()


# "stream" not preceded by "end"; the look-behind after the word lets the search skip to each "stream".
_STREAM_RE = re.compile(rb"stream(?<!endstream)(?:\r\n|\n|\r)")
_FLATE_RE = re.compile(_name("FlateDecode") + rb"|" + _name("Fl"))
_OBJSTM_RE = re.compile(_name("ObjStm"))
_EMBEDDED_STREAM_RE = re.compile(_name("EmbeddedFile"))
_JAVASCRIPT_RE = re.compile(_name("JavaScript") + rb"|" + _name("JS"))
_LAUNCH_RE = re.compile(_name("Launch"))
_ATTACHMENT_RE = re.compile(_name("EmbeddedFiles") + rb"|" + _name("EmbeddedFile") + rb"|" + _name("Filespec"))
_EXECUTABLE_NAME_RE = re.compile(
    rb"\((?:[^()\\]|\\.){0,200}?\.(?:exe|bat|cmd|com|js|jse|vbs|vbe|wsf|wsh|ps1|msi|scr|dll|jar|sh|hta|lnk|reg|"
    rb"cpl|pif|app|apk|elf|bin|run|py|pl)\)",
    re.IGNORECASE,
)
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe")
_CHUNK = 1 << 16
_DEFLATE_MAX_RATIO = 1032  # the most one Deflate layer can expand (258-byte matches from 2-bit codes)
_OUT = 1 << 20


@dataclass
class _Scan:
    javascript: bool = False
    launch: bool = False
    has_attachments: bool = False
    executable: str | None = None  # what gives an attached executable away


def _scan(data: bytes, name: str, budget: _Budget) -> _Scan:
    """One pass over the raw bytes: inflate every Flate stream through a bounded decoder (nothing kept
    but object streams and the first bytes of attachments), and look for actions outside stream bodies."""
    scan = _Scan()
    spans: list[tuple[int, int]] = []
    total = 0
    texts: list[bytes] = []
    view = memoryview(data)
    for match in _STREAM_RE.finditer(data):
        budget.check()
        start = match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        spans.append((start, end))
        head_from = data.rfind(b"obj", max(0, match.start() - 4096), match.start())
        head = data[head_from if head_from >= 0 else max(0, match.start() - 4096) : match.start()]
        stages = len(_FLATE_RE.findall(head))
        if not stages:
            continue
        keep = _KEEP_OBJECT_STREAM if _OBJSTM_RE.search(head) else 8 if _EMBEDDED_STREAM_RE.search(head) else 0
        worst = (end - start) * _DEFLATE_MAX_RATIO
        if stages == 1 and not keep and worst <= MAX_STREAM_DECODED and total + worst <= MAX_TOTAL_DECODED:
            total += worst  # Deflate cannot expand more than this: counted without inflating it
            continue
        kept = bytearray()
        produced = 0
        for chunk in _inflate(view[start:end], stages):
            produced += len(chunk)
            total += len(chunk)
            if produced > MAX_STREAM_DECODED or total > MAX_TOTAL_DECODED:
                raise PieceRefused(
                    "bombe_decompression",
                    f"Le fichier PDF contient des données compressées qui occuperaient plus de "
                    f"{_megabytes(MAX_TOTAL_DECODED if total > MAX_TOTAL_DECODED else MAX_STREAM_DECODED)} Mo "
                    f"une fois décompressées (« bombe de décompression ») : il ne peut pas être examiné. "
                    f"Enregistrez {name} à nouveau en PDF puis déposez-le.",
                )
            if len(kept) < keep:
                kept += chunk[: keep - len(kept)]
            budget.check()
        if keep == 8 and bytes(kept).startswith(_EXECUTABLE_MAGIC):
            scan.executable = "un programme exécutable"
        elif keep > 8:
            texts.append(bytes(kept))
    starts = [s for s, _ in spans]

    def outside_streams(match: re.Match[bytes]) -> bool:
        index = bisect.bisect_right(starts, match.start()) - 1
        return index < 0 or match.start() >= spans[index][1]

    for text, raw in [(data, True), *((t, False) for t in texts)]:
        def found(pattern: re.Pattern[bytes], text: bytes = text, raw: bool = raw) -> re.Match[bytes] | None:
            return next((m for m in pattern.finditer(text) if not raw or outside_streams(m)), None)

        scan.javascript = scan.javascript or found(_JAVASCRIPT_RE) is not None
        scan.launch = scan.launch or found(_LAUNCH_RE) is not None
        if found(_ATTACHMENT_RE) is not None:
            scan.has_attachments = True
            if scan.executable is None and (executable := found(_EXECUTABLE_NAME_RE)):
                scan.executable = "« " + executable.group(0)[1:-1].decode("latin-1")[-80:] + " »"
    return scan


def _inflate(source: memoryview, stages: int) -> Iterator[bytes]:
    """Inflate `source` through `stages` chained Flate decoders, 1 MiB of output at a time; a damaged
    stream just ends (pdfium and pypdf will say whether the file is readable)."""
    chunks: Iterator[bytes] = (bytes(source[i : i + _CHUNK]) for i in range(0, len(source), _CHUNK))
    for _ in range(min(stages, 4)):
        chunks = _inflate_stage(chunks)
    return chunks


def _inflate_stage(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decoder = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while pending:
                out = decoder.decompress(pending, _OUT)
                if out:
                    yield out
                pending = decoder.unconsumed_tail
            if decoder.eof:
                return
        rest = decoder.flush(_OUT)
        if rest:
            yield rest
    except zlib.error:
        return


def _active_content(scan: _Scan, attachments: list[tuple[str, bytes]], name: str) -> list[Check]:
    advice = (f"Enregistrez {name} à nouveau en PDF sans contenu actif (par exemple avec « Imprimer en PDF ») "
              "puis déposez-le.")
    if scan.javascript:
        raise PieceRefused("javascript", f"Le fichier PDF contient du code JavaScript. {advice}")
    if scan.launch:
        raise PieceRefused(
            "action_lancement", f"Le fichier PDF contient une action qui lance un programme ou un fichier. {advice}"
        )
    executable = scan.executable
    for filename, content in attachments:
        if _EXECUTABLE_NAME_RE.fullmatch(b"(" + filename.encode("utf-8", "replace") + b")") or content.startswith(
            _EXECUTABLE_MAGIC
        ):
            executable = f"« {filename[-80:]} »"
    if executable:
        raise PieceRefused(
            "piece_jointe_executable",
            f"Le fichier PDF contient en pièce jointe un programme exécutable ({executable}). {advice}",
        )
    if scan.has_attachments:
        names = ", ".join(f"« {n[-60:]} »" for n, _ in attachments[:5]) or "non nommées"
        return [Check(code="pieces_jointes", severity="info",
                      message_fr=f"Le document contient des pièces jointes ({names}) ; elles ne sont pas examinées.")]
    return []


# ---------------------------------------------------------------- pypdf: structure; pdfium: text


def _open_structure(data: bytes, name: str, attachments: bool) -> tuple[list[tuple[str, bytes]], int | None]:
    """Open with pypdf (bounded filters): refuse encrypted or unreadable files; list the attachments and
    read the page count the page tree declares (pdfium counts the real pages)."""
    import pypdf.filters
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, WrongPasswordError

    for limit in ("ZLIB_MAX_OUTPUT_LENGTH", "LZW_MAX_OUTPUT_LENGTH", "RUN_LENGTH_MAX_OUTPUT_LENGTH",
                  "MAX_DECLARED_STREAM_LENGTH", "MAX_ARRAY_BASED_STREAM_OUTPUT_LENGTH", "JBIG2_MAX_OUTPUT_LENGTH"):
        if hasattr(pypdf.filters, limit):
            setattr(pypdf.filters, limit, min(getattr(pypdf.filters, limit), MAX_STREAM_DECODED))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        declared: int | None = None
        if not encrypted:
            pages: Any = reader.trailer["/Root"].get_object()["/Pages"].get_object()  # type: ignore[index]
            count = pages.get("/Count")
            declared = count if isinstance(count, int) and not pages.get("/Kids") else None
    except (FileNotDecryptedError, WrongPasswordError, DependencyError) as exc:
        raise PieceRefused("chiffre", _encrypted_message(name)) from exc
    except Exception as exc:  # pypdf raises many kinds on damaged files: all mean "unreadable"
        raise PieceRefused("corrompu", _corrupt_message(name)) from exc
    if encrypted:
        # Even an empty user password counts: encryption may forbid copying or printing.
        raise PieceRefused("chiffre", _encrypted_message(name))
    found: list[tuple[str, bytes]] = []
    if not attachments:
        return found, declared
    try:
        for filename, contents in reader.attachments.items():
            found.extend((str(filename), bytes(content[:8])) for content in contents)
    except Exception:  # a broken name tree hides nothing the raw scan did not see
        return found, declared
    return found, declared


def _encrypted_message(name: str) -> str:
    return (f"Le fichier PDF est protégé par un mot de passe ou chiffré. Déposez {name} sans protection "
            "(enregistrez-le ou imprimez-le en PDF sans mot de passe).")


def _corrupt_message(name: str) -> str:
    return (f"Le fichier PDF est endommagé et ne peut pas être lu. Ouvrez-le pour vérifier, "
            f"enregistrez-le à nouveau en PDF puis déposez {name}.")


def _read_text(data: bytes, name: str, max_pages: int, budget: _Budget,
               layouts: list[PageLayout] | None = None) -> list[str]:
    """Text of every page (pdfium), within the page limit and the time budget; with `layouts` given, each
    page's words and their positions are appended to it, and the text is the page read in layout order."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PieceRefused("chiffre", _encrypted_message(name)) from exc
        raise PieceRefused("corrompu", _corrupt_message(name)) from exc
    try:
        if pdfium_c.FPDF_GetSecurityHandlerRevision(document) != -1:
            raise PieceRefused("chiffre", _encrypted_message(name))
        count = len(document)
        if count > max_pages:
            raise PieceRefused(
                "trop_de_pages",
                f"Le fichier PDF compte {count} pages ; {name} peut en compter au plus {max_pages}. "
                "Déposez une version plus courte.",
            )
        texts = []
        for index in range(count):
            budget.check()
            texts.append(_page_text(document, index, layouts))
        return texts
    finally:
        document.close()


def _page_text(document: object, index: int, layouts: list[PageLayout] | None = None) -> str:
    # A page pdfium cannot read must not refuse a document a person can read: it only has no text.
    from ami.domain.extraction.layout import PageLayout, has_loan_terms, pdfium_words, quarter_turn

    try:
        page = document[index]  # type: ignore[index]
        try:
            textpage = page.get_textpage()
            try:
                text = str(textpage.get_text_range())
                if "\ufffe" in text:
                    # pdfium's mark for a word hyphenated at a line's end (« Préfinan-cement »): a soft hyphen, which
                    # labels and the reading ignore, and which keeps the characters' indices
                    text = text.replace("\ufffe", "\u00ad")
                if layouts is None:
                    return text
                width, height = page.get_width(), page.get_height()
                words, turn = None, 0
                if has_loan_terms(text):
                    # (a table set sideways on a portrait page is read as the reader who turns the page sees it)
                    turn = quarter_turn(textpage, text)
                    words = pdfium_words(textpage, text, height, turn=turn, page_width=width)
                if turn:
                    width, height = height, width
                layout = PageLayout(index + 1, width, height, words or [])
                layouts.append(layout)
                return layout.text if words is not None else text
            finally:
                textpage.close()
        finally:
            page.close()
    except Exception:
        if layouts is not None and len(layouts) == index:
            layouts.append(PageLayout(index + 1, 0, 0, []))
        return ""


def _read_scan(data: bytes, engine: OcrEngine, budget: _Budget) -> list[PageLayout]:
    """The first pages of a scanned letter read by OCR, within what is left of the time budget."""
    import pypdfium2 as pdfium

    from ami.domain.extraction.ocr import read_pages

    document = pdfium.PdfDocument(data)
    try:
        return read_pages(document, engine, max(budget.deadline - time.monotonic() - 1.0, 0.0))
    except Exception:  # an engine that fails (throttled, a page it cannot take) leaves the letter unread
        return []
    finally:
        document.close()
