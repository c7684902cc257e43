"""Bad and hostile files, each refused by intake for one reason: encrypted, truncated, not a PDF, no
page, no text layer, decompression bomb, JavaScript (plain, hidden, in an object stream), launch
action, embedded executable or spreadsheet."""

from __future__ import annotations

import io
import zipfile
import zlib

from pypdf import PdfReader, PdfWriter

from infra.pdfgen.formatting import FrenchPdf


def _one_page_letter(text: str) -> bytes:
    pdf = FrenchPdf("Document de test")
    pdf.add_page()
    pdf.paragraph(text)
    return pdf.to_bytes()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """A valid one-page PDF that asks for a password (none to open it if `user_password` is "")."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_one_page_letter("Offre de prêts confidentielle."))))
    writer.encrypt(user_password=user_password, owner_password="proprietaire")  # RC4: no extra dependency
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def truncated_pdf() -> bytes:
    """A real PDF cut in half, as an interrupted upload leaves it."""
    data = _one_page_letter("Lettre d'offre dont le dépôt a été interrompu. " * 20)
    return data[: len(data) // 2]


def not_a_pdf() -> bytes:
    """A small .docx-like ZIP: what a bailleur uploads when they forget to export to PDF."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            "wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Lettre d'offre</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    return out.getvalue()


def empty_pdf() -> bytes:
    """A syntactically valid PDF with zero pages."""
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def scanned_pdf() -> bytes:
    """One page with only a drawn grey rectangle, like a scan without OCR: no text layer."""
    pdf = FrenchPdf(footer_text="")
    pdf.add_page()
    pdf.set_fill_color(200)
    pdf.rect(20, 20, 170, 250, style="F")
    return pdf.to_bytes()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand, object 1 the catalog: for files no generator would write."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(body: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(body)}{extra} >>\nstream\n".encode() + body + b"\nendstream"


def bomb_pdf(decoded_mib: int = 128, stages: int = 1) -> bytes:
    """A one-page PDF whose content stream inflates to `decoded_mib` MiB (through `stages` Flate filters)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * 1_048_576
    body = b"".join(compressor.compress(chunk) for _ in range(decoded_mib)) + compressor.flush()
    for _ in range(stages - 1):
        body = zlib.compress(body, 9)
    filters = "[" + " ".join(["/FlateDecode"] * stages) + "]"
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(body, f" /Filter {filters}"),
    ])


def _with_writer(edit: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_one_page_letter("Offre de prêts : voir pièce jointe."))))
    if edit == "exe":
        writer.add_attachment("mise-a-jour.exe", b"MZ\x90\x00" + bytes(60))
    elif edit == "magic":
        writer.add_attachment("annexe.txt", b"\x7fELF\x02\x01\x01" + bytes(60))
    elif edit == "xlsx":
        writer.add_attachment("plan-de-financement.xlsx", b"PK\x03\x04" + bytes(60))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def javascript_pdf() -> bytes:
    """A letter that runs JavaScript when opened (Names/JavaScript)."""
    objects = _page_objects(b"/Names << /JavaScript << /Names [(ouverture) 6 0 R] >> >> ")
    objects.append(b"<< /S /JavaScript /JS (app.alert('Bonjour');) >>")
    return _raw_pdf(objects)


def executable_attachment_pdf(by_magic: bool = False) -> bytes:
    """A letter with an attached Windows program (or an ELF binary named .txt when `by_magic`)."""
    return _with_writer("magic" if by_magic else "exe")


def spreadsheet_attachment_pdf() -> bytes:
    """A letter with a harmless attached spreadsheet."""
    return _with_writer("xlsx")


def _page_objects(extra_catalog: bytes = b"") -> list[bytes]:
    content = b"BT /F1 12 Tf 72 720 Td (Offre de prets) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def launch_pdf() -> bytes:
    """A letter whose OpenAction launches a program."""
    return _raw_pdf(_page_objects(b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\System32\\\\calc.exe) >> "))


def hidden_javascript_pdf() -> bytes:
    """OpenAction JavaScript with its names #-escaped (/J#61vaScript), as malware hides them."""
    return _raw_pdf(_page_objects(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "))


def object_stream_javascript_pdf() -> bytes:
    """JavaScript action hidden inside a compressed object stream (PDF 1.5)."""
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    header = b"6 0 "
    body = zlib.compress(header + action)
    objects = _page_objects(b"/OpenAction 6 0 R ")
    objects.append(_stream(body, f" /Type /ObjStm /N 1 /First {len(header)} /Filter /FlateDecode"))
    return _raw_pdf(objects)
