"""S3 adapter for the pieces: presigned uploads straight from the browser, the deposit snapshot at
envoi, and the quarantine of refused files.

Key layout: `bailleurs/<siren>/<dossier_id>/<piece>.pdf`; each upload is a new S3 version, and
the versions recorded at envoi are the deposit.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from ami.adapters.aws import client
from ami.domain.dispositif import dispositif
from ami.domain.models import PIECE_KINDS, DepositedPiece, PieceKind, utcnow
from ami.settings import Settings

KEY_PATTERN = re.compile(
    r"^bailleurs/(?P<siren>\d{9})/(?P<dossier_id>[0-9a-f]{32})/(?P<piece>" + "|".join(PIECE_KINDS) + r")\.pdf$"
)
CHUNK = 1024 * 1024


def piece_key(siren: str, dossier_id: str, piece: PieceKind) -> str:
    return f"bailleurs/{siren}/{dossier_id}/{piece}.pdf"


@dataclass(frozen=True)
class KeyParts:
    siren: str
    dossier_id: str
    piece: PieceKind


def parse_key(key: str) -> KeyParts | None:
    m = KEY_PATTERN.match(key)
    if not m:
        return None
    return KeyParts(m["siren"], m["dossier_id"], m["piece"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    key: str
    expires_at: datetime
    max_bytes: int


class Deposits:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.deposits_bucket
        self.quarantine_bucket = settings.quarantine_bucket
        self.s3 = client("s3")

    def upload_form(self, siren: str, dossier_id: str, piece: PieceKind) -> UploadForm:
        """A presigned POST for exactly one key, one content type and at most the piece's size."""
        rules = dispositif().pieces[piece]
        key = piece_key(siren, dossier_id, piece)
        expiry = dispositif().upload_expiry_seconds
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": rules.content_type},
            Conditions=[
                {"Content-Type": rules.content_type},
                ["content-length-range", 1, rules.max_bytes],
            ],
            ExpiresIn=expiry,
        )
        return UploadForm(post["url"], post["fields"], key, utcnow() + timedelta(seconds=expiry), rules.max_bytes)

    def snapshot(self, key: str) -> DepositedPiece | None:
        """The current version of a piece and its SHA-256, as deposited at envoi."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        version = head.get("VersionId") or "null"
        return DepositedPiece(
            key=key, version_id=version, sha256=self.sha256(key, version), size=int(head["ContentLength"])
        )

    def sha256(self, key: str, version_id: str) -> str:
        body = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)["Body"]
        digest = hashlib.sha256()
        for chunk in iter(lambda: body.read(CHUNK), b""):
            digest.update(chunk)
        return digest.hexdigest()

    def read(self, key: str, version_id: str, max_bytes: int) -> tuple[bytes, int]:
        """The object's bytes, never more than `max_bytes` + 1 (so an oversize file is seen as such)."""
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id, Range=f"bytes=0-{max_bytes}")
        except self.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] != "InvalidRange":
                raise
            return b"", 0  # S3 answers 416 to any range of an empty object: it is empty
        size = int(obj.get("ContentRange", "/0").rsplit("/", 1)[-1] or obj["ContentLength"])
        return obj["Body"].read(), size

    def quarantine(self, key: str, version_id: str, reason_code: str) -> str:
        """Move one version out of the deposits bucket; the reason travels as a tag."""
        qkey = f"{key}/{version_id}"
        self.s3.copy_object(
            Bucket=self.quarantine_bucket,
            Key=qkey,
            CopySource={"Bucket": self.bucket, "Key": key, "VersionId": version_id},
            Tagging=f"motif={quote(reason_code)}",
            TaggingDirective="REPLACE",
        )
        self.s3.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        return qkey

    def download_link(self, key: str, version_id: str, seconds: int = 300) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "VersionId": version_id}
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))
