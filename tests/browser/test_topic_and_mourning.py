"""The 专题 set in real headless Chromium (axe-core, desktop and 390 px), and 哀悼模式 as a reader
sees it: the whole page, pictures included, grey while a period runs, in colour otherwise."""

import datetime
import io
import json
import threading

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image
from selenium.webdriver.common.by import By

from themes import mourning
from themes.mourning import MourningPeriod

from . import test_accessibility as a11y
from .conftest import console_errors
from .test_accessibility import axe_violations, open_page, pages_by_site, set_width

# The axe pattern's own fixtures: the committed pages of every public type, and axe-core's source.
public_pages = a11y.public_pages
axe_source = a11y.axe_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

TOPIC = pytest.mark.parametrize("public_pages", ["topic"], indirect=True)


@TOPIC
@pytest.mark.parametrize("width_name", ["desktop", "phone"])
def test_every_page_of_the_topic_set_has_no_wcag21_aa_violations(served, browser, public_pages, axe_source, width_name):
    set_width(browser, width_name)
    found = {}
    try:
        for base, urls in pages_by_site(served, public_pages):
            for name, path in urls.items():
                open_page(browser, base + path)
                assert "theme-topic" in browser.find_element(By.TAG_NAME, "body").get_attribute("class"), name
                violations = axe_violations(browser, axe_source)
                if violations:
                    found[name] = violations
                if name == "not_found":
                    browser.get_log("browser")
                else:
                    assert console_errors(browser) == [], name
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def _committed(work):
    """Run ``work`` on a connection of its own (committed at once: the served instance sees it)."""
    result = {}

    def run():
        try:
            result["value"] = work()
        except Exception as error:  # noqa: BLE001 - handed to the test's thread
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    mourning.forget()  # the served instance runs in this process
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _colours_of(browser, element):
    """The distinct colours of ``element`` as painted (a screenshot of the viewport, cropped to it)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    box = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];", element
    )
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    left, top, right, bottom = (int(value) for value in box)
    crop = shot.crop((left + 2, top + 2, right - 2, bottom - 2))
    return {pixel for _, pixel in crop.getcolors(maxcolors=1_000_000)}


def _is_grey(colour):
    red, green, blue = colour
    return max(red, green, blue) - min(red, green, blue) <= 3


@TOPIC
def test_mourning_greys_the_whole_page_and_its_pictures(served, browser, public_pages):
    url = served.format(code="jtj") + "/"
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    period = None
    try:
        browser.execute_cdp_cmd("Network.clearBrowserCache", {})  # the sheet kept from the last load
        open_page(browser, url)
        assert browser.execute_script("return getComputedStyle(document.documentElement).filter") == "none"
        picture = browser.find_element(By.CSS_SELECTOR, "main img")
        header = browser.find_element(By.CSS_SELECTOR, ".site-nav")
        assert not all(_is_grey(c) for c in _colours_of(browser, picture))  # a blue picture, in colour
        assert not all(_is_grey(c) for c in _colours_of(browser, header))

        period = _committed(
            lambda: MourningPeriod.objects.create(
                starts_at=timezone.now() - datetime.timedelta(minutes=1), all_sites=True, reason="全国哀悼日"
            )
        )
        browser.execute_cdp_cmd("Network.clearBrowserCache", {})  # the sheet kept from the last load
        open_page(browser, url)
        assert browser.execute_script("return getComputedStyle(document.documentElement).filter") == "grayscale(1)"
        picture = browser.find_element(By.CSS_SELECTOR, "main img")
        assert all(_is_grey(c) for c in _colours_of(browser, picture))  # the picture too
        assert all(_is_grey(c) for c in _colours_of(browser, browser.find_element(By.CSS_SELECTOR, ".site-nav")))

        _committed(lambda: MourningPeriod.objects.filter(pk=period.pk).update(ends_at=timezone.now()))
        browser.execute_cdp_cmd("Network.clearBrowserCache", {})  # the sheet kept from the last load
        open_page(browser, url)
        assert browser.execute_script("return getComputedStyle(document.documentElement).filter") == "none"
        picture = browser.find_element(By.CSS_SELECTOR, "main img")
        assert not all(_is_grey(c) for c in _colours_of(browser, picture))
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        if period is not None:
            _committed(lambda: MourningPeriod.objects.filter(pk=period.pk).delete())
