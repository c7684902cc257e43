"""The Textract adapter (`ami.adapters.ocr.TextractOcr`) on a scanned lettre d'offre, against a boto3 client
whose answers are stubbed (botocore Stubber: no network, no AWS account)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import boto3
import pypdfium2 as pdfium
from ami.adapters.ocr import TextractOcr
from ami.domain.extraction.layout import pdfium_words
from ami.domain.extraction.ocr import OCR_CONFIDENCE
from ami.domain.pieces import PieceContext, examine
from botocore.stub import ANY, Stubber

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
import families


def _textract_blocks(data: bytes) -> dict[str, Any]:
    """What DetectDocumentText answers for the page: its words with normalised boxes (from the text layer,
    so the test knows the truth)."""
    page = pdfium.PdfDocument(data)[0]
    textpage = page.get_textpage()
    width, height = page.get_width(), page.get_height()
    words = pdfium_words(textpage, textpage.get_text_range(), height) or []
    blocks: list[dict[str, Any]] = [{"BlockType": "PAGE", "Id": "p"}]
    for number, word in enumerate(words):
        blocks.append({
            "BlockType": "WORD", "Id": f"w{number}", "Text": word.text, "Confidence": 99.1, "TextType": "PRINTED",
            "Geometry": {"BoundingBox": {"Left": word.x0 / width, "Top": word.top / height,
                                         "Width": (word.x1 - word.x0) / width,
                                         "Height": (word.bottom - word.top) / height}},
        })
    return {"DocumentMetadata": {"Pages": 1}, "Blocks": blocks}


class _OneClient:
    """What `TextractOcr` needs of `ami.adapters.aws.Aws`: the stubbed client."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str) -> Any:
        assert service == "textract"
        return self._client


def test_the_textract_adapter_reads_a_scan_through_the_same_layout() -> None:
    letter = families.DEVELOPMENT["A"](1)
    client = boto3.client("textract", region_name="eu-west-3", aws_access_key_id="test",
                          aws_secret_access_key="test")
    with Stubber(client) as stub:
        stub.add_response("detect_document_text", _textract_blocks(letter.data), {"Document": {"Bytes": ANY}})
        report = examine(families.scanned(letter.data, dpi=72), "lettre_offre",
                         context=PieceContext(siren=letter.siren), ocr=TextractOcr(_OneClient(client)))  # type: ignore[arg-type]
        stub.assert_no_pending_responses()
    scanned_check = next(c for c in report.checks if c.code == "lettre_scannee")
    assert "(Amazon Textract)" in scanned_check.message_fr
    got = {f.name: f.value for f in report.fields}
    for name, value in letter.truth().items():
        assert got.get(name) == value, name
    assert max(f.confidence for f in report.fields) <= OCR_CONFIDENCE
