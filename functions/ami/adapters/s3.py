"""S3 adapter for the pieces: presigned uploads straight from the browser, the deposit snapshot at
envoi, the quarantine of refused files, and documents handed out by short-lived links (key layout
in `ami.domain.deposit_keys`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from ami.adapters.aws import Aws, default_aws
from ami.domain.deposit_keys import convention_key, piece_key
from ami.domain.dispositif import dispositif, piece_rules
from ami.domain.models import DepositedPiece, PieceKind, utcnow
from ami.settings import Settings

CHUNK = 1024 * 1024
# Who asked for the signed convention's upload form, carried by the upload itself: a field of the presigned
# POST whose policy (signed by the service) requires exactly that value, so S3 stores it as the object's
# metadata and intake reads it back (never from the file).
ACTOR_FIELD = "x-amz-meta-acteur"
HOLD_THREADS = 8  # legal holds put at once (a batch of the numbering: up to 32 deposits of 2 pieces)


@dataclass(frozen=True)
class UploadForm:
    url: str
    fields: dict[str, str]
    key: str
    expires_at: datetime
    max_bytes: int


class Deposits:
    def __init__(self, settings: Settings, aws: Aws | None = None) -> None:
        self.bucket = settings.deposits_bucket
        self.quarantine_bucket = settings.quarantine_bucket
        self.s3 = (aws or default_aws()).client("s3")

    def upload_form(self, siren: str, dossier_id: str, piece: PieceKind, redirect: str | None = None) -> UploadForm:
        """A presigned POST for exactly one key, one content type and at most the piece's size; with
        `redirect`, S3 sends the browser there once the file is stored (an HTML form, without JavaScript)."""
        return self._form(piece_key(siren, dossier_id, piece), piece, redirect)

    def convention_upload_form(self, siren: str, dossier_id: str, actor: str,
                               redirect: str | None = None) -> UploadForm:
        """The same for the dossier's signed convention: its one key, a PDF within the dossier de présentation's
        size, and `actor` (the bailleur who asked) as a metadata field the policy fixes."""
        return self._form(convention_key(siren, dossier_id), "dossier_presentation", redirect, {ACTOR_FIELD: actor})

    def _form(self, key: str, piece: PieceKind, redirect: str | None,
              extra: dict[str, str] | None = None) -> UploadForm:
        rules = piece_rules(piece)
        expiry = dispositif().upload_expiry_seconds
        fields = {"Content-Type": rules.content_type, **(extra or {})}
        conditions: list[Any] = [{"Content-Type": rules.content_type}, ["content-length-range", 1, rules.max_bytes]]
        conditions += [{name: value} for name, value in (extra or {}).items()]
        if redirect is not None:
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expiry
        )
        return UploadForm(post["url"], post["fields"], key, utcnow() + timedelta(seconds=expiry), rules.max_bytes)

    def snapshot(self, key: str, known: Mapping[str, str] | None = None) -> DepositedPiece | None:
        """The current version of a piece and its SHA-256, as deposited at envoi (`known`: the SHA-256
        of versions already hashed, by version id; the others are read and hashed)."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        version = head.get("VersionId") or "null"
        digest = (known or {}).get(version) or self.sha256(key, version)
        return DepositedPiece(key=key, version_id=version, sha256=digest, size=int(head["ContentLength"]))

    def sha256(self, key: str, version_id: str) -> str:
        body = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)["Body"]
        digest = hashlib.sha256()
        for chunk in iter(lambda: body.read(CHUNK), b""):
            digest.update(chunk)
        return digest.hexdigest()

    def read(self, key: str, version_id: str, max_bytes: int) -> tuple[bytes, int] | None:
        """The object's bytes, never more than `max_bytes` + 1 (so an oversize file is seen as such),
        and its size; None when that version is no longer there (already quarantined)."""
        try:
            obj = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id, Range=f"bytes=0-{max_bytes}")
        except self.s3.exceptions.ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("NoSuchVersion", "NoSuchKey", "404"):
                return None
            if code != "InvalidRange":
                raise
            return b"", 0  # S3 answers 416 to any range of an empty object: it is empty
        size = int(obj.get("ContentRange", "/0").rsplit("/", 1)[-1] or obj["ContentLength"])
        return obj["Body"].read(), size

    def uploader(self, key: str, version_id: str) -> str | None:
        """Who asked for the form this version was uploaded with (`ACTOR_FIELD`); None when that version is no
        longer there, "" when it carries no such field."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        except self.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchVersion", "NoSuchKey", "404", "400"):
                return None
            raise
        # S3 keeps metadata names in lower case; some front ends capitalise them (the emulation's does).
        metadata = {str(k).lower(): str(v) for k, v in head.get("Metadata", {}).items()}
        return metadata.get(ACTOR_FIELD.removeprefix("x-amz-meta-"), "")

    def quarantine(self, key: str, version_id: str, reason_code: str) -> str:
        """Move one version out of the deposits bucket; the reason travels as a tag. A version under
        legal hold (part of a sent deposit: evidence) is copied and stays where it is."""
        qkey = f"{key}/{version_id}"
        self.s3.copy_object(
            Bucket=self.quarantine_bucket,
            Key=qkey,
            CopySource={"Bucket": self.bucket, "Key": key, "VersionId": version_id},
            Tagging=f"motif={quote(reason_code)}",
            TaggingDirective="REPLACE",
        )
        try:
            self.s3.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        except self.s3.exceptions.ClientError as exc:
            if exc.response["Error"]["Code"] != "AccessDenied":
                raise
        return qkey

    def hold(self, key: str, version_id: str) -> None:
        self.s3.put_object_legal_hold(Bucket=self.bucket, Key=key, VersionId=version_id, LegalHold={"Status": "ON"})

    def hold_all(self, versions: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """Hold each version, HOLD_THREADS requests at a time (the numbering holds a batch's deposits
        before concluding them); returns the versions no longer there."""

        def one(version: tuple[str, str]) -> tuple[str, str] | None:
            try:
                self.hold(*version)
            except self.s3.exceptions.ClientError as exc:
                if exc.response["Error"]["Code"] in ("NoSuchVersion", "NoSuchKey", "404"):
                    return version
                raise
            return None

        unique = list(dict.fromkeys(versions))
        if len(unique) <= 1:
            return [v for v in map(one, unique) if v is not None]
        with ThreadPoolExecutor(min(HOLD_THREADS, len(unique))) as pool:
            return [v for v in pool.map(one, unique) if v is not None]

    def download_link(self, key: str, version_id: str, seconds: int = 300) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "VersionId": version_id}
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))

    def publish_document(self, key: str, data: bytes, content_type: str, filename: str, seconds: int) -> str:
        """Store a generated document and return a short-lived download link to it."""
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentDisposition": f'attachment; filename="{filename}"'}
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))

    def store_document(self, key: str, data: bytes, content_type: str) -> str:
        """Store a document of the lifecycle (`documents/…`: proposition, convention, acte…); its version id."""
        put = self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return str(put.get("VersionId") or "null")

    def read_document(self, key: str, version_id: str) -> bytes:
        body = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)["Body"]
        return bytes(body.read())

    def document_link(self, key: str, version_id: str, filename: str, seconds: int = 300) -> str:
        params = {"Bucket": self.bucket, "Key": key, "VersionId": version_id,
                  "ResponseContentDisposition": f'attachment; filename="{filename}"'}
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds))
