"""French parsing, letter/dossier extraction on tricky text, comparisons with the form, the CLI, and fuzzing."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path

import pytest
from ami.domain.errors import PieceRefused
from ami.domain.extraction import HIGH_CONFIDENCE, compare, french, lettre_offre, presentation
from ami.domain.extraction.tables import label_field
from ami.domain.extraction.vocabulary import vocabulary
from ami.domain.models import Loan
from ami.domain.pieces import REFUSAL_CODES, PieceContext, examine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from infra import pdfgen
from infra.cli import app


@pytest.mark.parametrize(
    "text",
    ["1 234 567,89 €", "1\u00a0234\u00a0567,89\u00a0€", "1\u202f234\u202f567,89\u202f€", "1.234.567,89 €",
     "1234567,89 €", "1 234 567,89 EUR", "1 234 567,89 euros"],
)
def test_every_french_amount_format(text: str) -> None:
    assert french.parse_amount(french.normalise(text)) == Decimal("1234567.89")
    assert french.parse_amount(text) == Decimal("1234567.89")


def test_ambiguous_figures_are_not_amounts() -> None:
    assert french.parse_amount("1 234.567,89 €") is None  # mixed separators: unknown, not guessed
    assert french.parse_amount("page 12") is None


@pytest.mark.parametrize(
    ("value", "written"),
    [("12.63", "12,63"), ("0.8716", "0,8716"), ("2400", "2\u202f400"), ("1234567.50", "1\u202f234\u202f567,50"),
     ("-0.5", "-0,5"), ("0", "0")],
)
def test_numbers_are_written_the_french_way_with_their_digits(value: str, written: str) -> None:
    assert french.format_decimal_fr(Decimal(value)) == written


@pytest.mark.parametrize(
    "n", [0, 1, 17, 21, 71, 80, 81, 91, 99, 100, 180, 200, 1000, 1_234_567, 4_500_000, 999_999_999]
)
def test_numbers_in_words_round_trip(n: int) -> None:
    assert french.words_to_int(pdfgen.number_words(n)) == n


def test_amount_in_words() -> None:
    text = "un million deux cent trente-quatre mille cinq cent soixante-sept euros et quatre-vingt-neuf centimes"
    assert french.parse_amount_words(text) == Decimal("1234567.89")
    assert french.words_to_int("trente quarante") is None


@pytest.mark.parametrize(("text", "months"), [("40 ans", 480), ("40 ans 6 mois", 486), ("40 ans et 6 mois", 486),
                                              ("24 mois", 24), ("1 an", 12)])
def test_durations_in_months(text: str, months: int) -> None:
    assert french.parse_duration(text) == months


def test_rates_and_dates() -> None:
    assert french.parse_percent("Livret A + 0,60 %") == Decimal("0.60")
    assert french.parse_percent("- 0,20 %") == Decimal("-0.20")
    assert french.parse_date("valable jusqu'au 1er mars 2026") == dt.date(2026, 3, 1)
    assert french.parse_date("le 31/12/2025") == dt.date(2025, 12, 31)
    assert french.parse_date("le 31 février 2025") is None


LETTER_TEXT = """Banque des Territoires
Habitat Exemple
SIREN : 732 829 320
Le 2 juin 2025
Nos réf. : BDT-2025-7
Objet : Offre de prêts — opération « Le Verger » à Lyon
Prêt n° 1 — PLI foncier
Montant : 1.234.567,89 € (un million deux cent trente-quatre mille cinq cent soixante-sept euros et
quatre-vingt-dix centimes)
Durée d'amortissement :
40 ans
Garantie : la garantie de la commune de Lyon à hauteur de 50 %
"""


def test_letter_in_blocks_with_words_that_disagree_and_another_guarantor() -> None:
    result = lettre_offre.extract([LETTER_TEXT])
    fields = {f.name: f for f in result.fields}
    assert fields["emprunteur.siren"].value == "732829320"
    assert fields["prets[0].montant_eur"].value == "1234567.89"
    assert fields["prets[0].montant_eur"].confidence < 0.9  # the words say ,90: not trusted
    assert fields["prets[0].duree_amortissement_mois"].value == 480  # label and value on two lines
    assert [c.code for c in result.checks] == ["montant_lettres_incoherent"]
    assert [c.code for c in lettre_offre.other_guarantors([LETTER_TEXT])] == ["autre_garant"]


TWO_BLOCKS = """Banque des Territoires
Prêt n° 1 - PLI foncier
Montant : 500 000,00 €
Durée d'amortissement : 40 ans
Prêt n° 2 - PLI bâti
Montant : 1 500 000,00 €
Durée d'amortissement : 50 ans
{total}
"""


def test_a_total_that_is_the_sum_of_the_loans_keeps_them_sure() -> None:
    result = lettre_offre.extract([TWO_BLOCKS.format(total="Montant total du Prêt : 2 000 000,00 €")])
    fields = {f.name: f for f in result.fields}
    assert fields["montant_total_eur"].value == "2000000.00"
    assert fields["prets[1].montant_eur"].confidence >= HIGH_CONFIDENCE
    assert "total_incoherent" not in [c.code for c in result.checks]


@pytest.mark.parametrize("total", [
    "Total général 2 750 000,00",  # a table's row, its unit in the header
    "soit une offre d'un montant total de 2 750 000 € pour l'opération.",
    "TOTAL DES FINANCEMENTS BANQUE DES TERRITOIRES : 2.750.000,00 EUR",
])
def test_a_total_that_is_not_the_sum_leaves_no_loan_value_sure(total: str) -> None:
    """The letter's total says a third loan (or a misread amount) was not read: every loan value, and their
    count, is for the instructor to check, and a check says why."""
    result = lettre_offre.extract([TWO_BLOCKS.format(total=total)])
    fields = {f.name: f for f in result.fields}
    assert fields["montant_total_eur"].value == "2750000.00"
    assert fields["prets[0].montant_eur"].value == "500000.00"
    loan_values = [f for f in result.fields if f.name.startswith("prets")]
    assert loan_values and all(f.confidence < HIGH_CONFIDENCE for f in loan_values)
    (check,) = [c for c in result.checks if c.code == "total_incoherent"]
    assert "(2\u202f750\u202f000,00\u00a0€)" in check.message_fr
    assert "(2\u202f000\u202f000,00\u00a0€)" in check.message_fr


@pytest.mark.parametrize("line", [
    "Total 11 636 480 100 %",  # a financing plan's total and its share: digits that run into each other
    "Coût total de l'opération : 4 000 000,00 €",  # the operation's cost, not the loans'
    "Durée totale : 600 mois",
])
def test_what_is_no_total_of_the_loans_is_not_compared_with_them(line: str) -> None:
    result = lettre_offre.extract([TWO_BLOCKS.format(total=line)])
    assert "montant_total_eur" not in {f.name for f in result.fields}
    assert all(f.confidence >= HIGH_CONFIDENCE for f in result.fields if f.name.endswith("montant_eur"))


@pytest.mark.parametrize(("said", "doubted"), [
    ("Le Prêt est constitué de 3 Lignes du Prêt.", True),  # a third loan the readers did not see
    ("Le Prêt est réparti en deux Lignes du Prêt.", False),
    ("Nombre de Lignes du Prêt : 3", True),  # a portal's summary
    ("Chaque Ligne du Prêt n° 2 est garantie.", False),  # no count
])
def test_a_count_of_lines_the_letter_states_is_compared_with_the_loans_read(said: str, doubted: bool) -> None:
    result = lettre_offre.extract([TWO_BLOCKS.format(total=said)])
    loan_values = [f for f in result.fields if f.name.startswith("prets")]
    assert len({f.name.split(".")[0] for f in loan_values if f.name.startswith("prets[")}) == 2
    assert any(f.confidence >= HIGH_CONFIDENCE for f in loan_values) is not doubted
    assert ("nombre_incoherent" in [c.code for c in result.checks]) is doubted
    if doubted:
        (check,) = [c for c in result.checks if c.code == "nombre_incoherent"]
        assert check.message_fr.startswith("La lettre annonce 3 lignes de prêt ; 2 ont été lues.")


def test_unknown_stays_unknown() -> None:
    fields = {f.name for f in lettre_offre.extract(["Madame, Monsieur, bonne réception."]).fields}
    assert fields == set()
    assert presentation.extract(["Rien ici."]) == []


LOANS = [
    Loan(kind="foncier", montant_eur=Decimal("1234567.89"), duree_mois=480, marge_pct=Decimal("0.60")),
    Loan(kind="bati", montant_eur=Decimal("4500000.00"), duree_mois=600, marge_pct=Decimal("0.60")),
]


def _letter(**changes: object) -> bytes:
    args: dict[str, object] = dict(raison_sociale="Habitat Forézien SA d'HLM", siren="732829320",
                                   operation="Les Jardins", commune="Roanne", loans=LOANS, reference="BDT-1",
                                   date_lettre=dt.date(2025, 11, 3))
    return pdfgen.lettre_offre(**(args | changes))  # type: ignore[arg-type]


def test_letter_against_the_form_each_difference_is_a_check() -> None:
    report = examine(_letter(), "lettre_offre")
    assert compare.letter_vs_form(report.fields, LOANS) == []
    form = [LOANS[0].model_copy(update={"montant_eur": Decimal("1234567.88")}),
            LOANS[1].model_copy(update={"kind": "foncier", "duree_mois": 300})]
    codes = sorted(c.code for c in compare.letter_vs_form(report.fields, form))
    assert codes == ["ecart_duree", "ecart_montant", "ecart_nature", "ecart_total"]
    extra = sorted(c.code for c in compare.letter_vs_form(report.fields, [*LOANS, LOANS[1]]))
    assert extra == ["ecart_nombre_prets", "ecart_total"]
    # Listed in another order, the same loans are no difference.
    assert compare.letter_vs_form(report.fields, LOANS[::-1]) == []


def test_context_checks_other_bailleur_and_expired_letter() -> None:
    context = PieceContext(siren="552100554", raison_sociale="Logis Cévenol", today=dt.date(2026, 6, 1))
    report = examine(_letter(other_guarantor="Une caution de la collectivité est également sollicitée."),
                     "lettre_offre", context=context)
    assert {c.code for c in report.checks} == {"offre_expiree", "autre_bailleur", "autre_bailleur_nom",
                                               "autre_garant"}
    assert all(c.piece == "lettre_offre" and c.message_fr for c in report.checks)


def test_same_bailleur_written_differently_is_no_check() -> None:
    assert compare.same_company("Habitat Forézien SA d'HLM", "HABITAT FOREZIEN")


def test_scan_gets_a_check_not_a_refusal() -> None:
    report = examine(pdfgen.scanned_pdf(), "lettre_offre")
    assert [c.code for c in report.checks] == ["sans_texte"] and report.fields == ()


def test_cli_json_verdicts(tmp_path: Path) -> None:
    good, bad = tmp_path / "offre.pdf", tmp_path / "offre-js.pdf"
    good.write_bytes(_letter(layout="columns", words=True))
    bad.write_bytes(pdfgen.javascript_pdf())
    runner = CliRunner()
    result = runner.invoke(app, ["piece", "check", str(good), "--piece", "lettre_offre", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["verdict"] == "accepted"
    values = {f["name"]: f["value"] for f in body["fields"]}
    assert values["prets[0].montant_eur"] == "1234567.89" and values["prets[1].duree_amortissement_mois"] == 600
    assert all({"value", "page", "source", "confidence"} <= set(f) for f in body["fields"])
    refused = runner.invoke(app, ["piece", "check", str(bad), "--piece", "lettre_offre", "--json"])
    assert refused.exit_code == 1
    assert json.loads(refused.output)["reason_code"] == "javascript"
    readable = runner.invoke(app, ["piece", "check", str(good), "--piece", "lettre_offre"])
    assert "ACCEPTÉ" in readable.output


def test_time_budget_refuses_instead_of_hanging() -> None:
    with pytest.raises(PieceRefused) as caught:
        examine(_letter(), "lettre_offre", budget_seconds=0)
    assert caught.value.code == "trop_complexe"


# ---------------------------------------------------------------- fuzz: only typed errors, no hang

_words = st.sampled_from(["Prêt", "n°", "1", "PLI", "foncier", "bâti", "Montant", ":", "1 234,56 €", "1.234.567,89",
                          "€", "ans", "mois", "40", "Livret A", "+", "0,60 %", "Total", "Produit", "Nature",
                          "Durée", "\n", "SIREN", "«", "»", "opération", "valable jusqu'au", "1er", "mars", "2026",
                          "cent", "mille", "euros", "et", "centimes", "(", ")", "Garantie", "commune", "T2", "m²"])
_texts = st.one_of(st.text(max_size=400), st.lists(_words, max_size=120).map(" ".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=st.lists(_texts, min_size=1, max_size=3))
def test_extractors_never_crash(pages: list[str]) -> None:
    started = time.monotonic()
    letter = lettre_offre.extract(pages)
    lettre_offre.other_guarantors(pages)
    fields = presentation.extract(pages)
    compare.letter_vs_form(letter.fields, LOANS)
    for f in [*letter.fields, *fields]:
        assert f.page is not None and 1 <= f.page <= len(pages)
    assert time.monotonic() - started < 2


_VALID = _letter()
_structural = st.sampled_from([b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"stream\n", b"endstream",
                               b"/FlateDecode", b"/ObjStm", b"obj", b"x\x9c", b"%%EOF", b"/Count 0", b"<<", b">>"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(0, len(_VALID)), inserts=st.lists(st.tuples(st.integers(0, len(_VALID)), _structural),
                                                          max_size=6))
def test_validators_raise_only_typed_refusals(cut: int, inserts: list[tuple[int, bytes]]) -> None:
    data = bytearray(_VALID)
    for position, token in sorted(inserts, reverse=True):
        data[position:position] = token
    data = data[: max(cut, 16)] + b"\n%%EOF\n"
    started = time.monotonic()
    try:
        examine(bytes(data), "lettre_offre")
    except PieceRefused as refused:
        assert refused.code in REFUSAL_CODES
    assert time.monotonic() - started < 10


def _loans(text: str) -> list[dict[str, object]]:
    fields = lettre_offre.extract([text]).fields
    count = next((f.value for f in fields if f.name == "prets.nombre"), 0)
    return [{f.name.split(".", 1)[1]: f.value for f in fields if f.name.startswith(f"prets[{i}].")}
            for i in range(int(count))]


def test_the_parts_listed_under_a_product_s_global_amount_are_its_loans() -> None:
    text = """Banque des Territoires
Nous confirmons notre accord de principe pour un financement de 1 358 566,00 € au total, réparti comme suit :
• Prêt PLI d'un montant global de 358 566,00 €, dont :
– part foncière : 136 485,00 €, amortissement sur 25 ans après un préfinancement de 18 mois, au taux
du Livret A majoré de 0,45 % ;
– part bâtie : 222 081,00 €, amortissement sur 50 ans après un préfinancement de 12 mois, au taux
du Livret A majoré de 0,75 %.
• Prêt PLS (part bâtie) de 1 000 000,00 € : amortissement sur 40 ans, sans préfinancement, au taux fixe de 3,10 %.
"""
    loans = _loans(text)
    assert [(loan["produit"], loan["nature"], loan["montant_eur"]) for loan in loans] == [
        ("PLI", "foncier", "136485.00"), ("PLI", "bati", "222081.00"), ("PLS", "bati", "1000000.00")]
    assert [(loan["duree_prefinancement_mois"], loan["duree_amortissement_mois"]) for loan in loans[:2]] == [
        (18, 300), (12, 600)]
    assert [loan.get("marge_pct") for loan in loans] == ["0.45", "0.75", None]


def test_several_label_value_pairs_on_one_line_and_bulleted_labels() -> None:
    text = """Banque des Territoires
Ligne du Prêt 1 :
- Ligne du Prêt : PLI foncier
- Montant : 508 395,37 euros
Préfinancement : 24 mois · Amortissement : 60 ans · Échéances : annuelles
- Taux d'intérêt actuariel annuel : taux du Livret A en vigueur à la date d'effet du Contrat de Prêt + 45 pdb
"""
    (loan,) = _loans(text)
    assert loan | {"periodicite": None} == {
        "produit": "PLI", "nature": "foncier", "montant_eur": "508395.37", "duree_prefinancement_mois": 24,
        "duree_amortissement_mois": 720, "index": "livret_a", "marge_pct": "0.45", "periodicite": None}


@pytest.mark.parametrize(("sentence", "flagged"), [
    ("La garantie de l'Établissement public territorial Paris Terres d'Envol est accordée à 100 %.", True),
    ("Le Département subventionne l'opération mais ne garantit pas l'emprunt.", False),
    ("La commune ne garantit que 50 % du prêt.", True),  # « ne … que »: a guarantee all the same
    ("La demande de garantie adressée à la Métropole a été retirée : Action Logement Services garantit seule "
     "100 % du Prêt.", False),
])
def test_more_wordings_of_another_guarantee_or_of_none(sentence: str, flagged: bool) -> None:
    text = f"Chaque Ligne du Prêt est garantie par Action Logement Services.\n{sentence}\n"
    assert bool(lettre_offre.other_guarantors([text])) is flagged


def test_a_decision_s_lines_a_fee_s_value_and_the_rate_said_with_la() -> None:
    """« Ligne du Prêt PLI foncier : 5 085 365,00 € » over dashed lines; the commission's amount, far from its
    label (« … du montant de la Ligne du Prêt soit 3 051 € »), is no loan; « Taux du LA … + 0,60% » is a margin."""
    text = """DÉCISION N° DG-2026-071
Article 1 : De contracter un Contrat de Prêt composé de 2 Lignes du Prêt pour un montant total de 5 468 890,06 €.
Ligne du Prêt PLI foncier : 5 085 365,00 €
- Durée de la phase de préfinancement : 12 mois
- Durée d'amortissement : 40 ans
- Index : Livret A
- Taux d'intérêt actuariel annuel : Taux du LA en vigueur à la date d'effet du contrat + 0,60%
- Commission d'instruction : 0,06 % (6 points de base) du montant de la Ligne du Prêt soit 3 051 €
Ligne du Prêt PLI construction : 383 525,06 €
- Durée de la phase de préfinancement : aucune
- Durée d'amortissement : 50 ans
- Index : Livret A
- Taux d'intérêt actuariel annuel : Taux du LA en vigueur à la date d'effet du contrat - 0,20%
- Commission d'instruction : 0,06 % (6 points de base) du montant de la Ligne du Prêt soit 230 €
"""
    loans = _loans(text)
    assert [(loan["montant_eur"], loan["duree_amortissement_mois"], loan.get("marge_pct")) for loan in loans] == [
        ("5085365.00", 480, "0.60"), ("383525.06", 600, "-0.20")]


def test_a_body_said_to_take_no_part_and_a_hyphenated_label() -> None:
    text = ("Chaque Ligne du Prêt est garantie par Action Logement Services.\n"
            "La CGLLS n'intervient pas : la garantie d'Action Logement Services couvre 100 % des sommes dues.\n")
    assert lettre_offre.other_guarantors([text]) == []
    assert lettre_offre.other_guarantors([text + "La commune garantit 50 % du prêt.\n"])
    # pdfium marks a word hyphenated at a line's end with a soft hyphen: the label is the word
    assert label_field("Préfinan\u00adcement", vocabulary())[0] == "duree_prefinancement_mois"


def test_a_form_s_tick_boxes_keep_only_what_is_ticked_and_labels_give_the_unit() -> None:
    text = """FICHE DE PRÉSENTATION DES PRÊTS
PRÊT N° 1
Type de prêt : [ ] PLS [X] PLI [ ] PLUS [ ] PLAI
Objet : [X] Charge foncière [ ] Bâti
Montant (€) : 6 359 856,37
Durée de préfinancement (mois) : 18
Durée d'amortissement (mois) : 360
Index : [X] Livret A [ ] Taux fixe
Marge sur index (%) : 0,60
PRÊT N° 2
Type de prêt : [ ] PLS [X] PLI [ ] PLUS [ ] PLAI
Objet : [ ] Charge foncière [X] Bâti
Montant (€) : 4 529 751,00
Durée de préfinancement (mois) : 0
Durée d'amortissement (mois) : 600
Index : [ ] Livret A [X] Taux fixe
Autres garanties prévues au plan de financement : [ ] Oui [X] Non
"""
    loans = _loans(text)
    assert [(loan["produit"], loan["nature"], loan["index"], loan["duree_amortissement_mois"]) for loan in loans] == [
        ("PLI", "foncier", "livret_a", 360), ("PLI", "bati", "taux_fixe", 600)]
    assert loans[0]["marge_pct"] == "0.60" and loans[0]["duree_prefinancement_mois"] == 18
    assert lettre_offre.other_guarantors([text]) == []


@pytest.mark.parametrize("lines", [
    "- durée totale du prêt : 53 ans, dont phase de préfinancement : 36 mois,",
    "Durée totale de la Ligne du Prêt : 53 ans\nDurée de la phase de préfinancement : 36 mois",
])
def test_a_whole_duration_and_its_prefinancement_give_the_amortisation(lines: str) -> None:
    text = f"Prêt n° 1 – PLI foncier\nMontant du prêt : 510 470,00 €\n{lines}\nIndex : Livret A\n"
    (loan,) = _loans(text)
    assert (loan["duree_prefinancement_mois"], loan["duree_amortissement_mois"]) == (36, 600)
    assert "duree_totale_mois" not in loan
