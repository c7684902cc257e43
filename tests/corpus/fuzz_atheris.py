"""Coverage-guided fuzzing of piece examination with atheris (not run by pytest: it runs until stopped).

    .venv/bin/python tests/corpus/fuzz_atheris.py -atheris_runs=20000

Any exception other than `PieceRefused` (the project's typed refusal) is a finding; atheris reports it
with the input that caused it. The hypothesis tests in tests/unit/test_extraction.py run on every CI.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from ami.domain.errors import PieceRefused
    from ami.domain.extraction import lettre_offre, presentation
    from ami.domain.pieces import examine


def one_input(data: bytes) -> None:
    piece = "lettre_offre" if data[:1] < b"\x80" else "dossier_presentation"
    with contextlib.suppress(PieceRefused):
        examine(b"%PDF-1.7\n" + data[1:] + b"\n%%EOF\n", piece, budget_seconds=5)
    text = data.decode("utf-8", "replace")
    lettre_offre.extract([text])
    presentation.extract([text])


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
