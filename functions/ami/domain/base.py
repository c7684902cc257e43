"""The base of every model of ours: built (validator and serializer) on first use, not at import, so a
cold start pays only for the models its function uses. Subclasses add their own config; pydantic merges it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)
