"""Environment of the functions, parsed once at cold start.

`Settings` names every variable of the stack; each function has its own model (`FUNCTION_SETTINGS`,
by template.yaml's logical id) that requires exactly the variables it reads, and template.yaml gives
each function those and no others (a test keeps the two in step). A function missing one fails at
cold start with the variable's name, not at its first AWS call. The local runtime, the CLI and the
tests, which touch the whole stack, read everything (`settings()`).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model


class Settings(BaseModel):
    # Built on first validation: a function validates only its own model (FUNCTION_SETTINGS).
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    dossiers_table: str = Field("", alias="DOSSIERS_TABLE")
    counters_table: str = Field("", alias="COUNTERS_TABLE")
    audit_table: str = Field("", alias="AUDIT_TABLE")
    idempotency_table: str = Field("", alias="IDEMPOTENCY_TABLE")
    deposits_bucket: str = Field("", alias="DEPOSITS_BUCKET")
    quarantine_bucket: str = Field("", alias="QUARANTINE_BUCKET")
    completeness_queue_url: str = Field("", alias="COMPLETENESS_QUEUE_URL")
    scoring_queue_url: str = Field("", alias="SCORING_QUEUE_URL")
    notifications_queue_url: str = Field("", alias="NOTIFICATIONS_QUEUE_URL")
    instruction_queue_url: str = Field("", alias="INSTRUCTION_QUEUE_URL")
    sender_email: str = Field("", alias="SENDER_EMAIL")
    user_pool_id: str = Field("", alias="USER_POOL_ID")
    # Where the scoring function moves at once a message that can never succeed (a poison message).
    scoring_dlq_url: str = Field("", alias="SCORING_DLQ_URL")
    # Where the API copies a work item abandoned too often (ami.domain.worklist), for ops and its alarm.
    instruction_dlq_url: str = Field("", alias="INSTRUCTION_DLQ_URL")
    # The app clients whose tokens the API accepts (comma-separated); empty: none (ami.domain.audience).
    user_pool_client_ids: str = Field("", alias="USER_POOL_CLIENT_IDS")
    # The INSEE Sirene API key's secret (the API checks SIRENs at registration); locally a fixture.
    sirene_secret_arn: str = Field("", alias="SIRENE_SECRET_ARN")
    # The plateforme's origin (template.yaml's AllowedOrigin): the emails link to its pages (the receipt).
    plateforme_url: str = Field("", alias="PLATEFORME_URL")
    # How intake reads a scanned lettre d'offre (ami.adapters.ocr): tesseract, textract or aucun. Not in
    # template.yaml, and required by no function: unset, Textract in a Lambda function (whose runtime sets
    # AWS_LAMBDA_FUNCTION_NAME), Tesseract where it is installed, none otherwise.
    ocr: Literal["", "tesseract", "textract", "aucun"] = Field("", alias="AMI_OCR")
    lambda_function_name: str = Field("", alias="AWS_LAMBDA_FUNCTION_NAME")
    # Where the acte de cautionnement goes (the Banque des Territoires' address; template.yaml's BdtEmail).
    bdt_email: str = Field("", alias="BDT_EMAIL")

    @classmethod
    def from_env(cls) -> Settings:
        """These settings from this process's environment; fails loudly when a required one is missing."""
        return cls.model_validate(dict(os.environ))


# The dossiers, counters (deposit sequence, outbox) and audit tables, as each function's writes need them.
_STORE = ("dossiers_table", "counters_table", "audit_table")
# The outbox relay sends whatever committed transactions left in the outbox: every queue after the envoi.
_RELAY = ("scoring_queue_url", "notifications_queue_url", "instruction_queue_url")

# Each function's settings model → the variables it requires (not empty).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "ApiSettings": (
        *_STORE, "deposits_bucket", "completeness_queue_url", "sender_email", "user_pool_id",
        "user_pool_client_ids", "sirene_secret_arn", "instruction_dlq_url", "bdt_email",
    ),
    # counters_table, audit_table: a signed convention accepted is a step of the lifecycle (dossier, its audit
    # chain and the step's emails in the outbox, one transaction).
    "IntakeSettings": (
        *_STORE, "idempotency_table", "deposits_bucket", "quarantine_bucket", "completeness_queue_url",
        "notifications_queue_url",
    ),
    # deposits_bucket: the numbering puts the legal hold on the deposited versions before concluding them.
    "CompletenessSettings": (*_STORE, *_RELAY, "deposits_bucket"),
    "ScoringSettings": (
        "dossiers_table", "counters_table", "idempotency_table", "deposits_bucket", *_RELAY, "scoring_dlq_url",
    ),
    # deposits_bucket: the acte's email carries the lifecycle's documents (documents/…) as attachments.
    # plateforme_url: the receipt's email links to the receipt on the plateforme.
    "NotifySettings": ("dossiers_table", "idempotency_table", "sender_email", "deposits_bucket", "plateforme_url"),
    # The instruction queue's consumer only writes the work list (counters table).
    "InstructionSettings": ("counters_table",),
    # The daily purge of unconfirmed inscriptions: their waiting items (dossiers table) and Cognito users.
    "PurgeSettings": ("dossiers_table", "user_pool_id"),
    # The plateforme's pages do what the JSON API does, for a bailleur or an instructor signed in with a cookie
    # (bdt_email: the workspace's « transmettre l'acte »).
    "WebSettings": (
        *_STORE, "deposits_bucket", "completeness_queue_url", "sender_email", "user_pool_id",
        "user_pool_client_ids", "sirene_secret_arn", "instruction_dlq_url", "bdt_email",
    ),
}

# template.yaml's logical id → its settings model's name.
FUNCTION_SETTINGS: dict[str, str] = {
    "ApiFunction": "ApiSettings",
    "WebFunction": "WebSettings",
    "IntakeFunction": "IntakeSettings",
    "CompletenessFunction": "CompletenessSettings",
    "SweepFunction": "CompletenessSettings",
    # The scheduled expiry of the propositions de tarification: the store, and the relay for its emails.
    "ExpiryFunction": "CompletenessSettings",
    "ScoringFunction": "ScoringSettings",
    "NotifyFunction": "NotifySettings",
    "InstructionFunction": "InstructionSettings",
    "PurgeFunction": "PurgeSettings",
}


@cache
def settings_model(name: str) -> type[Settings]:
    """The settings model `name` (a key of `_REQUIRED`), made on first use: a cold start makes its own only."""
    required: dict[str, Any] = {
        f: (str, Field(alias=Settings.model_fields[f].alias, min_length=1)) for f in _REQUIRED[name]
    }
    model: type[Settings] = create_model(name, __base__=Settings, **required)
    return model


def function_settings(logical_id: str) -> type[Settings]:
    """The settings model of template.yaml's function `logical_id`."""
    return settings_model(FUNCTION_SETTINGS[logical_id])


def __getattr__(name: str) -> type[Settings]:
    """`from ami.settings import IntakeSettings` makes that model only."""
    if name in _REQUIRED:
        return settings_model(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def settings() -> Settings:
    """Every variable of the stack present in this process's environment (local runtime, CLI, tests)."""
    return Settings.from_env()


def required_variables(model: type[Settings]) -> set[str]:
    """The environment variables `model` requires (what template.yaml must give its function)."""
    return {str(f.alias) for f in model.model_fields.values() if f.is_required()}
