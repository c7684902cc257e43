"""Reading a scanned letter (a PDF without a text layer) by optical character recognition: the port.

`OcrEngine` is the port: a rendered page in, words with their boxes out. Its adapters live in
`ami.adapters.ocr` (Tesseract with its French model locally and in the tests, Amazon Textract in AWS) and
are chosen by the composition root (`ami.bootstrap`); the domain only renders the pages and reads the
words through the same layout and readers as a text layer. Every value read this way gets a lower
confidence (`OCR_CONFIDENCE`), and the letter gets a check saying it was scanned.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass
from typing import Any, Protocol

from ami.domain.extraction.layout import PageLayout, Word

OCR_DPI = 250
OCR_CONFIDENCE = 0.75  # the most a value read by OCR is trusted: below HIGH_CONFIDENCE, always checked
OCR_MAX_PAGES = 5  # a lettre d'offre says what matters in its first pages; OCR costs seconds a page


@dataclass(frozen=True)
class PageImage:
    png: bytes
    width_pt: float  # the page's size in points: words come back in page coordinates
    height_pt: float
    width_px: int
    height_px: int


class OcrEngine(Protocol):
    """Reads the words of one page image; `name` is the engine as users know it (shown in the check)."""

    @property
    def name(self) -> str: ...

    def read(self, page: PageImage, timeout: float) -> list[Word]:
        """The words of the page, in points from its top-left corner, each with the engine's confidence."""
        ...


def render_page(page: Any, dpi: int = OCR_DPI) -> PageImage:
    """A pypdfium2 page as a greyscale PNG (written here: no imaging library in the Lambda package)."""
    bitmap = page.render(scale=dpi / 72, grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        channels = bitmap.n_channels
        buffer = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = bytearray()
    for y in range(height):
        row = buffer[y * stride : y * stride + width * channels]
        rows.append(0)
        rows += row if channels == 1 else row[1::channels]  # any channel of a grey pixel is its grey
    return PageImage(_png(width, height, bytes(rows)), page.get_width(), page.get_height(), width, height)


def _png(width: int, height: int, filtered_rows: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(filtered_rows, 6)) + \
        chunk(b"IEND", b"")


def read_pages(document: Any, engine: OcrEngine, seconds: float, max_pages: int = OCR_MAX_PAGES) -> list[PageLayout]:
    """The first pages of a pypdfium2 document read by `engine`, within `seconds` in all."""
    deadline = time.monotonic() + seconds
    layouts = []
    for index in range(min(len(document), max_pages)):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        page = document[index]
        try:
            image = render_page(page)
        finally:
            page.close()
        words = engine.read(image, remaining)
        layouts.append(PageLayout(index + 1, image.width_pt, image.height_pt, words, ocr=True))
    return layouts
