from ami.domain.wording import compte


def test_counts_agree_with_their_number() -> None:
    assert compte(0, "courriel") == "0 courriel"
    assert compte(1, "courriel") == "1 courriel"
    assert compte(2, "courriel") == "2 courriels"
    assert compte(3, "entrée écrite", "entrées écrites") == "3 entrées écrites"
    assert "(s)" not in compte(5, "prêt")
