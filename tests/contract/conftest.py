"""What every contract suite shares: the real adapters' side runs on a provisioned emulation, one per module."""

from __future__ import annotations

from collections.abc import Iterator

import ami.settings
import pytest

from infra.local import provisioned_emulation


@pytest.fixture(scope="module")
def emulation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ami.settings.Settings]:
    with provisioned_emulation(tmp_path_factory.mktemp("aws")):
        yield ami.settings.settings()
