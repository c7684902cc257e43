"""Field-level precision and recall of the extraction over the generated corpus (tests/corpus).

Target: 100 % on the corpus, and never a wrong value given with high confidence. The figures are printed
(`pytest -s`) and reported in the README.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from ami.domain.errors import PieceRefused
from ami.domain.extraction import HIGH_CONFIDENCE
from ami.domain.pieces import examine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
import corpus


def _score(documents: list[corpus.Document]) -> tuple[int, int, int, list[str], list[str]]:
    """(expected, found, correct, wrong values, high-confidence wrong values)."""
    expected = found = correct = 0
    wrong: list[str] = []
    confident_wrong: list[str] = []
    for doc in documents:
        report = examine(doc.data, doc.piece)
        got: dict[str, Any] = {}
        confidence: dict[str, float] = {}
        for f in report.fields:
            got.setdefault(f.name, f.value)
            confidence.setdefault(f.name, f.confidence)
        for name, value in doc.truth.items():
            expected += 1
            if name not in got:
                wrong.append(f"{doc.name}: {name} manquant (attendu {value!r})")
                continue
            found += 1
            if got[name] == value:
                correct += 1
            else:
                wrong.append(f"{doc.name}: {name} = {got[name]!r}, attendu {value!r}")
                if confidence[name] >= HIGH_CONFIDENCE:
                    confident_wrong.append(wrong[-1])
        # Fields outside the ground truth are extra: they count against precision.
        for name in set(got) - set(doc.truth):
            if name.startswith(("prets[", "logements.")) or name in ("montant_total_eur", "prets.nombre"):
                found += 1
                wrong.append(f"{doc.name}: {name} inattendu ({got[name]!r})")
    return expected, found, correct, wrong, confident_wrong


@pytest.mark.parametrize("kind", ["lettre_offre", "dossier_presentation"])
def test_precision_and_recall_on_the_corpus(kind: str) -> None:
    documents = corpus.letters() if kind == "lettre_offre" else corpus.dossiers()
    expected, found, correct, wrong, confident_wrong = _score(documents)
    precision = correct / found if found else 0.0
    recall = correct / expected if expected else 0.0
    print(f"\n{kind}: {len(documents)} documents, {expected} champs attendus, {found} lus, {correct} justes — "
          f"précision {precision:.1%}, rappel {recall:.1%}")
    for line in wrong[:20]:
        print("  ", line)
    assert not confident_wrong, confident_wrong
    assert precision == 1.0 and recall == 1.0, wrong[:20]


@pytest.mark.parametrize("name", sorted(corpus.BAD_FILES))
def test_every_bad_file_is_refused_with_its_code(name: str) -> None:
    make, piece, code = corpus.BAD_FILES[name]
    with pytest.raises(PieceRefused) as caught:
        examine(make(), piece)
    assert caught.value.code == code
    assert caught.value.message
