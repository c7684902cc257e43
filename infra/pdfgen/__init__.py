"""Realistic French PDFs for the demo and the tests: BdT offer letters, operation dossiers, bad files.

Dev-only (fpdf2): `formatting` (the A4 document and French numbers, dates and amounts), `lettre`
(the lettre d'offre), `presentation` (the dossier de présentation), `hostile` (the files intake must
refuse). Every public name is importable from here.
"""

from __future__ import annotations

from infra.pdfgen.formatting import (
    FONT,
    NBSP,
    AmountStyle,
    add_months,
    amount_words,
    format_amount,
    format_date,
    format_duration,
    format_euros,
    format_m2,
    format_percent,
    format_rate,
    number_words,
)
from infra.pdfgen.hostile import (
    bomb_pdf,
    empty_pdf,
    encrypted_pdf,
    executable_attachment_pdf,
    hidden_javascript_pdf,
    javascript_pdf,
    launch_pdf,
    not_a_pdf,
    object_stream_javascript_pdf,
    scanned_pdf,
    spreadsheet_attachment_pdf,
    truncated_pdf,
)
from infra.pdfgen.lettre import Layout, LoanTerms, default_terms, lettre_offre
from infra.pdfgen.presentation import dossier_presentation

__all__ = [
    "FONT",
    "NBSP",
    "AmountStyle",
    "Layout",
    "LoanTerms",
    "add_months",
    "amount_words",
    "bomb_pdf",
    "default_terms",
    "dossier_presentation",
    "empty_pdf",
    "encrypted_pdf",
    "executable_attachment_pdf",
    "format_amount",
    "format_date",
    "format_duration",
    "format_euros",
    "format_m2",
    "format_percent",
    "format_rate",
    "hidden_javascript_pdf",
    "javascript_pdf",
    "launch_pdf",
    "lettre_offre",
    "not_a_pdf",
    "number_words",
    "object_stream_javascript_pdf",
    "scanned_pdf",
    "spreadsheet_attachment_pdf",
    "truncated_pdf",
]
