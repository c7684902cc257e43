"""Environment of the functions, parsed once at cold start. The names and values come from
template.yaml (in Lambda) or from the local provisioner, which reads the same template."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    dossiers_table: str = Field(alias="DOSSIERS_TABLE")
    counters_table: str = Field(alias="COUNTERS_TABLE")
    audit_table: str = Field(alias="AUDIT_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    deposits_bucket: str = Field(alias="DEPOSITS_BUCKET")
    quarantine_bucket: str = Field(alias="QUARANTINE_BUCKET")
    completeness_queue_url: str = Field(alias="COMPLETENESS_QUEUE_URL")
    scoring_queue_url: str = Field(alias="SCORING_QUEUE_URL")
    notifications_queue_url: str = Field(alias="NOTIFICATIONS_QUEUE_URL")
    instruction_queue_url: str = Field(alias="INSTRUCTION_QUEUE_URL")
    sender_email: str = Field(alias="SENDER_EMAIL")
    user_pool_id: str = Field(alias="USER_POOL_ID")
    # Where the scoring function moves at once a message that can never succeed (a poison message).
    scoring_dlq_url: str = Field(default="", alias="SCORING_DLQ_URL")
    # The app clients whose tokens the API accepts (comma-separated); empty: none (ami.domain.audience).
    user_pool_client_ids: str = Field(default="", alias="USER_POOL_CLIENT_IDS")


def settings() -> Settings:
    """The settings in this process's environment; fails loudly when a variable is missing. Each entry
    point reads them once, at start, and hands them to the composition root (`ami.bootstrap`)."""
    return Settings.model_validate(dict(os.environ))
