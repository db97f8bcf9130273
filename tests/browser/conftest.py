"""Browser fixtures shared by the browser tests (defined with the widget's tests)."""

from tests.browser.test_widget import chromium, shop  # noqa: F401 - re-exported as fixtures
