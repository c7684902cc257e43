"""Inscriptions waiting for their code, in the dossiers table (INSCRIPTION#<address>/PENDING), and
invitations waiting for use (INVITATION#<hash of the token>/INVITATION).

The item carries `expires_epoch`, the table's TTL attribute: DynamoDB removes an unconfirmed
inscription some time after it expired (the service checks the expiry itself, TTL is only cleanup).
"""

from __future__ import annotations

from typing import Any

from ami.adapters.aws import Aws, default_aws
from ami.domain.inscription import PendingRegistration
from ami.domain.invitation import Invitation
from ami.settings import Settings


def _key(email: str) -> dict[str, str]:
    return {"pk": f"INSCRIPTION#{email.strip().lower()}", "sk": "PENDING"}


class DynamoRegistrations:
    def __init__(self, settings: Settings, aws: Aws | None = None) -> None:
        self.table = (aws or default_aws()).table(settings.dossiers_table)

    def put_pending(self, pending: PendingRegistration) -> None:
        item: dict[str, Any] = {
            **_key(pending.email),
            "doc": pending.model_dump_json(),
            "attempts": 0,
            "expires_epoch": int(pending.expires_at.timestamp()),
        }
        self.table.put_item(Item=item)

    def get_pending(self, email: str) -> PendingRegistration | None:
        item = self.table.get_item(Key=_key(email), ConsistentRead=True).get("Item")
        if not item:
            return None
        pending = PendingRegistration.model_validate_json(item["doc"])
        return pending.model_copy(update={"attempts": int(item.get("attempts", 0))})

    def count_attempt(self, email: str, max_attempts: int) -> bool:
        client = self.table.meta.client
        try:
            self.table.update_item(
                Key=_key(email),
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_exists(pk) AND attempts < :max",
                ExpressionAttributeValues={":one": 1, ":max": max_attempts},
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def pending_of(self, siren: str) -> list[PendingRegistration]:
        """The inscriptions waiting for their code that would create `siren`'s profile (a scan: rare)."""
        from boto3.dynamodb.conditions import Attr

        found: list[PendingRegistration] = []
        kwargs: dict[str, Any] = {"FilterExpression": Attr("pk").begins_with("INSCRIPTION#") & Attr("sk").eq("PENDING")}
        while True:
            page = self.table.scan(**kwargs)
            found += [p for i in page.get("Items", [])
                      if (p := PendingRegistration.model_validate_json(i["doc"])).bailleur.siren == siren]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete_pending(self, email: str) -> None:
        self.table.delete_item(Key=_key(email))

    # ------------------------------------------------------------ invitations

    @staticmethod
    def _invitation_key(token_hash: str) -> dict[str, str]:
        return {"pk": f"INVITATION#{token_hash}", "sk": "INVITATION"}

    def put_invitation(self, invitation: Invitation) -> None:
        self.table.put_item(Item={
            **self._invitation_key(invitation.token_hash),
            "doc": invitation.model_dump_json(),
            "expires_epoch": int(invitation.expires_at.timestamp()),
        }, ConditionExpression="attribute_not_exists(pk)")

    def get_invitation(self, token_hash: str) -> Invitation | None:
        item = self.table.get_item(Key=self._invitation_key(token_hash), ConsistentRead=True).get("Item")
        return Invitation.model_validate_json(item["doc"]) if item else None

    def take_invitation(self, token_hash: str) -> bool:
        client = self.table.meta.client
        try:
            self.table.delete_item(Key=self._invitation_key(token_hash), ConditionExpression="attribute_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def invitations_of(self, siren: str) -> list[Invitation]:
        """The unused invitations to join `siren` (a scan: an RGPD request is rare)."""
        from boto3.dynamodb.conditions import Attr

        found: list[Invitation] = []
        unused = Attr("pk").begins_with("INVITATION#") & Attr("sk").eq("INVITATION")
        kwargs: dict[str, Any] = {"FilterExpression": unused}
        while True:
            page = self.table.scan(**kwargs)
            found += [i for item in page.get("Items", [])
                      if (i := Invitation.model_validate_json(item["doc"])).siren == siren]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
