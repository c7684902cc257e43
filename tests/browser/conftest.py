"""One headless Chromium for the browser tests (Debian's `chromium`, installed by `make tools`:
Playwright's own browser download is not reachable here), pages against the session's local stack,
screenshots of each step at 1280 and 360 px, and axe-core on every page."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("AMI_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# Written by every run; README (« La plateforme ») names this folder.
CAPTURES = Path(__file__).resolve().parents[2] / "build" / "captures" / "plateforme"
WIDTHS = (1280, 360)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium n'est pas installé (make tools l'installe)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("chromium n'est pas installé sur ce poste : lancez `make tools` (root) ou apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=fr-FR"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()


class Inspector:
    """Screenshots of each step at both widths, and axe-core's serious or critical violations."""

    def __init__(self) -> None:
        CAPTURES.mkdir(parents=True, exist_ok=True)
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.violations: dict[str, list[str]] = {}

    def check(self, page: Any, step: str) -> None:
        name = re.sub(r"[^a-z0-9-]+", "-", step.lower()).strip("-")
        results = self.axe.run(page)
        bad = [f"{v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if bad:
            self.violations[step] = bad
        size = page.viewport_size
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(CAPTURES / f"{name}-{width}.png"), full_page=True)
            if width == 360:
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    self.violations.setdefault(step, []).append(f"défilement horizontal de {overflow} px à 360 px")
        page.set_viewport_size(size)


@pytest.fixture
def inspect() -> Iterator[Inspector]:
    inspector = Inspector()
    yield inspector
    assert not inspector.violations, inspector.violations
