"""The lifecycle's documents as PDF: the proposition de tarification, the convention de cautionnement, the
attestation de règlement de la prime and the acte de cautionnement (docs/instruction.md says why this way).

Each document is a Jinja2 template (`templates/document_<kind>.txt`, the wording ALS's legal team edits)
written in a small markup: `# ` a title, `## ` a heading, `| a | b |` a table row, a blank line between
paragraphs. `render` fills the template; `to_pdf` lays the lines out on A4 pages in the PDF standard font
Helvetica (WinAnsi encoding: every French character, «  », € and the no-break space), through `pydyf`, a
PDF writer with no dependency and no system library. Pure: data in, bytes out, the same bytes for the same
data (no creation date in the file), so the SHA-256 recorded identifies the document.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ami.domain.notifications import environment

DOCUMENTS = {
    "proposition": "Proposition de tarification",
    "convention": "Convention de cautionnement",
    "attestation_prime": "Attestation de règlement de la prime",
    "acte": "Acte de cautionnement",
    "convention_signee": "Convention de cautionnement signée",
}
A4 = (595.28, 841.89)
MARGIN = 56.0
SIZES = {"title": 15.0, "heading": 12.0, "text": 10.0, "row": 8.0}
# Helvetica's mean advance is about half an em for French prose, its digits 0.556 em: wrapping at 0.56 em
# keeps lines inside.
EM = 0.56
_WINANSI_SUBSTITUTES = str.maketrans({"\u202f": "\u00a0", "\u2009": " ", "\u2011": "-", "\u2212": "-",
                                      "\u2010": "-", "\u2192": "->"})


@dataclass(frozen=True)
class Rendered:
    kind: str
    data: bytes
    sha256: str
    nom: str


def render(kind: str, context: dict[str, Any]) -> str:
    """The filled template of document `kind`."""
    return environment().get_template(f"document_{kind}.txt").render(context)


def document(kind: str, context: dict[str, Any], filename: str) -> Rendered:
    data = to_pdf(render(kind, context), DOCUMENTS[kind])
    return Rendered(kind, data, hashlib.sha256(data).hexdigest(), filename)


def _escape(text: str) -> bytes:
    raw = text.translate(_WINANSI_SUBSTITUTES).encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(text: str, size: float, width: float) -> list[str]:
    per_line = max(10, int(width / (size * EM)))
    lines: list[str] = []
    current = ""
    for word in text.split(" "):  # not at no-break spaces: « 1 000 000,00 € » stays on one line
        if not word:
            continue
        if current and len(current) + 1 + len(word) > per_line:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current] if current else lines


def _layout(markup: str) -> list[tuple[str, list[str]]]:
    """(style, lines) blocks: a paragraph is the lines up to a blank one, joined."""
    blocks: list[tuple[str, list[str]]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("text", [" ".join(paragraph)]))
            paragraph.clear()

    for line in markup.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("## "):
            flush()
            blocks.append(("heading", [stripped[3:]]))
        elif stripped.startswith("# "):
            flush()
            blocks.append(("title", [stripped[2:]]))
        elif stripped.startswith("|") and stripped.endswith("|"):
            flush()
            blocks.append(("row", [cell.strip() for cell in stripped[1:-1].split("|")]))
        else:
            paragraph.append(stripped)
    flush()
    return blocks


def to_pdf(markup: str, title: str) -> bytes:
    import io

    import pydyf

    pdf = pydyf.PDF()
    pdf.info["Title"] = pydyf.String(title)
    pdf.info["Producer"] = pydyf.String("AMI garantie - Action Logement Services")
    fonts = {}
    for name, base in (("F1", "Helvetica"), ("F2", "Helvetica-Bold")):
        font = pydyf.Dictionary({"Type": "/Font", "Subtype": "/Type1", "BaseFont": f"/{base}",
                                 "Encoding": "/WinAnsiEncoding"})
        pdf.add_object(font)
        fonts[name] = font.reference
    resources = pydyf.Dictionary({"Font": pydyf.Dictionary(fonts)})
    width = A4[0] - 2 * MARGIN
    pages: list[list[tuple[str, float, float, float, str]]] = [[]]
    y = A4[1] - MARGIN

    def place(font: str, size: float, x: float, text: str) -> None:
        pages[-1].append((font, size, x, y, text))

    for style, content in _layout(markup):
        size = SIZES[style]
        font = "F2" if style in ("title", "heading") else "F1"
        if style == "row":
            column = width / max(1, len(content))
            wrapped = [_wrap(cell, size, column - 4) or [""] for cell in content]
            height = max(len(w) for w in wrapped) * size * 1.3 + 2
            if y - height < MARGIN:
                pages.append([])
                y = A4[1] - MARGIN
            for i, cell_lines in enumerate(wrapped):
                for j, text in enumerate(cell_lines):
                    pages[-1].append((font, size, MARGIN + i * column, y - (j + 1) * size * 1.3, text))
            y -= height
            continue
        gap = size * (1.2 if style == "text" else 0.8)
        for text in _wrap(content[0], size, width):
            if y - size < MARGIN:
                pages.append([])
                y = A4[1] - MARGIN
            y -= size * 1.3
            place(font, size, MARGIN, text)
        y -= gap
    for number, placed in enumerate(pages, start=1):
        stream = pydyf.Stream()
        stream.begin_text()
        for font, size, x, line_y, text in placed:
            stream.set_font_size(font, size)
            stream.set_text_matrix(1, 0, 0, 1, round(x, 2), round(line_y, 2))
            stream.show_text(_escape(text))
        stream.set_font_size("F1", 8)
        stream.set_text_matrix(1, 0, 0, 1, MARGIN, MARGIN / 2)
        stream.show_text(_escape(f"{title} — page {number} sur {len(pages)}"))
        stream.end_text()
        pdf.add_object(stream)
        page = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference,
                                 "MediaBox": pydyf.Array([0, 0, A4[0], A4[1]]), "Contents": stream.reference,
                                 "Resources": resources})
        pdf.add_page(page)
    out = io.BytesIO()
    pdf.write(out)
    return out.getvalue()
