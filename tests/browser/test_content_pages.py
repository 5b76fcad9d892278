"""Every public page type of a department site, in both themes, in a real headless Chromium.

What a reader's browser sees: no console errors (a missing favicon counts), the footer's
compliance items (design §2), WCAG 2.1 AA points measured from computed styles (contrast, visible
focus, skip link), no horizontal scrolling at 360 px, the 适老化 mode remembered across pages, the
honest publish time and the notice before leaving the site. Screenshots of every page at desktop
and 360 px go to var/screenshots/ (``<theme>-<page>-desktop.png`` / ``-360.png``).
"""

import base64
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from django.db import connection
from PIL import Image as PILImage
from PIL import ImageDraw
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.models import ArticlePage, DisclosureDocumentPage, LeaderPage, SiteBranding, TopicCategory
from sites.middleware import invalidate_domain_map
from sites.models import Tenant
from themes.models import SiteTheme, Theme
from themes.services import assign_theme

from ..cms import content
from .conftest import SCREENSHOTS, console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SITE = "jtj"
# The session cluster gives only the portal its footer data; the department gets its own here.
FOOTER = dict(
    site_identifier="1234000002",
    sponsor="测试市交通运输局",
    organizer="测试市交通运输局办公室",
    icp_number="测ICP备12345678号-2",
    police_record_number="测公网安备 12345678901235号",
    police_record_url="https://beian.example.gov.cn/record/12345678901235",
    contact_phone="0771-7654321",
    contact_address="测试市交通路 8 号",
)
PAGE_NAMES = ["home", "column", "article", "disclosure", "leader"]
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
EXTERNAL = "https://www.gov.cn/"

ARTICLE_BODY = (
    "<p>11月20日，市交通运输局召开城市公交线网优化工作推进会，通报第一批线路调整进展，"
    "部署下一阶段站点布局和发车间隔优化工作。</p>"
    "<p>会议要求，各相关单位要广泛听取市民意见，做好线路调整的公告和解释工作，"
    f'相关政策可登录<a href="{EXTERNAL}">中国政府网</a>查阅。</p>'
    "<p>会议还通报了定制公交、社区微循环公交的试点情况，要求年底前完成首批线路评估。</p>"
)


def _picture(title, size, background, draw):
    """A Wagtail image drawn with Pillow (screenshots should look like a site, not test cards)."""
    picture = PILImage.new("RGB", size, background)
    draw(ImageDraw.Draw(picture), *size)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return get_image_model().objects.create(title=title, description=title, file=ImageFile(buffer, name=f"{title}.png"))


def _emblem(canvas, width, height):
    canvas.ellipse([4, 4, width - 4, height - 4], fill=(255, 255, 255))
    canvas.ellipse([16, 16, width - 16, height - 16], outline=(11, 79, 156), width=8)
    canvas.polygon(
        [(64, 30), (74, 54), (100, 56), (80, 72), (87, 98), (64, 84), (41, 98), (48, 72), (28, 56), (54, 54)],
        fill=(200, 22, 29),
    )


def _skyline(canvas, width, height):
    for x in range(0, width, 48):
        top = height - 60 - (x * 37 % 140)
        canvas.rectangle([x, top, x + 40, height], fill=(60, 110, 170))
        for y in range(top + 10, height - 10, 20):
            canvas.rectangle([x + 8, y, x + 14, y + 8], fill=(230, 200, 120))
    canvas.line([(0, height - 8), (width, height - 8)], fill=(200, 160, 60), width=6)


def _stripes(canvas, width, height):
    for step in range(-height, width, 40):
        canvas.line([(step, height), (step + height, 0)], fill=(70, 120, 190), width=10)


def _person(canvas, width, height):
    canvas.ellipse([width * 0.3, height * 0.15, width * 0.7, height * 0.45], fill=(235, 205, 180))
    canvas.rectangle([width * 0.2, height * 0.5, width * 0.8, height], fill=(40, 50, 70))
    canvas.polygon(
        [(width * 0.45, height * 0.5), (width * 0.55, height * 0.5), (width * 0.5, height * 0.75)], fill=(255, 255, 255)
    )


def _publish_content():
    """Pages of every tested type on the department site (the connection is on its schema)."""
    cover = _picture("公交线网优化推进会现场", (960, 420), (29, 111, 184), _stripes)
    photo = _picture("张卫东", (240, 320), (225, 230, 238), _person)
    news = content.column("gzdt")
    for index, title in enumerate(["定制公交首批线路开通运行", "社区微循环公交试点启动"]):
        content.publish(news, ArticlePage(title=title, source="运输服务科", summary=f"第{index + 1}批试点线路情况。"))
    article = content.publish(
        news,
        ArticlePage(
            title="市交通运输局召开城市公交线网优化工作推进会",
            subtitle="部署第二批线路调整和站点布局优化",
            source="运输服务科",
            author="王晓",
            cover_image=cover,
            summary="会议通报第一批线路调整进展，部署下一阶段工作。",
            body=ARTICLE_BODY,
        ),
    )
    disclosure = content.publish(
        content.column("fdzdgk"),
        DisclosureDocumentPage(
            title="关于印发《城市公交线网优化实施方案》的通知",
            written_date=datetime.date(2026, 11, 18),
            document_number="测交发〔2026〕31号",
            topic_category=TopicCategory.INDUSTRY,
            keywords="公交 线网 优化",
            genre="notice",
            summary="印发城市公交线网优化实施方案。",
            body="<p>各区交通运输局，局属各单位：</p><p>现将《城市公交线网优化实施方案》印发给你们，请结合实际认真贯彻执行。</p>",
        ),
    )
    leader = content.publish(
        content.column("fzrxx"),
        LeaderPage(
            title="张卫东",
            position="党组书记、局长",
            photo=photo,
            responsibilities="主持局全面工作。\n分管办公室、人事科。",
            resume="<p>张卫东，男，汉族，1972年生，大学学历。现任测试市交通运输局党组书记、局长。</p>",
        ),
    )
    # The site's own logo and banner (cms.SiteBranding): 政务蓝 shows both, 中国红 the logo only.
    logo = _picture("交通局标志", (128, 128), (11, 79, 156), _emblem)
    banner = _picture("页头横幅", (1920, 240), (11, 79, 156), _skyline)
    SiteBranding.objects.update_or_create(site=Site.objects.get(), defaults={"logo": logo, "banner": banner})
    pages = {"home": content.home(), "column": news, "article": article, "disclosure": disclosure, "leader": leader}
    return pages, [cover, photo, logo, banner]


@pytest.fixture(scope="module", params=["blue", "red"])
def themed_site(request, django_db_setup, django_db_blocker):
    """The department site with committed content and footer data, in the parametrised theme.

    Committed (the served instance sees only committed data) and removed again afterwards, so no
    other test sees these pages, this footer or this theme.
    """
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(code=SITE)
        saved_footer = Tenant.objects.filter(pk=tenant.pk).values(*FOOTER).get()
        had_theme = SiteTheme.objects.filter(tenant=tenant).values_list("theme_id", flat=True).first()
        Tenant.objects.filter(pk=tenant.pk).update(**FOOTER)
        connection.set_tenant(tenant)
        pages, images = _publish_content()
        urls = {name: page.url for name, page in pages.items()}
        times = {name: pages[name].publish_time for name in ("article", "disclosure")}
        connection.set_schema_to_public()
        assign_theme(Theme.objects.get(slug=request.param), tenant)
        invalidate_domain_map()
        cache.clear()
        try:
            yield {"theme": request.param, "urls": urls, "times": times}
        finally:
            connection.set_tenant(tenant)
            for name in ("article", "disclosure", "leader"):
                pages[name].delete()
            for page in ArticlePage.objects.filter(title__in=["定制公交首批线路开通运行", "社区微循环公交试点启动"]):
                page.delete()
            SiteBranding.objects.all().delete()
            for image in images:
                image.delete()
            connection.set_schema_to_public()
            if had_theme:
                assign_theme(Theme.objects.get(pk=had_theme), tenant)
            else:
                SiteTheme.objects.filter(tenant=tenant).delete()
            Tenant.objects.filter(pk=tenant.pk).update(**saved_footer)
            invalidate_domain_map()
            cache.clear()


# --- Helpers run in the page ------------------------------------------------------------------

CONTRAST_JS = """
const minimum = arguments[0];
function parse(value) {
  let m = value.match(/^rgba?\\(([^)]+)\\)$/);
  if (m) {
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  m = value.match(/^color\\(srgb ([^)]+)\\)$/);
  if (m) {
    const p = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number);
    return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
  }
  return [0, 0, 0, 0];
}
function over(top, bottom) {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [255, 255, 255, 0];
  return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
}
// Every colour the text may sit on: background colours, and each stop of a gradient, composited.
function backgrounds(element) {
  const layers = [];
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    const style = getComputedStyle(node);
    const colour = parse(style.backgroundColor);
    const stops = (style.backgroundImage.match(/(rgba?|color)\\([^)]+\\)/g) || []).map(parse);
    const options = stops.length ? stops.map((stop) => over(stop, colour)) : [colour];
    if (options.some((o) => o[3] > 0)) layers.push(options);
    if (options.every((o) => o[3] >= 1)) break;
  }
  let result = [[255, 255, 255, 1]];
  for (let i = layers.length - 1; i >= 0; i--) {
    result = result.flatMap((base) => layers[i].map((layer) => over(layer, base)));
  }
  return result;
}
function luminance(c) {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function ratio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
const failures = [];
let checked = 0;
for (const element of document.body.querySelectorAll("*")) {
  if (element instanceof SVGElement || element.closest("dialog:not([open]), .visually-hidden, .skip-link")) continue;
  const text = [...element.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
  if (!text) continue;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  if (style.visibility !== "visible" || style.display === "none" || box.width < 2 || box.height < 2) continue;
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  checked += 1;
  for (const bg of backgrounds(element)) {
    const value = ratio(over(parse(style.color), bg), bg);
    if (value < (large ? Math.min(3, minimum) : minimum)) {
      failures.push(`${element.tagName.toLowerCase()} "${text.slice(0, 20)}" ${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}) = ${value.toFixed(2)}`);
      break;
    }
  }
}
return {checked, failures};
"""

UNLABELLED_JS = """
return [...document.querySelectorAll("input, select, textarea")]
  .filter((i) => !["hidden", "submit", "button", "reset", "image"].includes(i.type))
  .filter((i) => !(i.labels && i.labels.length) && !i.getAttribute("aria-label") && !i.getAttribute("aria-labelledby"))
  .map((i) => i.outerHTML);
"""

FAVICON_JS = """
const done = arguments[arguments.length - 1];
const link = document.querySelector('link[rel~="icon"]');
if (!link) { done("no icon link"); return; }
fetch(link.href).then((r) => done(r.status + " " + r.headers.get("content-type"))).catch((e) => done(String(e)));
"""


def full_page_screenshot(driver, name):
    """The whole page, not only the viewport, as a PNG under var/screenshots/."""
    size = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size[0], "height": min(size[1], 6000), "scale": 1},
        },
    )
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def open_page(browser, url):
    browser.get(url)
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")


def js(browser, script, *args):
    return browser.execute_script(script, *args)


def focused(browser):
    return js(
        browser,
        "const e = document.activeElement, s = getComputedStyle(e);"
        "return {tag: e.tagName, id: e.id, cls: e.className, top: e.getBoundingClientRect().top,"
        " outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow};",
    )


def assert_visible_focus(state):
    outline = state["outline"] not in ("none", "") and state["width"] >= 2
    assert outline or state["shadow"] != "none", state


@pytest.fixture
def mobile(browser):
    """The browser as a 360 px wide phone for the duration of a test."""

    def on():
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 360, "height": 760, "deviceScaleFactor": 1, "mobile": True}
        )

    yield on
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- Tests ------------------------------------------------------------------------------------


def test_every_page_type_is_accessible_with_the_compliance_footer(served, browser, themed_site):
    base = served.format(code=SITE)
    theme = themed_site["theme"]
    for name in PAGE_NAMES:
        open_page(browser, base + themed_site["urls"][name])
        html = browser.find_element(By.TAG_NAME, "html")
        assert html.get_attribute("lang") == "zh-CN", name
        assert f"theme-{theme}" in browser.find_element(By.TAG_NAME, "body").get_attribute("class"), name
        assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1, name
        assert js(browser, "return [...document.images].filter((i) => !i.hasAttribute('alt')).length") == 0, name
        assert js(browser, UNLABELLED_JS) == [], name
        broken = "return [...document.images].filter((i) => i.loading !== 'lazy' && !(i.complete && i.naturalWidth))"
        assert js(browser, broken + ".map((i) => i.src)") == [], name

        logo = browser.find_element(By.CSS_SELECTOR, ".brand img")
        assert "/media/" in logo.get_attribute("src") and logo.get_attribute("alt") == "", name  # the site's own
        banner = "site-header--banner" in browser.find_element(By.CSS_SELECTOR, ".site-header").get_attribute("class")
        assert banner == (theme == "blue"), name  # 中国红 shows no banner

        footer = browser.find_element(By.TAG_NAME, "footer")
        text = footer.text
        for item in (
            f"网站标识码：{FOOTER['site_identifier']}",
            FOOTER["icp_number"],
            FOOTER["police_record_number"],
            f"主办单位：{FOOTER['sponsor']}",
            f"承办单位：{FOOTER['organizer']}",
            f"联系电话：{FOOTER['contact_phone']}",
            f"地址：{FOOTER['contact_address']}",
        ):
            assert item in text, (name, item)
        police = footer.find_element(By.CSS_SELECTOR, "a.police-record")
        assert police.get_attribute("href") == FOOTER["police_record_url"], name
        assert footer.find_element(By.CSS_SELECTOR, "img[alt='党政机关网站标识']").is_displayed(), name

        # Keyboard: the first Tab reaches the skip link, visibly; Enter moves focus to the content.
        ActionChains(browser).send_keys(Keys.TAB).perform()
        state = focused(browser)
        assert "skip-link" in state["cls"] and state["top"] >= 0, (name, state)
        assert_visible_focus(state)
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        assert focused(browser)["id"] == "main", name
        ActionChains(browser).send_keys(Keys.TAB).perform()
        state = focused(browser)
        assert state["tag"] == "A", (name, state)
        assert_visible_focus(state)

        result = js(browser, CONTRAST_JS, 4.5)
        assert result["checked"] > 20 and result["failures"] == [], (name, result["failures"])
        assert browser.execute_async_script(FAVICON_JS).startswith("200 image/"), name
        js(browser, "document.activeElement.blur()")  # the screenshot shows the page, not the focus ring
        full_page_screenshot(browser, f"{theme}-{name}-desktop")
        assert console_errors(browser) == [], name


def test_every_page_type_fits_a_360px_phone(served, browser, mobile, themed_site):
    base = served.format(code=SITE)
    mobile()
    for name in PAGE_NAMES:
        open_page(browser, base + themed_site["urls"][name])
        # A phone-sized viewport (Chromium may add a few pixels for its own chrome): no sideways scroll.
        viewport = js(browser, "return window.innerWidth")
        assert 360 <= viewport <= 380, viewport
        width = js(browser, "return document.documentElement.scrollWidth")
        assert width <= viewport, (name, width, viewport)
        result = js(browser, CONTRAST_JS, 4.5)
        assert result["failures"] == [], (name, result["failures"])
        full_page_screenshot(browser, f"{themed_site['theme']}-{name}-360")
        assert console_errors(browser) == [], name


def test_elder_mode_is_larger_high_contrast_and_remembered(served, browser, themed_site):
    base = served.format(code=SITE)
    urls = themed_site["urls"]
    open_page(browser, base + urls["article"])
    js(browser, "localStorage.clear()")
    open_page(browser, base + urls["article"])

    def state():
        return js(
            browser,
            "const root = document.documentElement;"
            "return {on: root.classList.contains('elder-mode'), size: parseFloat(getComputedStyle(root).fontSize),"
            " colour: getComputedStyle(document.querySelector('.article__body p')).color,"
            " pressed: document.querySelector('[data-mode-toggle]').getAttribute('aria-pressed')};",
        )

    normal = state()
    assert not normal["on"] and normal["pressed"] == "false"
    browser.find_element(By.CSS_SELECTOR, "[data-mode-toggle]").click()
    elder = state()
    assert elder["on"] and elder["pressed"] == "true"
    assert elder["size"] >= normal["size"] * 1.2
    assert elder["colour"] == "rgb(0, 0, 0)"
    # High contrast means AAA (7:1) for all text in this mode.
    assert js(browser, CONTRAST_JS, 7)["failures"] == []
    full_page_screenshot(browser, f"{themed_site['theme']}-article-elder")

    open_page(browser, base + urls["disclosure"])  # another page: still on, before any click
    assert js(browser, "return document.documentElement.classList.contains('elder-mode')")
    assert js(browser, "return parseFloat(getComputedStyle(document.documentElement).fontSize)") == elder["size"]
    toggle = browser.find_element(By.CSS_SELECTOR, "[data-mode-toggle]")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert not js(browser, "return document.documentElement.classList.contains('elder-mode')")
    open_page(browser, base + urls["leader"])
    assert not js(browser, "return document.documentElement.classList.contains('elder-mode')")
    assert js(browser, "return parseFloat(getComputedStyle(document.documentElement).fontSize)") == normal["size"]
    assert console_errors(browser) == []


def test_publish_time_is_shown_to_the_minute(served, browser, themed_site):
    base = served.format(code=SITE)
    for name in ("article", "disclosure"):
        open_page(browser, base + themed_site["urls"][name])
        shown = browser.find_element(By.CSS_SELECTOR, ".article__meta time").text
        assert TIME_RE.match(shown), shown
        assert shown == themed_site["times"][name]


def test_external_links_show_the_leaving_notice(served, browser, themed_site):
    base = served.format(code=SITE)
    url = base + themed_site["urls"]["article"]
    open_page(browser, url)
    dialog = browser.find_element(By.ID, "leave-dialog")
    assert not dialog.is_displayed()
    browser.find_element(By.CSS_SELECTOR, f".article__body a[href='{EXTERNAL}']").click()
    assert dialog.is_displayed() and dialog.get_attribute("open") is not None
    assert EXTERNAL in dialog.text and "即将离开本站" in dialog.text
    full_page_screenshot(browser, f"{themed_site['theme']}-leave-notice")
    dialog.find_element(By.CSS_SELECTOR, "[data-leave-stay]").click()
    assert not dialog.is_displayed()
    assert browser.current_url == url
    # The footer's record link leaves the site too; a link to this site does not ask.
    browser.find_element(By.CSS_SELECTOR, "footer a.police-record").click()
    assert dialog.is_displayed()
    dialog.find_element(By.CSS_SELECTOR, "[data-leave-stay]").click()
    browser.find_element(By.CSS_SELECTOR, ".breadcrumb a").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url != url)
    assert console_errors(browser) == []
