"""Each list layout of the theme library (列表 / 图文 / 表格 / 卡片) in every template set, in a real
headless Chromium at desktop and phone (390 px) width.

What is asserted is what a reader sees: the layout's own elements present and visible (rows of a
table, cards side by side on a desktop and stacked on a phone, cover pictures of 图文), summaries
and dates as the version says, and no horizontal scrolling at 390 px. Screenshots go to
``var/screenshots/layout-<set>-<layout>-{desktop,390}.png`` (git-ignored).
"""

import io

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.db import connection
from PIL import Image as PILImage
from PIL import ImageDraw
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from wagtail.images import get_image_model

from cms.models import ArticlePage
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from themes.layouts import LIST_LAYOUTS
from themes.models import SiteTheme, Theme
from themes.registry import TEMPLATE_SETS
from themes.versions import apply_version, create_version

from ..browser.conftest import SCREENSHOTS, browser, chromium, served  # noqa: F401 - the browser fixtures
from ..cms import content

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SITE = "jtj"
NEWS = "/zwdt/gzdt/"
TITLES = ["全市公交线网优化第二批线路开通", "定制公交首批线路运行情况通报", "社区微循环公交试点启动"]
PALETTES = {"blue": ("#0b4f9c", "#1d6fb8"), "red": ("#b3121b", "#8a6312")}


def _cover(title):
    picture = PILImage.new("RGB", (960, 540), (29, 111, 184))
    draw = ImageDraw.Draw(picture)
    for x in range(0, 960, 80):
        draw.rectangle([x, 300, x + 50, 540], fill=(11, 79, 156))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return get_image_model().objects.create(title=title, description=title, file=ImageFile(buffer, name="cover.png"))


@pytest.fixture(scope="module")
def layout_site(django_db_setup, django_db_blocker):
    """Committed news items with covers and summaries on the department site, and one throwaway
    theme per template set whose versions differ only in the news layout; removed afterwards."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(code=SITE)
        kept = SiteTheme.objects.filter(tenant=tenant).values("theme_id", "version_id", "locked").first()
        connection.set_tenant(tenant)
        cover = _cover("公交线网优化")
        pages = [
            content.publish(
                content.column("gzdt"),
                ArticlePage(
                    title=title,
                    source="运输服务科",
                    summary=f"{title}，相关线路的走向、站点和发车间隔见正文。",
                    cover_image=cover if index != 1 else None,
                ),
            )
            for index, title in enumerate(TITLES)
        ]
        connection.set_schema_to_public()
        themes = {}
        for key in TEMPLATE_SETS:
            main, accent = PALETTES.get(key, PALETTES["blue"])
            themes[key] = Theme.objects.create(
                name=f"版式测试{key}", slug=f"shot-{key}", template_set=key, main_color=main, accent_color=accent
            )
        try:
            yield {"tenant": tenant, "themes": themes}
        finally:
            if kept:
                SiteTheme.objects.filter(tenant=tenant).update(**kept)
            else:
                SiteTheme.objects.filter(tenant=tenant).delete()
            Theme.objects.filter(pk__in=[t.pk for t in themes.values()]).delete()
            connection.set_tenant(tenant)
            for page in pages:
                page.delete()
            cover.delete()
            connection.set_schema_to_public()
            invalidate_domain_map()
            cache.clear()


@pytest.fixture(scope="module", params=[(key, layout) for key in TEMPLATE_SETS for layout in LIST_LAYOUTS])
def shown(request, layout_site, django_db_blocker):
    """The department site showing a version of the set's theme with the news layout (committed:
    the served instance sees only committed data)."""
    key, layout = request.param
    with django_db_blocker.unblock():
        theme = layout_site["themes"][key]
        version = create_version(
            theme,
            {"layouts": {"lists": {"news": {"layout": layout, "per_page": 10, "summary": True, "date": True}}}},
            comment=f"动态类栏目：{LIST_LAYOUTS[layout]}",
        )
        apply_version(version, [layout_site["tenant"]], force=True)
        cache.clear()
    return key, layout


def _open(driver, url):
    driver.get(url)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    # Images decoded, so sizes and screenshots are final.
    driver.execute_async_script(
        "const done = arguments[0]; Promise.all([...document.images].map((i) => i.decode().catch(() => 0)))"
        ".then(() => done(true));"
    )


def _visible(element):
    return element.is_displayed() and element.size["width"] > 0 and element.size["height"] > 0


def _boxes(driver, selector):
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map((e) => { const r = e.getBoundingClientRect();"
        " return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width}; });",
        selector,
    )


def _check_layout(driver, layout, phone):
    root = driver.find_element(By.CSS_SELECTOR, f'[data-layout="{layout}"]')
    assert _visible(root)
    text = root.text
    for title in TITLES:
        assert title in text, (layout, title)
    assert "相关线路的走向" in text  # summaries shown, as the version says
    if layout == "table":
        assert driver.find_elements(By.CSS_SELECTOR, "table.data th")[0].text == "标题"
        rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "table.data tbody tr") if _visible(r)]
        assert len(rows) == len(TITLES)
        assert all(len(r.find_elements(By.TAG_NAME, "td")) == 3 for r in rows)  # 标题, 摘要, 发布日期
    elif layout == "cards":
        cards = _boxes(driver, "ul.card-list > li.card")
        assert len(cards) == len(TITLES)
        if phone:  # one column: each card below the one before
            assert all(b["top"] >= a["bottom"] - 1 for a, b in zip(cards, cards[1:], strict=False))
        else:  # side by side
            assert abs(cards[0]["top"] - cards[1]["top"]) < 1 and cards[1]["left"] >= cards[0]["right"]
        assert len(driver.find_elements(By.CSS_SELECTOR, "li.card picture img, li.card img")) == 2
    elif layout == "rich":
        covers = [
            img for img in driver.find_elements(By.CSS_SELECTOR, ".item-list--rich li.has-cover img") if _visible(img)
        ]
        assert len(covers) == 2
        assert len(driver.find_elements(By.CSS_SELECTOR, ".item-list--rich li")) == len(TITLES)
    else:  # list: titles and dates, no pictures
        assert not driver.find_elements(By.CSS_SELECTOR, '[data-layout="list"] img')
        items = driver.find_elements(By.CSS_SELECTOR, '[data-layout="list"] > li')
        assert len(items) == len(TITLES)
    times = root.find_elements(By.TAG_NAME, "time")
    if layout != "table":
        assert len(times) == len(TITLES) and all(_visible(t) for t in times)
    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"horizontal scrolling: {width}"


def test_each_list_layout_in_each_template_set_on_desktop_and_phone(served, browser, shown):  # noqa: F811
    key, layout = shown
    url = served.format(code=SITE) + NEWS
    _open(browser, url)
    assert f"theme-{key}" in browser.find_element(By.TAG_NAME, "body").get_attribute("class")
    _check_layout(browser, layout, phone=False)
    browser.save_screenshot(str(SCREENSHOTS / f"layout-{key}-{layout}-desktop.png"))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        _open(browser, url)
        _check_layout(browser, layout, phone=True)
        browser.save_screenshot(str(SCREENSHOTS / f"layout-{key}-{layout}-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
