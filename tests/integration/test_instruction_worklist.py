"""The work list on the local stack, end to end: a numbered dossier reaches the list through the instruction
queue and its function, two signed-in instructors take dossiers side by side through the API, and the
audit log names the one who took it into instruction."""

from __future__ import annotations

import pytest


@pytest.mark.timeout(300)
def test_two_instructors_take_numbered_dossiers_side_by_side(ami, register_bailleur, upload_good_pieces, settle):
    bailleur = register_bailleur()
    ids = [ami.new_dossier(bailleur) for _ in range(2)]
    for dossier_id in ids:
        upload_good_pieces(bailleur, dossier_id)
    settle()
    for dossier_id in ids:
        bailleur.call("POST", f"/dossiers/{dossier_id}/envoi")
        settle()
    a, b = ami.instructor("instruction.a@actionlogement.fr"), ami.instructor("instruction.b@actionlogement.fr")
    listed = {e["element"]["dossier_id"]: e for e in a.call("GET", "/instruction/travail")}
    assert set(ids) <= set(listed)
    ours = sorted((listed[i]["element"]["deposit_number"], i) for i in ids)

    # Every other dossier of the shared stack out of the way, so that ours come first.
    taken: dict[str, tuple[int, str]] = {}
    for who, client in (("a", a), ("b", b)):
        while True:
            t = client.call("POST", "/instruction/travail/suivant")["element"]
            assert t is not None, "our dossiers were not handed out"
            if t["dossier_id"] in ids:
                taken[who] = (t["deposit_number"], t["dossier_id"])
                break
            client.call("POST", f"/instruction/travail/{t['dossier_id']}/prise")
    assert sorted(taken.values()) == ours  # A and B hold one each: nobody waits behind the other

    states = {e["element"]["dossier_id"]: e["etat"] for e in b.call("GET", "/instruction/travail")}
    assert states[taken["a"][1]] == "pris par instruction.a@actionlogement.fr"
    rows = {r["dossier_id"]: r for r in a.call("GET", "/instruction/dossiers")}
    assert rows[taken["b"][1]]["file"] == "pris par instruction.b@actionlogement.fr"

    refused = b.call("POST", f"/instruction/travail/{taken['a'][1]}/prise", expect=(409,))
    assert "prenez-le d'abord" in refused["message"]
    moved = a.call("POST", f"/instruction/travail/{taken['a'][1]}/prise")
    assert moved["status"] == "en_instruction"
    last = ami.runtime.functions.app.audit_log.history(taken["a"][1])[-1]  # the bailleur sees « instructeur »
    assert (last.action, last.actor) == ("prise_en_instruction", "instructeur:instruction.a@actionlogement.fr")
    b.call("POST", f"/instruction/travail/{taken['b'][1]}/rendre")
    again = a.call("POST", "/instruction/travail/suivant")["element"]
    assert again["dossier_id"] == taken["b"][1]  # given back at its number's place
