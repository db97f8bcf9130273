"""Debian's chromium through Playwright (its own browser downloads are not used), and the
widget's shop page, shared by the browser tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.fail("chromium is not installed: run `make setup` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def polish_page(browser: Browser, width: int, height: int, what: str, no_dialogs: bool = False) -> Iterator[Page]:
    """A fresh profile (its own localStorage and cookies) in Polish and Warsaw time; fails the
    test if the page raised a JavaScript error or, with ``no_dialogs``, opened alert(), confirm()
    or prompt() (dismissed, so the page goes on)."""
    context = browser.new_context(locale="pl-PL", timezone_id="Europe/Warsaw",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def unexpected_dialog(dialog: Dialog) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    if no_dialogs:
        page.on("dialog", unexpected_dialog)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors or dialogs in {what}: {errors}"


@pytest.fixture
def shop(chromium: Browser) -> Iterator[Page]:
    """The customer's browser: a desktop-sized window."""
    with polish_page(chromium, 1280, 800, "the shop page") as page:
        yield page
