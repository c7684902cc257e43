"""A signed document as a bailleur's scanner sends it back: several pages, each a full-page photograph of
the paper (incompressible noise standing for the grain of a scan) under one line of text, so that the file
weighs several megabytes, far beyond what a JSON body could carry (the signed convention's tests)."""

from __future__ import annotations

import io
import random

from PIL import Image

from infra.pdfgen.formatting import FrenchPdf


def signed_scan(
    title: str = "Convention de cautionnement signée", pages: int = 4, side_px: int = 1000, seed: int = 13
) -> bytes:
    """A PDF of `pages` pages, each `title` and a `side_px`² noise image (~0,75 MB a page at 1000 px)."""
    rng = random.Random(seed)
    pdf = FrenchPdf(title)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.paragraph(f"{title}, page {number} sur {pages} : lu et approuvé, bon pour cautionnement.")
        noise = Image.frombytes("L", (side_px, side_px), rng.randbytes(side_px * side_px))
        jpeg = io.BytesIO()
        noise.save(jpeg, format="JPEG", quality=90)
        pdf.image(io.BytesIO(jpeg.getvalue()), x=20, y=40, w=170)
    return pdf.to_bytes()
