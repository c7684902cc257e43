"""OCR engines for scanned lettres d'offre, behind the port `ami.domain.extraction.ocr.OcrEngine`.

`TesseractOcr` runs Debian's `tesseract` with its French model (installed by `make tools`; locally and in
the tests), `TextractOcr` calls Amazon Textract's DetectDocumentText (in AWS). `ocr_engine` picks one from
the settings' `AMI_OCR` (`tesseract`, `textract` or `aucun`); without it, Textract in a Lambda function,
Tesseract where it is installed, none otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Literal

from ami.adapters.aws import Aws
from ami.domain.extraction.layout import Word
from ami.domain.extraction.ocr import OCR_DPI, OcrEngine, PageImage

OcrChoice = Literal["", "tesseract", "textract", "aucun"]


class OcrUnavailable(RuntimeError):
    """The engine cannot run here (not installed, no French model): a setup problem, not the file's."""


# ---------------------------------------------------------------- Tesseract (local, tests)


class TesseractOcr:
    name = "Tesseract"

    def __init__(self, binary: str | None = None, language: str = "fra") -> None:
        found = binary or shutil.which("tesseract")
        if found is None:
            raise OcrUnavailable("tesseract est introuvable : installez tesseract-ocr et tesseract-ocr-fra "
                                 "(make tools).")
        self.binary = found
        self.language = language

    def languages(self) -> list[str]:
        out = subprocess.run([self.binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
        return [line.strip() for line in out.stdout.splitlines()[1:] if line.strip()]

    def read(self, page: PageImage, timeout: float) -> list[Word]:
        # --psm 3: automatic page segmentation; TSV gives each word's box and confidence.
        command = [self.binary, "stdin", "stdout", "-l", self.language, "--psm", "3", "--dpi", str(OCR_DPI), "tsv"]
        try:
            out = subprocess.run(command, input=page.png, capture_output=True, timeout=max(timeout, 1.0),
                                 check=False)
        except subprocess.TimeoutExpired:
            return []
        if out.returncode != 0:
            message = out.stderr.decode("utf-8", "replace")
            if "Failed loading language" in message or "Error opening data file" in message:
                raise OcrUnavailable(f"le modèle {self.language} de tesseract manque : installez "
                                     f"tesseract-ocr-{self.language} (make tools).")
            return []
        return parse_tesseract_tsv(out.stdout.decode("utf-8", "replace"), page)


def parse_tesseract_tsv(tsv: str, page: PageImage) -> list[Word]:
    scale_x = page.width_pt / page.width_px
    scale_y = page.height_pt / page.height_px
    words = []
    for row in tsv.splitlines()[1:]:
        parts = row.split("\t")
        if len(parts) < 12 or parts[0] != "5" or not parts[11].strip():
            continue
        left, top, width, height = (int(value) for value in parts[6:10])
        confidence = max(float(parts[10]), 0.0) / 100
        words.append(Word(parts[11].strip(), left * scale_x, (left + width) * scale_x, top * scale_y,
                          (top + height) * scale_y, confidence))
    return words


# ---------------------------------------------------------------- Amazon Textract (AWS)


class TextractOcr:
    """DetectDocumentText on one page image (synchronous: a lettre d'offre's page is well under 10 MB). The
    client is made on the first scanned letter: a cold start that reads none never loads Textract's model."""

    name = "Amazon Textract"

    def __init__(self, aws: Aws) -> None:
        self._aws = aws

    def read(self, page: PageImage, timeout: float) -> list[Word]:
        answer = self._aws.client("textract").detect_document_text(Document={"Bytes": page.png})
        words = []
        for block in answer.get("Blocks", []):
            if block.get("BlockType") != "WORD" or not block.get("Text"):
                continue
            box = block["Geometry"]["BoundingBox"]
            x0, top = box["Left"] * page.width_pt, box["Top"] * page.height_pt
            words.append(Word(block["Text"], x0, x0 + box["Width"] * page.width_pt, top,
                              top + box["Height"] * page.height_pt, float(block.get("Confidence", 0)) / 100))
        return words


def ocr_engine(choice: OcrChoice, *, in_lambda: bool, aws: Aws) -> OcrEngine | None:
    """The engine `choice` names (see the module's docstring); None when there is none to use. An engine
    named explicitly that cannot run here raises `OcrUnavailable`."""
    if choice == "aucun":
        return None
    if choice == "textract" or (not choice and in_lambda):
        return TextractOcr(aws)
    try:
        return TesseractOcr()
    except OcrUnavailable:
        if choice == "tesseract":
            raise
        return None
