"""The accusé de réception as a PDF: one A4 page, written directly (Helvetica and Courier, WinAnsi
encoding, which has every French letter and the euro sign), so that the function needs no PDF library."""

from __future__ import annotations

import textwrap
from typing import Any

from web.views import paris_ms, status_label

PAGE_W, PAGE_H, MARGIN = 595, 842, 56


def _escape(text: str) -> bytes:
    text = text.replace("\u202f", "\u00a0").replace("’", "'").replace("«\u00a0", "« ").replace("\u00a0»", " »")
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def lines(d: Any, bailleur: Any, pieces: list[dict[str, Any]], dispositif: Any) -> list[tuple[str, int, str]]:
    """(font, size, text) of each line, top to bottom."""
    out: list[tuple[str, int, str]] = [
        ("F2", 16, "Accusé de réception du dépôt"),
        ("F1", 10, "Action Logement Services — AMI garantie"),
        ("F1", 10, ""),
    ]

    def field(label: str, value: str) -> None:
        wrapped = textwrap.wrap(value, 70) or [""]
        out.append(("F2", 10, label))
        out.extend(("F1", 10, "    " + part) for part in wrapped)

    field("Dispositif", dispositif.libelle)
    field("Dossier", f"{d.form.operation.nom or 'Opération sans nom'} (référence {d.dossier_id})")
    who = f"{bailleur.raison_sociale}, SIREN {bailleur.siren}" if bailleur else f"SIREN {d.siren}"
    field("Bailleur", who)
    field("Date et heure de dépôt", paris_ms(d.envoi.sent_at))
    field("Numéro de dépôt", f"n° {d.deposit_number}" if d.deposit_number else
          f"attribué quand la complétude du dossier aura été vérifiée (statut : {status_label(d)})")
    out.append(("F1", 10, ""))
    out.append(("F2", 12, "Pièces déposées (empreinte SHA-256)"))
    for p in pieces:
        out.append(("F2", 10, p["libelle"]))
        if p["piece"] is None:
            out.append(("F1", 10, "    pièce absente au moment de l'envoi"))
        else:
            out.append(("F1", 10, f"    {p['piece'].size} octets"))
            out.append(("F3", 9, "    " + p["piece"].sha256))
    out.append(("F1", 10, ""))
    out.extend(("F1", 9, part) for part in textwrap.wrap(
        "Les empreintes ci-dessus identifient de façon certaine les fichiers déposés. La date et l'heure de "
        "dépôt sont celles relevées par les serveurs d'Action Logement Services au moment de l'envoi.", 95))
    return out


def pdf(d: Any, bailleur: Any, pieces: list[dict[str, Any]], dispositif: Any) -> bytes:
    content = [b"BT"]
    y = PAGE_H - MARGIN
    for font, size, text in lines(d, bailleur, pieces, dispositif):
        y -= size + 5
        content.append(b"/%s %d Tf 1 0 0 1 %d %d Tm (%s) Tj" % (font.encode(), size, MARGIN, y, _escape(text)))
    content.append(b"ET")
    stream = b"\n".join(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R /F3 7 0 R >> >> >>" % (PAGE_W, PAGE_H),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Title (%s) /Producer (AMI garantie) >>" % _escape(f"Accusé de réception {d.dossier_id}"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)
