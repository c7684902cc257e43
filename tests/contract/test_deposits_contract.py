"""The `Deposits` port: the in-memory fake and the S3 adapter on the emulation agree on what a piece
is at envoi (its current version and SHA-256), what intake reads of it (never more than asked, and
the true size), and what quarantine does (takes a version away, unless it is under legal hold)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import pytest
from ami.adapters.s3 import Deposits as S3Deposits
from ami.domain.deposit_keys import piece_key
from ami.services.ports import Deposits
from fakes import InMemoryDeposits

Put = Callable[[str, bytes], str]  # what the browser's presigned POST does: a new version of the key


@pytest.fixture(params=["memoire", "s3"])
def deposits(request: pytest.FixtureRequest) -> tuple[Deposits, Put]:
    if request.param == "memoire":
        fake = InMemoryDeposits()
        return fake, fake.put
    env = request.getfixturevalue("emulation")
    real = S3Deposits(env)

    def put(key: str, data: bytes) -> str:
        return str(real.s3.put_object(Bucket=real.bucket, Key=key, Body=data)["VersionId"])

    return real, put


def key() -> str:
    return piece_key("552100554", uuid.uuid4().hex, "lettre_offre")


def test_a_snapshot_is_the_current_version_and_its_digest(deposits: tuple[Deposits, Put]) -> None:
    d, put = deposits
    k = key()
    assert d.snapshot(k) is None
    put(k, b"%PDF-1.7 premier")
    second = put(k, b"%PDF-1.7 second envoi")
    snap = d.snapshot(k)
    assert snap is not None
    assert (snap.key, snap.version_id, snap.size) == (k, second, len(b"%PDF-1.7 second envoi"))
    assert snap.sha256 == hashlib.sha256(b"%PDF-1.7 second envoi").hexdigest()
    # A digest already computed for that version is taken as is (intake hashed it on arrival).
    again = d.snapshot(k, known={second: "f" * 64})
    assert again is not None and again.sha256 == "f" * 64


def test_intake_reads_at_most_one_byte_more_than_allowed_and_the_true_size(deposits: tuple[Deposits, Put]) -> None:
    d, put = deposits
    k = key()
    big = put(k, b"x" * 100)
    assert d.read(k, big, max_bytes=10) == (b"x" * 11, 100)
    assert d.read(k, big, max_bytes=1000) == (b"x" * 100, 100)
    empty = put(k, b"")
    assert d.read(k, empty, max_bytes=10) == (b"", 0)


def test_quarantine_takes_a_version_away_but_never_one_under_legal_hold(deposits: tuple[Deposits, Put]) -> None:
    d, put = deposits
    k = key()
    refused = put(k, b"MZ not a pdf")
    assert d.quarantine(k, refused, "type_refuse") == f"{k}/{refused}"
    assert d.read(k, refused, max_bytes=100) is None  # gone: intake sees it was already handled
    assert d.snapshot(k) is None
    k2 = key()
    sent = put(k2, b"%PDF-1.7 deposee")
    d.hold(k2, sent)  # part of a sent deposit: evidence
    d.quarantine(k2, sent, "controle_tardif")
    assert d.read(k2, sent, max_bytes=100) == (b"%PDF-1.7 deposee", 16)


def test_hold_all_holds_each_version_once_or_twice_and_names_those_not_there(deposits: tuple[Deposits, Put]) -> None:
    d, put = deposits
    versions = [(k, put(k, f"%PDF-1.7 piece {i}".encode())) for i, k in enumerate(key() for _ in range(5))]
    missing = (key(), "v-absente")
    assert d.hold_all([*versions, versions[0], missing]) == [missing]  # the first twice: harmless
    assert d.hold_all(versions) == []  # again (a redelivered message, the sweep): harmless
    for k, v in versions:
        d.quarantine(k, v, "controle_tardif")  # held: copied, never taken away
        assert d.read(k, v, max_bytes=100) is not None


def test_the_signed_conventions_form_carries_who_asked_and_intake_reads_it_back(request: pytest.FixtureRequest) -> None:
    """Both agree on the signed convention's form (its one key, PDF only, the dossier de présentation's limit, the
    actor as a field of the policy) and on `uploader`: the actor of an uploaded version, None once it is gone."""
    import requests
    from ami.adapters.s3 import ACTOR_FIELD
    from ami.domain.deposit_keys import convention_key

    fake = InMemoryDeposits()
    real = S3Deposits(request.getfixturevalue("emulation"))
    dossier, actor = uuid.uuid4().hex, "bailleur:552100554:sub-1"
    for d in (fake, real):
        form = d.convention_upload_form("552100554", dossier, actor, redirect="https://plateforme.example/recu")
        assert form.key == convention_key("552100554", dossier) and form.max_bytes == 25 * 1024 * 1024
        assert form.fields[ACTOR_FIELD] == actor and form.fields["Content-Type"] == "application/pdf"
        assert form.fields["success_action_redirect"] == "https://plateforme.example/recu"
    # What the browser sends with the real form: S3 keeps the actor as the version's metadata.
    form = real.convention_upload_form("552100554", dossier, actor)
    sent = requests.post(
        form.url, data=form.fields, files={"file": ("c.pdf", b"%PDF-1.7 signee", "application/pdf")}, timeout=30
    )
    assert sent.status_code < 300
    versions = real.s3.list_object_versions(Bucket=real.bucket, Prefix=form.key)["Versions"]
    real_version = versions[0]["VersionId"]
    fake_version = fake.put(form.key, b"%PDF-1.7 signee", uploader=actor)
    for d, version in ((fake, fake_version), (real, real_version)):
        assert d.uploader(form.key, version) == actor
        d.quarantine(form.key, version, "pas_un_pdf")
        assert d.uploader(form.key, version) is None
    plain = str(real.s3.put_object(Bucket=real.bucket, Key=form.key, Body=b"%PDF")["VersionId"])
    assert real.uploader(form.key, plain) == "" and fake.uploader(form.key, fake.put(form.key, b"%PDF")) == ""
