"""The real server in a real headless Chromium: the shell loads with no errors and no outside requests."""
import pytest

pytestmark = pytest.mark.browser


def test_shell_loads_offline(server, page):
    page.goto(server + "/", wait_until="networkidle")
    assert page.locator("nav[aria-label=Main]").is_visible()
    page.probe.assert_clean()


def test_unknown_path_shows_not_found(server, page):
    page.goto(server + "/no-such-page", wait_until="networkidle")
    assert page.locator("#notfound h1").inner_text() == "Page not found"
