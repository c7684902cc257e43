"""The last reader (`regions`): a layout no other reader knows is still read, region by region, at a confidence
below every other reader's; fees and totals are no loan; what the other readers left out is completed."""

from __future__ import annotations

from ami.domain.extraction import HIGH_CONFIDENCE, lettre_offre, regions
from ami.domain.extraction.lettre_offre import _complete
from ami.domain.extraction.loan_line import LoanLine

UNKNOWN_LAYOUT = """Banque des Territoires — Direction régionale Bretagne
Objet : proposition de financement, opération « Les Tilleuls » à Rennes

Madame, Monsieur,
Nous vous proposons les prêts PLI suivants, pour un montant total de 3 250 000,00 €.

Au titre de la Ligne du Prêt 5123456 (PLI, acquisition du foncier), le montant mis à
disposition s'élève à 1 250 000,00 € ; commission d'instruction de 750 €.
Préfinancement ...... 24 mois
Amortissement ...... 50 ans
Conditions de taux ...... Livret A + 0,60 %

Au titre de la Ligne du Prêt 5123457 (PLI, construction du bâtiment), frais de dossier : 1 200 €,
le montant mis à disposition s'élève à 2 000 000,00 €.
Préfinancement ...... 18 mois
Amortissement ...... 40 ans
Conditions de taux ...... Livret A + 0,45 %
"""


def _fields(text: str) -> dict[str, tuple[object, float]]:
    return {f.name: (f.value, f.confidence) for f in lettre_offre.extract([text]).fields}


def test_a_layout_no_reader_knows_is_read_region_by_region_below_high_confidence() -> None:
    fields = _fields(UNKNOWN_LAYOUT)
    expected = {
        "prets[0].produit": "PLI", "prets[0].nature": "foncier", "prets[0].montant_eur": "1250000.00",
        "prets[0].duree_prefinancement_mois": 24, "prets[0].duree_amortissement_mois": 600,
        "prets[0].index": "livret_a", "prets[0].marge_pct": "0.60",
        "prets[1].produit": "PLI", "prets[1].nature": "bati", "prets[1].montant_eur": "2000000.00",
        "prets[1].duree_prefinancement_mois": 18, "prets[1].duree_amortissement_mois": 480,
        "prets[1].index": "livret_a", "prets[1].marge_pct": "0.45",
        "prets.nombre": 2,
    }
    assert {name: fields[name][0] for name in expected if name in fields} == expected
    # the total of the introduction, the commission and the fees are no loan and no loan's amount
    assert "prets[2].montant_eur" not in fields
    assert all(confidence == regions.REGION_CONFIDENCE < HIGH_CONFIDENCE
               for name, (_, confidence) in fields.items() if name.startswith("prets"))


def test_a_total_said_as_a_region_of_its_own_is_no_loan() -> None:
    text = ("Prêt PLI foncier : 1 000 000,00 €, amortissement 50 ans.\n\n"
            "Prêt PLI bâti : 2 000 000,00 €, amortissement 40 ans.\n\n"
            "Prêt PLS bâti : 500 000,00 €, amortissement 40 ans.\n\n"
            "Soit pour les prêts PLI et PLS 3 500 000,00 €.\n")
    amounts = [loan.amount() for loan in regions.loans(_document(text), lettre_offre._labelled_values)]
    assert [str(amount) for amount in amounts] == ["1000000.00", "2000000.00", "500000.00"]


def test_what_a_sentence_left_out_is_completed_from_its_region() -> None:
    text = ("Madame, Monsieur,\n"
            "Nous vous confirmons un prêt PLS destiné à la construction de 900 000,00 € au taux du Livret A + 1,11 %.\n"
            "Préfinancement ...... 12 mois\n"
            "Amortissement ...... 40 ans\n")
    fields = _fields(text)
    assert fields["prets[0].montant_eur"][0] == "900000.00"
    assert fields["prets[0].marge_pct"][0] == "1.11"
    assert fields["prets[0].duree_prefinancement_mois"] == (12, regions.REGION_CONFIDENCE)
    assert fields["prets[0].duree_amortissement_mois"] == (480, regions.REGION_CONFIDENCE)


def test_a_product_named_without_an_amount_is_no_loan() -> None:
    text = "Les prêts PLI et PLS vous seront proposés après l'instruction du dossier.\nCordialement.\n"
    assert not any(name.startswith("prets") for name in _fields(text))


def _document(text: str) -> lettre_offre.Document:
    return lettre_offre.Document([text])


def test_the_total_of_one_loan_is_its_amount() -> None:
    fields = _fields("Nous vous confirmons un prêt PLI foncier d'un montant total de 1 500 000,00 €, "
                     "amortissable sur 50 ans.\n")
    assert fields["prets[0].montant_eur"][0] == "1500000.00"
    assert fields["prets.nombre"][0] == 1


def test_a_fixed_rate_said_without_a_preposition_is_still_the_index() -> None:
    fields = _fields("Nous vous confirmons un prêt PLS destiné à la construction de 900 000,00 €, taux fixe de "
                     "3,10 %, amortissable sur 40 ans sans préfinancement.\n")
    assert fields["prets[0].index"] == ("taux_fixe", regions.REGION_CONFIDENCE)
    assert "prets[0].marge_pct" not in fields


def test_the_index_s_own_rate_and_the_resulting_rate_are_no_margin() -> None:
    fields = _fields("Nous vous confirmons un prêt PLS destiné à la construction de 900 000,00 € au taux du "
                     "Livret A (2,40 %) + 1,11 % soit 3,51 %, amortissable sur 40 ans.\n")
    assert fields["prets[0].marge_pct"][0] == "1.11"


def test_a_prefinancement_abbreviated_after_the_amortisation() -> None:
    fields = _fields("Prêt PLS – travaux (ligne 2)\n• Montant : 82 720,00 €\n"
                     "• Durée : 480 mois d'amortissement, après 18 mois de préfi.\n"
                     "• Taux : marge : 75 pdb sur Livret A\n")
    assert fields["prets[0].duree_amortissement_mois"][0] == 480
    assert fields["prets[0].duree_prefinancement_mois"][0] == 18
    assert fields["prets[0].marge_pct"][0] == "0.75"


def test_an_amount_with_its_unit_before_the_figures_opens_a_region_too() -> None:
    text = """Banque des Territoires
Récapitulatif des Lignes du Prêt
1 PLI – acquisition du foncier € 774 516,80 3,15 %
Préfinancement : 24 mois · Amortissement : 60 ans · Taux : Livret A + 0,75 %
2 PLS – bâti € 262 778,54 2,85 %
Préfinancement : 18 mois · Amortissement : 40 ans · Taux : Livret A + 0,45 %
"""
    fields = _fields(text)
    assert [fields[f"prets[{i}].montant_eur"][0] for i in (0, 1)] == ["774516.80", "262778.54"]
    assert [fields[f"prets[{i}].duree_amortissement_mois"][0] for i in (0, 1)] == [720, 480]
    assert [fields[f"prets[{i}].marge_pct"][0] for i in (0, 1)] == ["0.75", "0.45"]


def test_what_regions_say_completes_the_loans_of_the_same_amount_in_order_the_richest_kept() -> None:
    """Two loans of the same amount get the two regions of that amount in the letter's order; a third region of
    that amount that says nothing else (a total said once) is left out."""
    def loan(anchor: int, **values: object) -> LoanLine:
        line = LoanLine(anchor=anchor)
        for name, value in {"montant_eur": "500000.00", **values}.items():
            line.put(name, value, anchor, anchor + 1, 0.7)  # type: ignore[arg-type]
        return line

    loans = [loan(0), loan(10)]
    found = [loan(1), loan(2, duree_amortissement_mois=480), loan(3, duree_amortissement_mois=600)]
    _complete(loans, found)
    assert [one.values["duree_amortissement_mois"][0] for one in loans] == [480, 600]
