"""Shared fixtures of the integration and end-to-end tests: one local stack for the whole session.

The stack is the real one (`infra.local.LocalRuntime`): moto server in a child process, every
resource of template.yaml, the real Lambda handlers fed by the dispatcher, the Chalice API over
HTTP. Tests share it, so each one works on fresh bailleurs and dossiers and asserts on those only;
the deposit counter is global, so numbers are compared with each other, never with constants.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from ami.bootstrap import sqs_publisher
from support import PASSWORD

from infra.client import AmiClient, login, register
from infra.local import LocalRuntime, sqs_event
from infra.provision import REGION

INSTRUCTOR = ("instruction.essais@actionlogement.fr", "Instructeur-Essais-2026!")
MAILBOX = "ami.garantie@actionlogement.fr"
DRAIN_TIMEOUT = 60


@dataclass
class Bailleur(AmiClient):
    """An `AmiClient` logged in as a freshly registered bailleur."""

    siren: str = ""
    email: str = ""
    raison_sociale: str = ""


@dataclass
class Harness:
    """Helpers over the shared runtime; the fixtures below hand out its methods."""

    runtime: LocalRuntime
    _sirens: set[str] = field(default_factory=set)
    _count: int = 0
    _scratch: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        endpoint = self.runtime.emulation.endpoint
        self.s3 = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=REGION)
        self.sqs = boto3.session.Session().client("sqs", endpoint_url=endpoint, region_name=REGION)
        self.physical = self.runtime.stack.physical

    # ------------------------------------------------------------ people

    def unique_siren(self, forme_juridique: str = "sa_hlm") -> str:
        """A SIREN of the emulation's Sirene register, active and of `forme_juridique`, not used yet."""
        from infra.sirene_fixture import sirene_fixture

        for unite in sirene_fixture().eligible(forme_juridique):
            if unite.siren not in self._sirens:
                self._sirens.add(unite.siren)
                return unite.siren
        raise LookupError(f"plus de SIREN libre de forme {forme_juridique} dans infra/data/sirene-fixture.csv")

    def register_bailleur(self, forme_juridique: str = "sa_hlm") -> Bailleur:
        siren = self.unique_siren(forme_juridique)
        email = f"garanties.{siren}@bailleur-essai.example"
        raison_sociale = f"Habitat Essai {siren}"
        register(self.runtime.api_url, self.runtime.emulation.endpoint, {
            "raison_sociale": raison_sociale, "siren": siren, "forme_juridique": forme_juridique,
            "adresse": "12 quai Perrache, 69002 Lyon", "email_contact": email, "mot_de_passe": PASSWORD,
        })
        token = login(self.runtime.emulation.endpoint, self.runtime.stack.user_pool_client_id, email, PASSWORD)
        return Bailleur(self.runtime.api_url, token, siren=siren, email=email, raison_sociale=raison_sociale)

    def instructor(self, email: str = INSTRUCTOR[0]) -> AmiClient:
        from infra.ops import add_instructor

        secret = add_instructor(self.runtime.stack, email, INSTRUCTOR[1])
        token = login(self.runtime.emulation.endpoint, self.runtime.stack.user_pool_client_id, email,
                      INSTRUCTOR[1], totp_secret=secret)
        return AmiClient(self.runtime.api_url, token)

    # ------------------------------------------------------------ dossiers and pieces

    def complete_dossier_form(self, drop: str | None = None) -> dict[str, Any]:
        """A complete operation in Lyon (zone A) with a land and a building loan; `drop` empties one field."""
        self._count += 1
        surface = Decimal(2600)
        utile = (surface * Decimal("1.06")).quantize(Decimal("0.01"))
        operation: dict[str, Any] = {
            "nom": f"Résidence des Essais n° {self._count} ({uuid.uuid4().hex[:6]})",
            "commune_insee": "69123",
            "adresse": "45 avenue Jean-Jaurès, 69007 Lyon",
            "logements": {"t2": 18, "t3": 16, "t4": 6},
            "surface_habitable_m2": str(surface),
            "surface_utile_m2": str(utile),
            "loyer_mensuel_total_eur": str((utile * Decimal("13.40")).quantize(Decimal("0.01"))),
            "date_debut_travaux": "2027-03-01",
        }
        if drop:
            operation.pop(drop)
        prets = [
            {"kind": "foncier", "produit": "PLI", "montant_eur": "1450000", "duree_mois": 600, "marge_pct": "0.60"},
            {"kind": "bati", "produit": "PLI", "montant_eur": "7300000", "duree_mois": 480, "marge_pct": "0.60"},
        ]
        return {"operation": operation, "prets": prets}

    def new_dossier(self, client: Bailleur, drop: str | None = None) -> str:
        created = client.call("POST", "/dossiers", self.complete_dossier_form(drop))
        return str(created["dossier_id"])

    def good_pdf(self, client: Bailleur, piece: str) -> bytes:
        from ami.domain.models import Loan, Operation

        from infra import pdfgen

        form = self.complete_dossier_form()
        if piece == "lettre_offre":
            return pdfgen.lettre_offre(
                raison_sociale=client.raison_sociale, siren=client.siren, operation=form["operation"]["nom"],
                commune="Lyon", loans=[Loan.model_validate(p) for p in form["prets"]],
                reference=f"BDT-LLI-2026-{random.randrange(10**5):05d}", date_lettre=date(2026, 10, 1),
                region="Auvergne-Rhône-Alpes",
            )
        return pdfgen.dossier_presentation(
            operation=Operation.model_validate(form["operation"]), commune_nom="Lyon", zone="A",
            raison_sociale=client.raison_sociale, pages=3,
        )

    def upload_good_pieces(self, client: Bailleur, dossier_id: str) -> dict[str, bytes]:
        """Both pieces, uploaded through the presigned POST; returns the bytes of each."""
        uploaded = {}
        for piece in ("lettre_offre", "dossier_presentation"):
            data = self.good_pdf(client, piece)
            client.upload(dossier_id, piece, data, f"{piece}.pdf")
            uploaded[piece] = data
        return uploaded

    def key(self, client: Bailleur, dossier_id: str, piece: str) -> str:
        return f"bailleurs/{client.siren}/{dossier_id}/{piece}.pdf"

    # ------------------------------------------------------------ the pipeline

    def settle(self, timeout: float = DRAIN_TIMEOUT) -> None:
        self.runtime.dispatcher.drain(timeout=timeout)

    def emails_to(self, address: str, codes: bool = False) -> list[Any]:
        """What the emulated SES sent to `address`, without the inscription's confirmation code
        unless `codes`."""
        from infra.mailbox import captured_emails

        return [e for e in captured_emails(self.runtime.emulation.endpoint)
                if address in e.to and (codes or "code de confirmation" not in e.subject)]

    def mailbox_emails_about(self, client: Bailleur) -> list[Any]:
        return [e for e in self.emails_to(MAILBOX) if client.raison_sociale in e.subject]

    def quarantine_tags(self, qkey: str) -> dict[str, str] | None:
        """The tags of a quarantined object, or None if there is no such object."""
        try:
            tags = self.s3.get_object_tagging(Bucket=self.physical["QuarantineBucket"], Key=qkey)["TagSet"]
        except self.s3.exceptions.ClientError:
            return None
        return {t["Key"]: t["Value"] for t in tags}

    def quarantined_under(self, prefix: str) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.physical["QuarantineBucket"], Prefix=prefix)
        return [o["Key"] for o in listing.get("Contents", [])]

    def deposit_version_exists(self, key: str, version_id: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.physical["DepositsBucket"], Key=key, VersionId=version_id)
        except self.s3.exceptions.ClientError:
            return False
        return True

    def take_work_items(self) -> list[dict[str, Any]]:
        """Empty the instructors' work list (what the instruction queue's consumer listed), in number order."""
        from ami.adapters.dynamodb.worklist import PK

        table = boto3.session.Session().resource("dynamodb", endpoint_url=self.runtime.emulation.endpoint,
                                                 region_name=REGION).Table(self.physical["CountersTable"])
        rows = table.query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": PK},
                           ConsistentRead=True)["Items"]
        for row in rows:
            table.delete_item(Key={"pk": row["pk"], "sk": row["sk"]})
        return [json.loads(str(row["doc"])) for row in rows]

    def send(self, queue: str, body: str, group: str | None = None) -> None:
        """One message to a queue of the stack; FIFO messages get a fresh deduplication id."""
        kwargs: dict[str, Any] = {"QueueUrl": self.physical[queue], "MessageBody": body}
        if group is not None:
            kwargs.update(MessageGroupId=group, MessageDeduplicationId=uuid.uuid4().hex)
        self.sqs.send_message(**kwargs)

    def invoke(self, function: str, bodies: list[str]) -> Any:
        """Invoke a handler directly with a real-shaped SQS event carrying `bodies`.

        The messages go through a scratch queue of the emulation (read by nobody else), so that their
        attributes are the ones SQS really gives; the event is built as the dispatcher builds it.
        """
        trigger = next(t for t in self.runtime.stack.triggers if t.function == function)
        url = self._scratch_queue(trigger.fifo)
        for body in bodies:
            kwargs: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
            if trigger.fifo:
                kwargs.update(MessageGroupId="essai", MessageDeduplicationId=uuid.uuid4().hex)
            self.sqs.send_message(**kwargs)
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + 10
        while len(messages) < len(bodies) and time.monotonic() < deadline:
            messages += self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                                 AttributeNames=["All"], MessageAttributeNames=["All"],
                                                 ).get("Messages", [])
        assert len(messages) == len(bodies)
        for m in messages:
            self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return self.runtime.functions.invoke(function, sqs_event(trigger, messages))

    def _scratch_queue(self, fifo: bool) -> str:
        name = "essais-scratch.fifo" if fifo else "essais-scratch"
        if name not in self._scratch:
            attributes = {"FifoQueue": "true"} if fifo else {}
            self._scratch[name] = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        return self._scratch[name]

    def s3_notification(self, key: str, version_id: str, size: int, etag: str) -> str:
        """The body of the notification S3 sends (through SQS) when an object version is created."""
        bucket = self.physical["DepositsBucket"]
        return json.dumps({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": REGION,
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "eventName": "ObjectCreated:Post", "userIdentity": {"principalId": "AWS:ESSAI"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": uuid.uuid4().hex, "x-amz-id-2": "essai"},
            "s3": {
                "s3SchemaVersion": "1.0", "configurationId": "PieceUploaded",
                "bucket": {"name": bucket, "ownerIdentity": {"principalId": "ESSAI"}, "arn": f"arn:aws:s3:::{bucket}"},
                "object": {"key": quote_plus(key), "size": size, "eTag": etag.strip('"'), "versionId": version_id,
                           "sequencer": uuid.uuid4().hex[:18].upper()},
            },
        }]})

    # ------------------------------------------------------------ the numbering, driven by hand

    def sequencer(self, hold_seconds: int | None = None) -> Any:
        """A Sequencer on the stack's tables, with the dispositif's rules, or giving up an undecided head after
        `hold_seconds` (what no stack of the service does: a test's fake piece versions never land)."""
        from ami.adapters.dynamodb import Store
        from ami.domain.dispositif import dispositif
        from ami.services.sequencing import Sequencer, SequencingRules
        from ami.settings import settings

        rules = SequencingRules.of(dispositif())
        if hold_seconds is not None:
            rules = replace(rules, give_up=timedelta(seconds=hold_seconds))
        return Sequencer(Store(settings()), rules, sqs_publisher(settings()))

    def release_watermark(self) -> None:
        """End every undecided envoi at once, so that a failed test cannot hold back the others."""
        self.sequencer(hold_seconds=0).advance()
        self.settle()


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRuntime]:
    # The dispatcher's complaints (failed invocations) go to stderr, shown with a failing test.
    rt = LocalRuntime(serve_api=True, state_dir=tmp_path_factory.mktemp("ami-local"),
                      log=lambda m: print(m, file=sys.stderr))
    try:
        rt.start()
    except BaseException:
        with contextlib.suppress(Exception):
            rt.dispatcher.stop()
        rt.emulation.stop()
        raise
    yield rt
    rt.stop()


@pytest.fixture(scope="session")
def ami(runtime: LocalRuntime) -> Harness:
    return Harness(runtime)


@pytest.fixture(scope="session")
def register_bailleur(ami: Harness) -> Callable[..., Bailleur]:
    return ami.register_bailleur


@pytest.fixture(scope="session")
def instructor(ami: Harness) -> AmiClient:
    return ami.instructor()


@pytest.fixture(scope="session")
def complete_dossier_form(ami: Harness) -> Callable[..., dict[str, Any]]:
    return ami.complete_dossier_form


@pytest.fixture(scope="session")
def upload_good_pieces(ami: Harness) -> Callable[[Bailleur, str], dict[str, bytes]]:
    return ami.upload_good_pieces


@pytest.fixture(scope="session")
def settle(ami: Harness) -> Callable[..., None]:
    return ami.settle


@pytest.fixture(scope="session")
def sqs(ami: Harness) -> Any:
    return ami.sqs


@pytest.fixture(scope="session")
def s3(ami: Harness) -> Any:
    return ami.s3


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="session")
def digest() -> Callable[[bytes], str]:
    return sha256
